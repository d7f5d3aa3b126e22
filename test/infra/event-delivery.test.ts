// The event-delivery construct alone, in a test stack: the bus, the stream publisher
// and its dead-letter queue, the delivery queue and its dead-letter queue (KMS), the
// deliverer fed one message at a time, least-privilege statements, and the compliance
// packs clean over everything the construct creates. Its place in the API stack (grants
// to routes, alarms in the monitoring stack): event-delivery-stack.test.ts.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { compliancePacks } from '#lib/payments-app.ts';
import { EventDelivery } from '#lib/constructs/event-delivery.ts';
import { grantsFor } from '#lib/api/uses.ts';
import { paymentsTable } from '#functions/adapters/dynamodb/table-definitions.ts';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'EventsTest', { env: { account: '111111111111', region: 'us-east-1' } });
const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
const table = new dynamodb.TableV2(stack, 'Payments', {
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
});
// In the VPC as the API stack places its functions (the deliverer reaches the platform's endpoints through its NAT).
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const network = { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [new ec2.SecurityGroup(stack, 'Functions', { vpc })] };
const delivery = new EventDelivery(stack, 'Events', {
  network,
  table,
  key,
  environment: { PAYMENTS_RUNTIME: 'aws', AUTH_JWKS: 'https://example.com/jwks.json' },
  logLevel: 'INFO',
  reservedConcurrency: 5,
});
// As the API stack does: the functions' `uses` (functions/routes.ts, eventFunctions) through grantsFor.
const stateful = { tables: { [paymentsTable.id]: table }, key, platformSecret: undefined as never };
delivery.grantUses((uses) => grantsFor(uses, stateful, { ipn: undefined as never, webhookDeliveries: delivery.deliveryQueue }, { bus: delivery.bus }));
const template = Template.fromStack(stack);

const policyOf = (fn: typeof delivery.deliverer) =>
  JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes(stack.resolve(fn.role.roleName).Ref ?? '')));

describe('event delivery construct', () => {
  it('creates the bus, three KMS-encrypted queues, both functions and their sources, and leaves alarms to the monitoring stack', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::SQS::Queue', 3);
    template.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(delivery.deadLetterQueues).toEqual([delivery.publisherDeadLetters, delivery.deliveryDeadLetters]);
    expect(delivery.functions).toEqual([delivery.publisher, delivery.deliverer]);
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 5 } });
  });

  it('lets the deliverer open webhook secrets only, never a provider token, and gives it no bus access', () => {
    const deliverer = policyOf(delivery.deliverer);
    expect(deliverer).toContain('"kms:EncryptionContext:purpose":"webhook_secret"');
    expect(deliverer).not.toContain('provider_access_token');
    expect(deliverer).not.toContain('events:PutEvents');
    expect(deliverer).toContain('{"Action":"kms:Decrypt","Condition":{"StringEquals":{"kms:EncryptionContext:purpose":"webhook_secret"}');
    const publisher = policyOf(delivery.publisher);
    expect(publisher).toContain('events:PutEvents');
    expect(publisher).not.toContain('webhook_secret');
  });

  it.each(compliancePacks(app).map((pack) => [pack.readPackName, pack] as const))('leaves no unacknowledged %s finding in the construct', (_name, pack) => {
    const report = pack.validateScope(delivery);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });
});
