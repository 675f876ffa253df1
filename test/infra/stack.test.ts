import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ClusterDoctorStack } from '../../lib/infra/cluster-doctor-stack';

describe('ClusterDoctorStack', () => {
  it('creates a KMS-encrypted alert topic that refuses plain HTTP', () => {
    const template = Template.fromStack(new ClusterDoctorStack(new App(), 'Test'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const policies = template.findResources('AWS::SNS::TopicPolicy');
    expect(JSON.stringify(policies)).toContain('aws:SecureTransport');
  });
});
