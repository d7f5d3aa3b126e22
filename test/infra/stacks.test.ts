// Assertions on the synthesized templates for what matters most. The app is
// built once (bundling skipped) and both environments are checked.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { queueConsumers, routes, routeUses, scheduledJobs, type RouteDefinition, type RouteUse } from '#functions/routes.ts';
import { ipnQueueSettings } from '#functions/adapters/queue/ipn-queue-settings.ts';
import { ipnRouteSecretRotationDays } from '#functions/domain/ipn-route-secret-rotation.ts';
import { tableDefinitions } from '#functions/adapters/dynamodb/table-definitions.ts';
import { isUnauthenticated } from '#lib/api-stack.ts';
import { projectRoot } from '#lib/constructs/payments-function.ts';
import type { PaymentsFunction } from '#lib/constructs/payments-function.ts';
import { ipnQueueOldestMessageAlarmSeconds, reconcileMetrics, runbooks } from '#lib/monitoring-stack.ts';
import { buildTestApp } from './test-app.ts';
import { actionsOf, roleStatements, type Statement } from './iam.ts';

const { stages } = buildTestApp();
type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string[] }>;

/** Our functions; CDK's own custom-resource provider (closing the VPC's default security group) is not one. */
function paymentsFunctions(template: Template) {
  return Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
}

const environments = stages.map((stage) => {
  const stateful = Template.fromStack(stage.stateful);
  const api = Template.fromStack(stage.api);
  const monitoring = Template.fromStack(stage.monitoring);
  return { name: stage.stageName, stage, stateful, api, monitoring };
});

const allRoutes = routes as readonly RouteDefinition[];

/** A resource's properties without the cost-allocation tags every taggable resource carries (tested on their own). */
function withoutTags(properties: Record<string, unknown> | undefined): Record<string, unknown> {
  const { Tags: _tags, ...rest } = properties ?? {};
  return rest;
}

function logicalIdOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** Every IAM statement in a template: managed, inline (Policy) and role inline policies. */
function iamStatements(template: Template): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const resources = template.toJSON().Resources as Resources;
  return Object.values(resources).flatMap((resource) => {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') return props.PolicyDocument.Statement;
    if (resource.Type === 'AWS::IAM::Role') return (props.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
    return [];
  });
}

/**
 * What a function can touch, read back from its IAM statements in the route table's
 * vocabulary, so that it can be compared with the route's `uses`.
 */
function usesGranted(statements: Statement[]): string[] {
  const granted = new Set<string>();
  for (const statement of statements) {
    const actions = actionsOf(statement);
    // CDK merges statements with the same actions, so one may name several tables.
    for (const resource of [statement.Resource].flat().map((r) => JSON.stringify(r))) {
      if (resource.includes('AuditTable') && actions.some((action) => action.startsWith('dynamodb:'))) {
        const onlyPut = actions.length === 1 && actions[0] === 'dynamodb:PutItem';
        const reads = actions.includes('dynamodb:Query') && !actions.some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a));
        granted.add(onlyPut ? 'audit:write' : reads ? 'audit:read' : `audit table: ${actions.join(',')}`);
      } else if (actions.includes('dynamodb:GetItem')) {
        const writes = actions.includes('dynamodb:PutItem');
        if (resource.includes('PaymentsTable')) granted.add(writes ? 'payments:read-write' : 'payments:read');
        else if (resource.includes('IdempotencyTable')) granted.add(writes ? 'idempotency' : 'idempotency (read only)');
        else granted.add(`dynamodb on ${resource}`);
      } else if (actions.some((action) => action.startsWith('dynamodb:'))) {
        granted.add(`dynamodb without GetItem on ${resource}`);
      }
    }
    const purpose = statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'];
    if (purpose === 'webhook_secret') {
      if (actions.includes('kms:Encrypt') || actions.includes('kms:GenerateDataKey')) granted.add('webhook-secret:seal');
      if (actions.includes('kms:Decrypt')) granted.add('webhook-secret (open)');
    } else if (purpose !== undefined) {
      if (actions.includes('kms:Encrypt') || actions.includes('kms:GenerateDataKey')) granted.add('token-key:encrypt');
      if (actions.includes('kms:Decrypt')) granted.add('token-key:decrypt');
    }
    for (const resource of [statement.Resource].flat().map((r) => JSON.stringify(r))) {
      const queue = resource.includes('IpnQueue') ? 'ipn-queue' : resource.includes('WebhookDeliveryQueue') ? 'webhook-queue' : undefined;
      if (actions.includes('sqs:SendMessage')) granted.add(queue ? `${queue}:send` : `sqs:SendMessage on ${resource}`);
      if (actions.includes('sqs:ReceiveMessage')) granted.add(queue ? `${queue} (consume)` : `sqs:ReceiveMessage on ${resource}`);
      if (actions.some((action) => /^sqs:(Purge|Delete(Queue)?$|Set|Create|Tag|Add|Remove|StartMessageMoveTask)/.test(action) && action !== 'sqs:DeleteMessage')) {
        granted.add(`sqs administration on ${resource}`);
      }
    }
    // The key through SQS: a producer generates data keys, a consumer only decrypts; anything else is extra.
    const viaSqs = String(statement.Condition?.StringEquals?.['kms:ViaService'] ?? '').startsWith('sqs.');
    if (viaSqs) {
      const queueContext = JSON.stringify(statement.Condition?.StringEquals?.['kms:EncryptionContext:aws:sqs:arn'] ?? 'none');
      const queue = queueContext.includes('IpnQueue') ? 'ipn-queue' : queueContext.includes('WebhookDeliveryQueue') ? 'webhook-queue' : undefined;
      if (!queue) granted.add(`kms via sqs for ${queueContext}`);
      else if (actions.includes('kms:GenerateDataKey')) granted.add(`${queue}:send (key)`);
      else granted.add(`${queue} (consume key)`);
    }
    if (actions.includes('secretsmanager:GetSecretValue')) granted.add('platform-secret');
    if (actions.some((action) => /^secretsmanager:(Put|Update|Delete|Create|Restore|Rotate)/.test(action))) granted.add('platform-secret (write)');
  }
  return [...granted].sort();
}

