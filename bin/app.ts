// The CDK app: `npx cdk synth` (offline, no credentials: nothing is looked up).
// Environments come from the `environments` context in cdk.json.
import { App } from 'aws-cdk-lib';
import { buildPaymentsApp } from '#lib/payments-app.ts';

const app = new App();
buildPaymentsApp(app);
app.synth();
