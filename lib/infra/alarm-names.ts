/**
 * Alarm names route CloudWatch's notifications: they carry no message attributes, so the alarm
 * topic's subscriptions filter on the name in the body. Every alarm of a stack is named
 * `<stack>.cluster.<name>.<what>`, `<stack>.placement.<name>.<what>` or `<stack>.deployment.<what>`:
 * the prefix up to the scope's name (dot included) selects exactly one cluster's, one placement's or
 * the deployment's alarms, whatever the names (a dot never occurs in a cluster or placement name).
 */
export class AlarmNames {
  constructor(readonly stack: string) {}

  /** What the topic policies admit: every alarm of this stack. */
  get all(): string {
    return `${this.stack}.`;
  }

  clusterPrefix(cluster: string): string {
    return `${this.stack}.cluster.${cluster}.`;
  }

  cluster(cluster: string, what: ClusterAlarm): string {
    return `${this.clusterPrefix(cluster)}${what}`;
  }

  /** How every cluster's alarm of one kind ends (a dot never occurs in a name). */
  clusterSuffix(what: ClusterAlarm): string {
    return `.${what}`;
  }

  placementPrefix(placement: string): string {
    return `${this.stack}.placement.${placement}.`;
  }

  placement(placement: string, what: string): string {
    return `${this.placementPrefix(placement)}${what}`;
  }

  get deploymentPrefix(): string {
    return `${this.stack}.deployment.`;
  }

  deployment(what: string): string {
    return `${this.deploymentPrefix}${what}`;
  }
}

/** The alarms of one cluster: its dead-man switch, and its remedies' lost keys (auto mode only). */
export type ClusterAlarm = 'checker-dead' | 'keys-lost';