/** The variables grants set, by what they name. */
const grantVariables = ['PAYMENTS_TABLE_NAME', 'IDEMPOTENCY_TABLE_NAME', 'AUDIT_TABLE_NAME', 'TOKEN_KMS_KEY_ARN', 'PLATFORM_SECRET_ID', 'IPN_QUEUE_URL', 'WEBHOOK_QUEUE_URL'] as const;

function variablesFor(uses: readonly RouteUse[]): string[] {
  return grantVariables.filter((variable) =>
    ({
      PAYMENTS_TABLE_NAME: uses.some((use) => use.startsWith('payments:')),
      IDEMPOTENCY_TABLE_NAME: uses.includes('idempotency'),
      AUDIT_TABLE_NAME: uses.some((use) => use.startsWith('audit:')),
      TOKEN_KMS_KEY_ARN: uses.some((use) => use.startsWith('token-key:') || use === 'webhook-secret:seal'),
      PLATFORM_SECRET_ID: uses.includes('platform-secret'),
      IPN_QUEUE_URL: uses.includes('ipn-queue:send'),
      WEBHOOK_QUEUE_URL: uses.includes('webhook-queue:send'),
    })[variable],
  );
}

/** `uses` as usesGranted reads them back: sending to a (KMS-encrypted) queue comes with its key statement. */
function expectedGrants(uses: readonly RouteUse[], extra: string[] = []): string[] {
  const keys = (['ipn-queue:send', 'webhook-queue:send'] as const).filter((use) => uses.includes(use)).map((use) => `${use} (key)`);
  return [...uses, ...keys, ...extra].sort();
}

describe('route table uses', () => {
  it.each(allRoutes.map((route) => [route.id, route] as const))('%s lists known uses, each once, never read beside read-write', (_id, route) => {
    expect(Array.isArray(route.uses)).toBe(true);
    for (const use of route.uses) expect(routeUses).toContain(use);
    expect(new Set(route.uses).size).toBe(route.uses.length);
    expect(route.uses.includes('payments:read') && route.uses.includes('payments:read-write')).toBe(false);
  });
});

