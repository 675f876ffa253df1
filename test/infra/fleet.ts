import type { FleetConfigInput } from '../../lib/config/schema';

/**
 * The example fleet of the issue, generated: 200 clusters in 10 placements across 3 deployments (two
 * accounts, three regions), every cluster with a nightly and a 5-minute schedule (two schedules each:
 * the most resources a cluster can cost), a team email per placement, a phone for some clusters.
 */
export function exampleFleet(): FleetConfigInput {
  const layout = [
    { name: 'paris', account: '123456789012', region: 'eu-west-3', placements: 4, clusters: 80 },
    { name: 'virginia', account: '123456789012', region: 'us-east-1', placements: 3, clusters: 60 },
    { name: 'dublin', account: '210987654321', region: 'eu-west-1', placements: 3, clusters: 60 },
  ];
  let placementNo = 0;
  let clusterNo = 0;
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return {
    deployments: layout.map((d) => {
      const placements = Array.from({ length: d.placements }, () => {
        const p = placementNo++;
        return {
          name: `vpc-${p}`,
          vpc: {
            vpcId: `vpc-${hex(p, 17)}`,
            subnetIds: [`subnet-${hex(2 * p, 17)}`, `subnet-${hex(2 * p + 1, 17)}`],
            securityGroupIds: [`sg-${hex(p, 17)}`],
          },
        };
      });
      return {
        name: d.name,
        account: d.account,
        region: d.region,
        alarmEmail: 'platform-oncall@example.com',
        placements,
        clusters: Array.from({ length: d.clusters }, (_, i) => {
          const n = clusterNo++;
          const placement = placements[i % placements.length]?.name as string;
          return {
            name: `cache-${String(n).padStart(3, '0')}`,
            placement,
            seeds: [`10.${n % 250}.0.10:6379`, `10.${n % 250}.1.10:6379`],
            secretArn: `arn:aws:secretsmanager:${d.region}:${d.account}:secret:redis/cache-${n}-AbCdEf`,
            schedules: {
              nightly: { cron: 'cron(0 3 * * ? *)', timeZone: 'Europe/Paris' },
              frequent: { rate: 'rate(5 minutes)' },
            },
            remediation: { mode: 'auto' as const, allow: ['stabilize-open-slot' as const] },
            notify: {
              emails: [`${placement}-team@example.com`],
              sms: n % 10 === 0 ? [`+336000000${String(n).padStart(2, '0').slice(-2)}`] : [],
            },
          };
        }),
      };
    }),
  };
}
