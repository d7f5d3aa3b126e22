// Events and webhook delivery as deployed, in both environments: the API stack's
// publisher on the payments table's stream, the deliverer on its queue, the bus, the
// dead-letter queues and the monitoring stack's alarms on them, and least privilege
// across every function of the app: only webhook_endpoints.create and rotate_secret
// seal webhook secrets, only the deliverer opens them, only events.redeliver (with the
// publisher and the deliverer) queues delivery attempts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { paymentsTable } from '#functions/adapters/dynamodb/table-definitions.ts';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { maxDeliveryReceives, publisherMaxRecordAge } from '#lib/constructs/event-delivery.ts';
import { projectRoot, type PaymentsFunction } from '#lib/constructs/payments-function.ts';
import { buildTestApp } from './test-app.ts';
import { businessMetric } from '#functions/observability.ts';
import { actionsOf, roleStatements, type Statement } from './iam.ts';

const { stages } = buildTestApp();
type Resource = { Type: string; Properties: Record<string, any> };

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);


const environments = stages.map((stage) => {
  const api = Template.fromStack(stage.api);
  const resources = api.toJSON().Resources as Record<string, Resource>;
  const delivery = stage.api.eventDelivery;
  /** Every function of the API stack, by a readable name (route ids for routes). */
  const functions = new Map<string, PaymentsFunction>([
    ['authorizer', stage.api.authorizerFunction],
    ...stage.api.routeFunctions,
    ...stage.api.queueConsumerFunctions,
    ...stage.api.scheduledJobFunctions,
    ['publisher', delivery.publisher],
    ['deliverer', delivery.deliverer],
  ]);
  const fnResource = (fn: PaymentsFunction) => resources[logicalId(stage.api, fn.function)]!;
  const variables = (fn: PaymentsFunction) => fnResource(fn).Properties.Environment.Variables as Record<string, unknown>;
  const queueArn = { 'Fn::GetAtt': [logicalId(stage.api, delivery.deliveryQueue), 'Arn'] };
  const whoCan = (matches: (s: Statement) => boolean) =>
    [...functions].filter(([, fn]) => roleStatements(api, fn).some(matches)).map(([name]) => name).sort();
  return { name: stage.stageName, stage, api, resources, delivery, functions, fnResource, variables, queueArn, whoCan };
});