describe.each(environments.map((env) => [env.name, env] as const))('%s environment', (name, env) => {
  describe('stateful stack', () => {
    it('has termination protection', () => {
      expect(env.stage.stateful.terminationProtection).toBe(true);
    });

    it('rotates the customer-managed key', () => {
      env.stateful.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('references nothing in the API stack (queue grants live in IAM policies, not in the key policy)', () => {
      expect(JSON.stringify(env.stateful.toJSON())).not.toContain('Fn::ImportValue');
    });

    it('gives the key policy no wildcard action', () => {
      const key = Object.values(env.stateful.findResources('AWS::KMS::Key'))[0]!;
      const actions = key.Properties.KeyPolicy.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
      expect(actions).not.toContain('kms:*');
      expect(actions).not.toContain('*');
    });

    it.each(tableDefinitions.map((t) => [t.id, t] as const))(
      'builds the %s table from its declaration: on demand, KMS, PITR, deletion protection, TTL',
      (_id, definition) => {
        env.stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: Match.arrayWith([{ AttributeName: definition.partitionKey.name, KeyType: 'HASH' }]),
          TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
              SSESpecification: { KMSMasterKeyId: Match.anyValue() },
            }),
          ],
          ...(definition.stream
            ? { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } }
            : { StreamSpecification: Match.absent() }),
          GlobalSecondaryIndexes: definition.globalSecondaryIndexes.length
            ? definition.globalSecondaryIndexes.map((i) => Match.objectLike({ IndexName: i.indexName }))
            : Match.absent(),
        });
      },
    );

    it('keeps a multi-region, validated, KMS-encrypted trail for 365 days in CloudWatch Logs and S3', () => {
      const logGroupId = Object.entries(env.stateful.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 } }))
        .map(([id]) => id)
        .find((id) => id.startsWith('TrailLogs'))!;
      expect(logGroupId).toBeDefined();
      env.stateful.hasResourceProperties('AWS::CloudTrail::Trail', {
        IsMultiRegionTrail: true,
        EnableLogFileValidation: true,
        IncludeGlobalServiceEvents: true,
        KMSKeyId: Match.anyValue(),
        CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      });
      env.stateful.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
      const trail = Object.values(env.stateful.findResources('AWS::CloudTrail::Trail'))[0]!;
      const bucketId = trail.Properties.S3BucketName.Ref as string;
      const bucket = env.stateful.toJSON().Resources[bucketId];
      expect(bucket.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: expect.anything() },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365 })] },
      });
    });

    it('denies non-TLS access to every bucket', () => {
      const policies = Object.values(env.stateful.findResources('AWS::S3::BucketPolicy'));
      expect(policies.length).toBe(Object.keys(env.stateful.findResources('AWS::S3::Bucket')).length);
      for (const policy of policies) {
        expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
    });

    it('encrypts the platform secret with the customer-managed key', () => {
      env.stateful.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.anyValue() });
    });

    it('creates one Cognito group per role and requires MFA', () => {
      env.stateful.resourceCountIs('AWS::Cognito::UserPoolGroup', 3);
      env.stateful.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
    });
  });

  describe('API stack', () => {
    it('associates the WAF web ACL, with the managed rule groups and a per-IP rate rule, to the stage', () => {
      const aclId = logicalIdOf(env.api, 'AWS::WAFv2::WebACL');
      const stageId = logicalIdOf(env.api, 'AWS::ApiGateway::Stage');
      const stage = env.api.toJSON().Resources[stageId];
      env.api.hasResource('AWS::WAFv2::WebACLAssociation', {
        Properties: {
          WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
          ResourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`/stages/${stage.Properties.StageName}`])] }),
        },
        DependsOn: Match.arrayWith([stageId]),
      });
      const acl = env.api.toJSON().Resources[aclId];
      const managed = acl.Properties.Rules.flatMap((rule: any) => rule.Statement.ManagedRuleGroupStatement?.Name ?? []);
      expect(managed.sort()).toEqual([
        'AWSManagedRulesAmazonIpReputationList',
        'AWSManagedRulesAnonymousIpList',
        'AWSManagedRulesBotControlRuleSet',
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesSQLiRuleSet',
      ]);
      expect(acl.Properties.Rules).toContainEqual(
        expect.objectContaining({ Statement: { RateBasedStatement: expect.objectContaining({ AggregateKeyType: 'IP' }) } }),
      );
    });

    it('logs WAF to a log group kept 365 days', () => {
      env.api.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { LogDestinationConfigs: [Match.anyValue()] });
      env.api.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'),
        RetentionInDays: 365,
        KmsKeyId: Match.anyValue(),
      });
    });

    it('serves TLS 1.2 or newer only, with JSON access logs, execution logs at ERROR, X-Ray and throttling', () => {
      env.api.hasResourceProperties('AWS::ApiGateway::RestApi', {
        SecurityPolicy: Match.stringLikeRegexp('TLS13_1_2'),
        EndpointAccessMode: 'STRICT',
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
      env.api.hasResourceProperties('AWS::ApiGateway::Stage', {
        TracingEnabled: true,
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
        MethodSettings: [
          Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
        ],
      });
    });

    it('requires the authorizer on every method except health, openapi, the IPN callback and static MOCK answers', () => {
      const methods = Object.values(env.api.findResources('AWS::ApiGateway::Method'));
      const unauthenticatedRoutes = allRoutes.filter(isUnauthenticated).length;
      const open = methods.filter((m) => m.Properties.AuthorizationType === 'NONE');
      const openWithCode = open.filter((m) => m.Properties.Integration.Type !== 'MOCK');
      expect(openWithCode).toHaveLength(unauthenticatedRoutes);
      for (const method of openWithCode) expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
      const protectedRoutes = allRoutes.length - unauthenticatedRoutes;
      const authorized = methods.filter((m) => m.Properties.AuthorizationType === 'CUSTOM' && m.Properties.AuthorizerId);
      expect(authorized).toHaveLength(protectedRoutes);
      expect(methods.length).toBe(open.length + authorized.length);
    });

    it('invokes the authorizer for every request: no identity sources and no cache', () => {
      env.api.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'REQUEST',
        AuthorizerResultTtlInSeconds: 0,
        IdentitySource: Match.absent(),
      });
    });

    it('answers an authorizer Deny with 401 and the code and message from its context', () => {
      env.api.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'ACCESS_DENIED',
        StatusCode: '401',
        ResponseTemplates: {
          'application/json':
            '{"error":{"type":"authentication_error","code":"$context.authorizer.code","message":"$context.authorizer.message","request_id":"req_$context.requestId"}}',
        },
        ResponseParameters: Match.objectLike({
          'gatewayresponse.header.Strict-Transport-Security': "'max-age=63072000; includeSubDomains'",
          'gatewayresponse.header.Cache-Control': "'no-store'",
          'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        }),
      });
      env.api.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '404' });
    });

    it('creates one function per route plus the authorizer, each on arm64, Node 24, traced, with its own encrypted log group', () => {
      const functions = paymentsFunctions(env.api);
      // + the authorizer, and the events publisher and webhook deliverer (test/infra/event-delivery-stack.test.ts).
      expect(functions).toHaveLength(allRoutes.length + queueConsumers.length + scheduledJobs.length + 1 + env.stage.api.eventDelivery.functions.length);
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Architectures: ['arm64'],
          Runtime: 'nodejs24.x',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        });
        const logGroup = env.api.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
        expect(logGroup.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: expect.anything() });
      }
    });

    it('attaches no AWS managed policy to any role but CDK\'s own custom-resource provider', () => {
      const resources = { ...env.api.toJSON().Resources, ...env.stateful.toJSON().Resources } as Resources;
      const roles = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
      const withManaged = roles.filter(([, role]) => role.Properties?.ManagedPolicyArns).map(([id]) => id);
      // CustomVpcRestrictDefaultSG...: the provider CDK uses to strip the default security group's rules.
      expect(withManaged.filter((id) => !id.startsWith('CustomVpcRestrictDefaultSGCustomResourceProvider'))).toEqual([]);
    });

    it('grants no service-wide wildcard on tables, the key or the secret', () => {
      const statements = [...iamStatements(env.api), ...iamStatements(env.stateful), ...iamStatements(env.monitoring)];
      expect(statements.length).toBeGreaterThan(0);
      const wildcard = statements.filter((s) =>
        [s.Action].flat().some((action) => action === '*' || /^(dynamodb|kms|secretsmanager):\*$/.test(action)),
      );
      expect(wildcard).toEqual([]);
    });

    it('puts functions in private subnets behind VPC endpoints only where isolation is on', () => {
      const functions = paymentsFunctions(env.api);
      const inVpc = functions.filter((fn) => fn.Properties.VpcConfig);
      if (env.stage.api.node.tryFindChild('Network')) {
        expect(inVpc).toHaveLength(functions.length);
        const endpoints = Object.values(env.api.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
        for (const service of ['dynamodb', 'kms', 'secretsmanager', 'sqs', 'logs', 'events']) {
          expect(endpoints.some((e) => e.includes(`.${service}`))).toBe(true);
        }
      } else {
        expect(inVpc).toHaveLength(0);
      }
    });
  });

  describe('route grants', () => {
    it.each(allRoutes.map((route) => [route.id, route] as const))(
      'grants the %s function exactly what its route uses, no more and no less, with the variables naming it',
      (id, route) => {
        const fn = env.stage.api.routeFunctions.get(id)!;
        expect(fn).toBeDefined();
        expect(usesGranted(roleStatements(env.api, fn))).toEqual(expectedGrants(route.uses));

        const functionId = env.stage.api.getLogicalId(fn.function.node.defaultChild as CfnElement);
        const variables = Object.keys(env.api.toJSON().Resources[functionId].Properties.Environment.Variables as Record<string, unknown>);
        expect(variables.filter((v) => (grantVariables as readonly string[]).includes(v)).sort()).toEqual(variablesFor(route.uses).sort());
      },
    );

    it('gives a route that uses nothing no table, key or secret statement at all', () => {
      const nothing = allRoutes.filter((route) => route.uses.length === 0);
      expect(nothing.length).toBeGreaterThan(0);
      for (const route of nothing) {
        const statements = roleStatements(env.api, env.stage.api.routeFunctions.get(route.id)!);
        expect(statements.flatMap(actionsOf).filter((action) => /^(dynamodb|kms|secretsmanager):/.test(action))).toEqual([]);
      }
    });
  });

  describe('IPN queue', () => {
    const resources = () => env.api.toJSON().Resources as Resources;
    const queueId = () => env.stage.api.getLogicalId(env.stage.api.ipnQueue.node.defaultChild as CfnElement);
    const deadLettersId = () => env.stage.api.getLogicalId(env.stage.api.ipnDeadLetterQueue.node.defaultChild as CfnElement);
    const keyArn = () => env.stage.api.resolve(env.stage.stateful.key.keyArn);
    const queueArn = () => ({ 'Fn::GetAtt': [queueId(), 'Arn'] });

    it('builds the queue and its dead-letter queue from ipnQueueSettings, encrypted with the customer-managed key', () => {
      expect(withoutTags(resources()[queueId()]!.Properties)).toEqual({
        KmsMasterKeyId: keyArn(),
        VisibilityTimeout: ipnQueueSettings.visibilityTimeoutSeconds,
        MessageRetentionPeriod: 4 * 86_400,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLettersId(), 'Arn'] }, maxReceiveCount: ipnQueueSettings.maxReceiveCount },
      });
      expect(withoutTags(resources()[deadLettersId()]!.Properties)).toEqual({
        KmsMasterKeyId: keyArn(),
        MessageRetentionPeriod: ipnQueueSettings.deadLetterRetentionDays * 86_400,
      });
      // A dead-lettered message keeps its first enqueue time: the dead-letter queue must keep it longer.
      expect(ipnQueueSettings.deadLetterRetentionDays).toBeGreaterThan(4);
    });

    it('denies every request to either queue that is not over TLS', () => {
      for (const id of [queueId(), deadLettersId()]) {
        env.api.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: { 'Fn::GetAtt': [id, 'Arn'] } }),
            ]),
          },
        });
      }
    });

    it('lets the IPN receiver send to the queue only, and use the key only through SQS for this queue, with IPN_QUEUE_URL naming it', () => {
      const receiver = env.stage.api.routeFunctions.get('ipn.wepay')!;
      const statements = roleStatements(env.api, receiver);
      expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))).toEqual([
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn() },
      ]);
      expect(statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('sqs.'))).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: keyArn(),
          Condition: { StringEquals: { 'kms:ViaService': `sqs.${env.stage.region}.amazonaws.com`, 'kms:EncryptionContext:aws:sqs:arn': queueArn() } },
        },
      ]);
      const functionId = env.stage.api.getLogicalId(receiver.function.node.defaultChild as CfnElement);
      expect(resources()[functionId]!.Properties!.Environment.Variables.IPN_QUEUE_URL).toEqual({ Ref: queueId() });
    });

    it('gives no function but the IPN receiver a way to send to the queue', () => {
      const functions = [...env.stage.api.routeFunctions, ...env.stage.api.queueConsumerFunctions, ...env.stage.api.eventDelivery.functions.map((fn) => [fn.node.id, fn] as const)];
      const senders = functions
        .filter(([, fn]) => roleStatements(env.api, fn).some((s) => actionsOf(s).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes('IpnQueue')))
        .map(([id]) => id);
      expect(senders).toEqual(allRoutes.filter((route) => (route.uses as readonly RouteUse[]).includes('ipn-queue:send')).map((route) => route.id));
    });
  });

  describe('queue consumers', () => {
    it.each(queueConsumers.map((consumer) => [consumer.id, consumer] as const))(
      '%s runs its handler with a timeout a sixth of its queue\'s visibility timeout',
      (id, consumer) => {
        const fn = env.stage.api.queueConsumerFunctions.get(id)!;
        expect(fn.handlerName).toBe(consumer.handler);
        const functionId = env.stage.api.getLogicalId(fn.function.node.defaultChild as CfnElement);
        const timeout = env.api.toJSON().Resources[functionId].Properties.Timeout as number;
        expect(timeout).toBe(30);
        // AWS: a queue feeding Lambda gets a visibility timeout of at least six times the function's timeout.
        const queueId = env.stage.api.getLogicalId(env.stage.api.ipnQueue.node.defaultChild as CfnElement);
        expect(env.api.toJSON().Resources[queueId].Properties.VisibilityTimeout).toBe(6 * timeout);
      },
    );

    it.each(queueConsumers.map((consumer) => [consumer.id, consumer] as const))(
      '%s is fed by one event source mapping: its queue, batches from ipnQueueSettings, partial batch responses, at most its reserved concurrency',
      (id) => {
        const fn = env.stage.api.queueConsumerFunctions.get(id)!;
        const functionId = env.stage.api.getLogicalId(fn.function.node.defaultChild as CfnElement);
        const mappings = Object.values(env.api.findResources('AWS::Lambda::EventSourceMapping')).filter(
          (mapping) => JSON.stringify(mapping.Properties.FunctionName) === JSON.stringify({ Ref: functionId }),
        );
        expect(mappings).toHaveLength(1);
        const reserved = env.api.toJSON().Resources[functionId].Properties.ReservedConcurrentExecutions as number;
        expect(withoutTags(mappings[0]!.Properties)).toEqual({
          FunctionName: { Ref: functionId },
          EventSourceArn: { 'Fn::GetAtt': [env.stage.api.getLogicalId(env.stage.api.ipnQueue.node.defaultChild as CfnElement), 'Arn'] },
          BatchSize: ipnQueueSettings.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: reserved },
        });
      },
    );

    it.each(queueConsumers.map((consumer) => [consumer.id, consumer] as const))(
      'grants %s exactly its uses, the poller\'s three calls on its queue and the key through SQS for that queue, nothing else',
      (id, consumer) => {
        const fn = env.stage.api.queueConsumerFunctions.get(id)!;
        const statements = roleStatements(env.api, fn);
        expect(usesGranted(statements)).toEqual(expectedGrants(consumer.uses, ['ipn-queue (consume)', 'ipn-queue (consume key)']));
        const queueArn = { 'Fn::GetAtt': [env.stage.api.getLogicalId(env.stage.api.ipnQueue.node.defaultChild as CfnElement), 'Arn'] };
        const queueStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
        expect(queueStatements).toEqual([
          { Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'], Resource: queueArn },
        ]);
        const queueKeyStatements = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('sqs.'));
        expect(queueKeyStatements).toEqual([
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: env.stage.api.resolve(env.stage.stateful.key.keyArn),
            Condition: { StringEquals: { 'kms:ViaService': `sqs.${env.stage.region}.amazonaws.com`, 'kms:EncryptionContext:aws:sqs:arn': queueArn } },
          },
        ]);
        // Beyond its uses and its queue: its log group, X-Ray, and in the VPC its network interfaces.
        const others = statements
          .filter((s) => !queueStatements.includes(s) && !queueKeyStatements.includes(s))
          .flatMap(actionsOf)
          .filter((action) => !/^(dynamodb|kms):/.test(action));
        const network = env.stage.api.node.tryFindChild('Network') ? ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:UnassignPrivateIpAddresses'] : [];
        expect(others.sort()).toEqual([...network, 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort());

        const functionId = env.stage.api.getLogicalId(fn.function.node.defaultChild as CfnElement);
        const variables = Object.keys(env.api.toJSON().Resources[functionId].Properties.Environment.Variables as Record<string, unknown>);
        expect(variables.filter((v) => (grantVariables as readonly string[]).includes(v)).sort()).toEqual(variablesFor(consumer.uses).sort());
      },
    );
  });

  describe('scheduled jobs', () => {
    const functionIdOf = (fn: PaymentsFunction) => env.stage.api.getLogicalId(fn.function.node.defaultChild as CfnElement);

    it.each(scheduledJobs.map((job) => [job.id, job] as const))(
      'grants %s exactly its uses, with the variables naming them, and runs its handler',
      (id, job) => {
        const fn = env.stage.api.scheduledJobFunctions.get(id)!;
        expect(fn.handlerName).toBe(job.handler);
        // Beside its uses: sending failed invocations to its own dead-letter queue (Lambda does it with the role).
        const deadLetters = { 'Fn::GetAtt': [env.stage.api.getLogicalId(fn.deadLetterQueue!.node.defaultChild as CfnElement), 'Arn'] };
        expect(usesGranted(roleStatements(env.api, fn))).toEqual(expectedGrants(job.uses, [`sqs:SendMessage on ${JSON.stringify(deadLetters)}`]));
        const variables = Object.keys(env.api.toJSON().Resources[functionIdOf(fn)].Properties.Environment.Variables as Record<string, unknown>);
        expect(variables.filter((v) => (grantVariables as readonly string[]).includes(v)).sort()).toEqual(variablesFor(job.uses).sort());
      },
    );

    it.each(scheduledJobs.map((job) => [job.id, job] as const))(
      'invokes %s from an EventBridge rule at its rate, with a dead-letter queue for failed invocations',
      (id, job) => {
        const fn = env.stage.api.scheduledJobFunctions.get(id)!;
        const rules = Object.values(env.api.findResources('AWS::Events::Rule')).filter((rule) =>
          JSON.stringify(rule.Properties.Targets).includes(functionIdOf(fn)),
        );
        expect(rules).toHaveLength(1);
        expect(rules[0]!.Properties).toMatchObject({
          ScheduleExpression: `rate(${job.rateMinutes} minutes)`,
          State: 'ENABLED',
          Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [functionIdOf(fn), 'Arn'] } })],
        });
        const properties = env.api.toJSON().Resources[functionIdOf(fn)].Properties;
        expect(properties.DeadLetterConfig).toEqual({ TargetArn: expect.anything() });
        expect(properties.Timeout).toBe(Math.min(job.rateMinutes, 15) * 60);
        env.api.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [functionIdOf(fn), 'Arn'] },
        });
      },
    );
  });

  describe('platform secret rotation', () => {
    const rotation = env.stage.stateful.platformSecretRotation;
    const secretId = () => logicalIdOf(env.stateful, 'AWS::SecretsManager::Secret');
    const rotationFunctionId = () => env.stage.stateful.getLogicalId(rotation.function.node.defaultChild as CfnElement);
    const keyId = () => logicalIdOf(env.stateful, 'AWS::KMS::Key');

    it(`rotates the platform secret every ${ipnRouteSecretRotationDays} days with the rotation function, not at creation`, () => {
      env.stateful.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
      env.stateful.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        SecretId: { Ref: secretId() },
        RotationLambdaARN: { 'Fn::GetAtt': [rotationFunctionId(), 'Arn'] },
        RotationRules: { ScheduleExpression: `rate(${ipnRouteSecretRotationDays} days)` },
        RotateImmediatelyOnUpdate: false,
      });
      expect(rotation.handlerName).toBe('rotate-ipn-route-secret');
    });

    it('lets only Secrets Manager invoke the rotation function, for this secret and this account, before the schedule exists', () => {
      const permissions = Object.entries(env.stateful.findResources('AWS::Lambda::Permission')).filter(
        ([, permission]) => JSON.stringify(permission.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [rotationFunctionId(), 'Arn'] }),
      );
      expect(permissions).toHaveLength(1);
      const [permissionId, permission] = permissions[0]!;
      expect(permission.Properties).toEqual({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [rotationFunctionId(), 'Arn'] },
        Principal: 'secretsmanager.amazonaws.com',
        SourceArn: { Ref: secretId() },
        SourceAccount: env.stage.account,
      });
      const schedule = Object.values(env.stateful.findResources('AWS::SecretsManager::RotationSchedule'))[0]!;
      expect(schedule.DependsOn).toEqual(expect.arrayContaining([permissionId]));
    });

    it('grants the rotation function this secret\'s rotation calls and the key only through Secrets Manager for this secret', () => {
      const statements = roleStatements(env.stateful, rotation);
      const secretStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
          Resource: { Ref: secretId() },
        }),
      ]);
      // Its audit record of a finished rotation: PutItem on the audit table, the key through DynamoDB (test/infra/audit.test.ts).
      const auditStatements = statements.filter(
        (s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')) || String(s.Condition?.StringEquals?.['kms:ViaService'] ?? '').startsWith('dynamodb.'),
      );
      expect(usesGranted(auditStatements)).toEqual(['audit:write']);
      const keyStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')) && !auditStatements.includes(s));
      expect(keyStatements).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: { 'Fn::GetAtt': [keyId(), 'Arn'] },
          Condition: {
            StringEquals: {
              'kms:ViaService': `secretsmanager.${env.stage.region}.amazonaws.com`,
              'kms:EncryptionContext:SecretARN': { Ref: secretId() },
            },
          },
        },
      ]);
      // Beyond those: its own log group and X-Ray, which has no resource-level permissions.
      const others = statements.filter((s) => !secretStatements.includes(s) && !keyStatements.includes(s) && !auditStatements.includes(s));
      expect(others.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      for (const statement of others.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')))) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [env.stage.stateful.getLogicalId(rotation.logGroup.node.defaultChild as CfnElement), 'Arn'] });
      }
    });

    it('gives no other function a way to write the platform secret', () => {
      const writers = [...env.stage.api.routeFunctions.values(), env.stage.api.authorizerFunction].filter((fn) =>
        roleStatements(env.api, fn).flatMap(actionsOf).some((action) => /^secretsmanager:(Put|Update)/.test(action)),
      );
      expect(writers).toEqual([]);
    });
  });

  describe('monitoring stack', () => {
    it('encrypts the on-call topic and allows only TLS publishers', () => {
      env.monitoring.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      env.monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('alarms on errors and throttles of every function', () => {
      const alarms = Object.values(env.monitoring.findResources('AWS::CloudWatch::Alarm'));
      const names = alarms.map((a) => a.Properties.AlarmName as string);
      for (const route of allRoutes) {
        expect(names).toContain(`payments-${name}-FunctionErrors-Route-${route.id}`);
        expect(names).toContain(`payments-${name}-FunctionThrottles-Route-${route.id}`);
      }
      expect(names).toContain(`payments-${name}-FunctionErrors-Authorizer`);
      expect(names).toContain(`payments-${name}-FunctionErrors-PlatformSecretRotation`);
      expect(names).toContain(`payments-${name}-ApiServerErrorRate`);
      expect(names).toContain(`payments-${name}-ApiLatencyP99`);
      for (const table of tableDefinitions) {
        expect(names.some((n) => n.startsWith(`payments-${name}-DynamoDbThrottles-`) && n.toLowerCase().includes(table.id))).toBe(true);
        expect(names.some((n) => n.startsWith(`payments-${name}-DynamoDbSystemErrors-`) && n.toLowerCase().includes(table.id))).toBe(true);
      }
      expect(names.some((n) => n.startsWith(`payments-${name}-DeadLetterQueueNotEmpty-`))).toBe(true);
      for (const consumer of queueConsumers) {
        expect(names).toContain(`payments-${name}-FunctionErrors-Consumer-${consumer.id}`);
        expect(names).toContain(`payments-${name}-FunctionThrottles-Consumer-${consumer.id}`);
      }
    });

    it('alarms as soon as the IPN dead-letter queue holds a notice', () => {
      const alarm = Object.values(env.monitoring.findResources('AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties.AlarmName === `payments-${name}-DeadLetterQueueNotEmpty-IpnDeadLetters`,
      );
      expect(alarm?.Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
      expect(JSON.stringify(alarm?.Properties.Dimensions)).toContain('IpnDeadLetters');
    });

    it('alarms when the IPN queue\'s oldest notice waits longer than a notice that fails every delivery could', () => {
      const alarm = Object.values(env.monitoring.findResources('AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties.AlarmName === `payments-${name}-IpnQueueOldestMessage`,
      );
      expect(alarm?.Properties).toMatchObject({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: ipnQueueOldestMessageAlarmSeconds,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(JSON.stringify(alarm?.Properties.Dimensions)).toMatch(/IpnQueue(?!.*DeadLetters)/);
      // A failing notice is dead-lettered after maxReceiveCount visibility timeouts: that case is DeadLetterQueueNotEmpty's.
      expect(ipnQueueOldestMessageAlarmSeconds).toBeGreaterThan(ipnQueueSettings.maxReceiveCount * ipnQueueSettings.visibilityTimeoutSeconds);
    });

    it('alarms when a reconciliation pass leaves anything unresolved or fails, on the reconciler\'s own metrics', () => {
      const alarms = Object.values(env.monitoring.findResources('AWS::CloudWatch::Alarm'));
      const byName = (alarmName: string) => alarms.find((a) => a.Properties.AlarmName === `payments-${name}-${alarmName}`)?.Properties;
      const dimensions = [{ Name: 'service', Value: 'payments' }];
      expect(byName('ReconcileUnresolved')).toMatchObject({
        Namespace: reconcileMetrics.namespace,
        MetricName: 'ReconcileUnresolved',
        Dimensions: dimensions,
        Statistic: 'Maximum',
        Period: 900,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
      });
      expect(byName('ReconcileFailed')).toMatchObject({
        Namespace: 'Payments',
        MetricName: 'ReconcileFailed',
        Dimensions: dimensions,
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      // The dimension is the one Powertools adds to every metric: the service name the functions run with.
      const job = env.stage.api.scheduledJobFunctions.get('reconcile.scheduled')!;
      const variables = env.api.toJSON().Resources[env.stage.api.getLogicalId(job.function.node.defaultChild as CfnElement)].Properties.Environment.Variables;
      expect(variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'payments', POWERTOOLS_METRICS_NAMESPACE: reconcileMetrics.namespace });
      for (const job of scheduledJobs) {
        expect(byName(`FunctionErrors-Job-${job.id}`)).toBeDefined();
        expect(byName(`FailedInvocations-Schedule-${job.id}`)).toMatchObject({ Namespace: 'AWS/Events', MetricName: 'FailedInvocations', Threshold: 1 });
      }
    });

    it('sends every alarm to the on-call topic (undelivered pages to the second channel) and names its runbook section, which exists in docs/runbooks.md', () => {
      const topicIdOf = (topic: CfnElement) => env.stage.monitoring.getLogicalId(topic);
      const onCall = topicIdOf(env.stage.monitoring.topic.node.defaultChild as CfnElement);
      const secondChannel = topicIdOf(env.stage.monitoring.undeliveredPagesTopic.node.defaultChild as CfnElement);
      const runbookDoc = readFileSync(path.join(projectRoot, 'docs', 'runbooks.md'), 'utf8');
      const headings = new Set([...runbookDoc.matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1]!.toLowerCase()));
      for (const alarm of Object.values(env.monitoring.findResources('AWS::CloudWatch::Alarm'))) {
        const undelivered = alarm.Properties.AlarmName === `payments-${name}-PagesUndelivered`;
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: undelivered ? secondChannel : onCall }]);
        expect(alarm.Properties.AlarmDescription).toMatch(/Runbook: \S+\/docs\/runbooks\.md#/);
        const anchor = /Runbook: \S+#([a-z0-9-]+)$/.exec(alarm.Properties.AlarmDescription)?.[1];
        expect(Object.values(runbooks).map((r) => r.toLowerCase())).toContain(anchor);
        expect(headings).toContain(anchor);
      }
    });
  });
});
