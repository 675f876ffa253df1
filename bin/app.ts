import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClusterDoctorStack } from '../lib/infra/cluster-doctor-stack';

const app = new App();
new ClusterDoctorStack(app, 'ClusterDoctor');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