describe.each(environments.map((env) => [env.name, env] as const))('%s environment', (name, env) => {
  const { stage, api, resources, delivery, fnResource, variables, queueArn, whoCan } = env;
  const mappingsOf = (fn: PaymentsFunction) =>
    Object.values(api.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(stage.api, fn.function) }),
    );

  it('feeds the publisher from the payments table stream (new and old images), filtered to what makes events, failures to its dead letters', () => {
    Template.fromStack(stage.stateful).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: paymentsTable.partitionKey.name, KeyType: 'HASH' }, { AttributeName: paymentsTable.sortKey!.name, KeyType: 'RANGE' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const mappings = mappingsOf(delivery.publisher);
    expect(mappings).toHaveLength(1);
    const { Tags: _tags, ...mapping } = mappings[0]!.Properties;
    // Dead-lettered while the stream (24 hours) still holds the records, so they can be replayed.
    expect(publisherMaxRecordAge.toHours()).toBeLessThanOrEqual(12);
    expect(mapping).toEqual({
      FunctionName: { Ref: logicalId(stage.api, delivery.publisher.function) },
      // The stateful stack's export of the payments table's stream ARN.
      EventSourceArn: { 'Fn::ImportValue': expect.stringMatching(/PaymentsTable.*StreamArn/) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: publisherMaxRecordAge.toSeconds(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stage.api, delivery.publisherDeadLetters), 'Arn'] } } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ['checkout', 'merchant_account', 'mandate'] } } } }) }] },
    });
    // The poller reads the stream with the publisher's role: that stream only (ListStreams names no resource).
    const streamStatement = roleStatements(api, delivery.publisher).find((s) => actionsOf(s).includes('dynamodb:GetRecords'));
    expect(streamStatement?.Resource).toEqual(mapping.EventSourceArn);
  });

  it('feeds the deliverer one delivery message at a time from its queue, at most its reserved concurrency', () => {
    const mappings = mappingsOf(delivery.deliverer);
    expect(mappings).toHaveLength(1);
    const reserved = fnResource(delivery.deliverer).Properties.ReservedConcurrentExecutions as number;
    // The same reserved concurrency as every route (the environment's concurrency.handler).
    expect(reserved).toBe(fnResource([...stage.api.routeFunctions.values()][0]!).Properties.ReservedConcurrentExecutions);
    expect(mappings[0]!.Properties).toMatchObject({
      EventSourceArn: queueArn,
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: reserved },
    });
    expect(fnResource(delivery.deliverer).Properties.Timeout * 6).toBe(resources[logicalId(stage.api, delivery.deliveryQueue)]!.Properties.VisibilityTimeout);
  });

  it('encrypts the bus, the delivery queue and both dead-letter queues with the customer-managed key, and refuses non-TLS requests to the queues', () => {
    const keyArn = stage.api.resolve(stage.stateful.key.keyArn);
    api.resourceCountIs('AWS::Events::EventBus', 1);
    api.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: keyArn });
    const deadLetters = { 'Fn::GetAtt': [logicalId(stage.api, delivery.deliveryDeadLetters), 'Arn'] };
    expect(resources[logicalId(stage.api, delivery.deliveryQueue)]!.Properties).toMatchObject({
      KmsMasterKeyId: keyArn,
      RedrivePolicy: { deadLetterTargetArn: deadLetters, maxReceiveCount: maxDeliveryReceives },
    });
    for (const queue of [delivery.deliveryQueue, ...delivery.deadLetterQueues]) {
      const id = logicalId(stage.api, queue);
      expect(resources[id]!.Properties.KmsMasterKeyId).toEqual(keyArn);
      const policy = Object.values(resources).find((r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties.Queues) === JSON.stringify([{ Ref: id }]));
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
    // EventBridge may use the key for this bus only (the statement CDK adds to the stateful stack's key policy).
    const key = Object.values(Template.fromStack(stage.stateful).findResources('AWS::KMS::Key'))[0]!;
    const forEvents = key.Properties.KeyPolicy.Statement.filter((s: { Principal?: { Service?: string } }) => s.Principal?.Service === 'events.amazonaws.com');
    expect(forEvents).toHaveLength(1);
    expect(forEvents[0].Condition.StringEquals['aws:SourceArn']).toMatch(new RegExp(`:event-bus/${stage.stageName}ApiEventsBus`));
  });

  it('alarms, through the on-call topic, on either dead-letter queue\'s first message, on failed deliveries and on both functions\' errors', () => {
    const alarms = Object.values(Template.fromStack(stage.monitoring).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const byName = (alarmName: string) => alarms.find((a) => a.AlarmName === `payments-${name}-${alarmName}`);
    for (const queue of delivery.deadLetterQueues) {
      expect(stage.api.deadLetterQueues).toContain(queue);
      const alarm = byName(`DeadLetterQueueNotEmpty-${queue.node.id}`);
      expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(JSON.stringify(alarm?.Dimensions)).toContain(logicalId(stage.api, queue));
    }
    expect(byName('WebhookDeliveriesFailed')).toMatchObject({
      Namespace: 'Payments',
      MetricName: 'WebhookDeliveryFailed',
      Dimensions: [{ Name: 'service', Value: 'payments' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
    // The metric the deliverer emits, in the namespace and service its environment names.
    expect(readFileSync(path.join(projectRoot, 'functions/handlers/webhooks-deliver.ts'), 'utf8')).toContain('addMetric(businessMetric.webhookDeliveryFailed');
    expect(businessMetric.webhookDeliveryFailed).toBe('WebhookDeliveryFailed');
    expect(variables(delivery.deliverer)).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'Payments', POWERTOOLS_SERVICE_NAME: 'payments' });
    for (const fn of delivery.functions) {
      expect(byName(`FunctionErrors-${fn.node.id}`)).toBeDefined();
      expect(byName(`FunctionThrottles-${fn.node.id}`)).toBeDefined();
    }
  });

  it('lets only webhook_endpoints.create and rotate_secret seal webhook secrets, and only the deliverer open them', () => {
    const forSecrets = (s: Statement) => s.Condition?.StringEquals?.['kms:EncryptionContext:purpose'] === 'webhook_secret';
    expect(whoCan((s) => forSecrets(s) && actionsOf(s).some((a) => a === 'kms:GenerateDataKey' || a === 'kms:Encrypt'))).toEqual(
      ['webhook_endpoints.create', 'webhook_endpoints.rotate_secret'],
    );
    expect(whoCan((s) => forSecrets(s) && actionsOf(s).includes('kms:Decrypt'))).toEqual(['deliverer']);
    // Each such statement is bound to one endpoint (endpoint_id present) and to the key, never to a merchant's token.
    for (const name of ['webhook_endpoints.create', 'webhook_endpoints.rotate_secret', 'deliverer']) {
      const statements = roleStatements(api, env.functions.get(name)!).filter(forSecrets);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatchObject({
        Resource: stage.api.resolve(stage.stateful.key.keyArn),
        Condition: { Null: { 'kms:EncryptionContext:endpoint_id': 'false' } },
      });
    }
    // Neither event function may use the key for merchants' provider tokens.
    for (const fn of delivery.functions) expect(JSON.stringify(roleStatements(api, fn))).not.toContain('provider_access_token');
  });

  it('lets only events.redeliver, the publisher and the deliverer queue delivery attempts, and only the deliverer consume them', () => {
    // CDK merges statements with the same actions: one may name several queues.
    const onQueue = (s: Statement) => [s.Resource].flat().some((r) => JSON.stringify(r) === JSON.stringify(queueArn));
    expect(whoCan((s) => onQueue(s) && actionsOf(s).includes('sqs:SendMessage'))).toEqual(['deliverer', 'events.redeliver', 'publisher']);
    expect(whoCan((s) => onQueue(s) && actionsOf(s).includes('sqs:ReceiveMessage'))).toEqual(['deliverer']);
    const viaSqsFor = (s: Statement) => JSON.stringify(s.Condition?.StringEquals?.['kms:EncryptionContext:aws:sqs:arn']) === JSON.stringify(queueArn);
    expect(whoCan((s) => viaSqsFor(s) && actionsOf(s).includes('kms:GenerateDataKey'))).toEqual(['deliverer', 'events.redeliver', 'publisher']);
    // The publisher alone puts events on the bus, and only on this one.
    const busArn = { 'Fn::GetAtt': [logicalId(stage.api, delivery.bus), 'Arn'] };
    expect(whoCan((s) => actionsOf(s).some((a) => a.startsWith('events:')))).toEqual(['publisher']);
    expect(roleStatements(api, delivery.publisher).filter((s) => actionsOf(s).includes('events:PutEvents'))).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn },
    ]);
  });

  it('gives each function that reaches the queue, the bus or webhook secrets the variable naming it, and the settings every function gets', () => {
    const queueUrl = { Ref: logicalId(stage.api, delivery.deliveryQueue) };
    const keyArn = stage.api.resolve(stage.stateful.key.keyArn);
    // Read from the handlers' code: which composition-root functions of functions/wiring/events.ts each one calls.
    const needs = (handler: string) => {
      const source = readFileSync(path.join(projectRoot, 'functions/handlers', `${handler}.ts`), 'utf8');
      const calls = (name: string) => source.includes(`${name}(`);
      return {
        WEBHOOK_QUEUE_URL: calls('deliveryQueue') || calls('publishDeps') || calls('deliverDeps'),
        EVENT_BUS_NAME: calls('publishDeps'),
        TOKEN_KMS_KEY_ARN: calls('webhookEndpointDeps') || calls('deliverDeps'),
      };
    };
    const checked: string[] = [];
    for (const [fnName, fn] of env.functions) {
      const vars = variables(fn);
      const need = needs(fn.handlerName);
      if (need.WEBHOOK_QUEUE_URL) expect([fnName, vars.WEBHOOK_QUEUE_URL]).toEqual([fnName, queueUrl]);
      else expect([fnName, vars.WEBHOOK_QUEUE_URL]).toEqual([fnName, undefined]);
      if (need.EVENT_BUS_NAME) expect([fnName, vars.EVENT_BUS_NAME]).toEqual([fnName, { Ref: logicalId(stage.api, delivery.bus) }]);
      else expect([fnName, vars.EVENT_BUS_NAME]).toEqual([fnName, undefined]);
      if (need.TOKEN_KMS_KEY_ARN) expect([fnName, vars.TOKEN_KMS_KEY_ARN]).toEqual([fnName, keyArn]);
      if (Object.values(need).some(Boolean)) checked.push(fnName);
    }
    expect(checked.sort()).toEqual(['deliverer', 'events.redeliver', 'publisher', 'webhook_endpoints.create', 'webhook_endpoints.rotate_secret']);
    // The event functions run with the same settings as the routes (runtime, issuer, log level...).
    const route = fnResource(stage.api.routeFunctions.get((routes as readonly RouteDefinition[])[0]!.id)!);
    for (const fn of delivery.functions) {
      const { Environment, VpcConfig } = fnResource(fn).Properties;
      for (const variable of ['PAYMENTS_RUNTIME', 'LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS']) {
        expect(Environment.Variables[variable]).toEqual(route.Properties.Environment.Variables[variable]);
      }
      expect(Environment.Variables.PAYMENTS_TABLE_NAME).toEqual(stage.api.resolve(stage.stateful.tables[paymentsTable.id]!.tableName));
      // In the VPC where isolation is on, like every other function.
      expect(VpcConfig).toEqual(route.Properties.VpcConfig);
    }
  });
});
