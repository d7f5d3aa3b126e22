// Assertions on the synthesized templates for what matters most. The app is
// built once (bundling skipped) and both environments are checked.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { tableDefinitions } from '#functions/adapters/dynamodb/table-definitions.ts';
import { isUnauthenticated } from '#lib/api-stack.ts';
import { projectRoot } from '#lib/constructs/payments-function.ts';
import { runbooks } from '#lib/monitoring-stack.ts';
import { buildTestApp } from './test-app.ts';

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

describe.each(environments.map((env) => [env.name, env] as const))('%s environment', (name, env) => {
  describe('stateful stack', () => {
    it('has termination protection', () => {
      expect(env.stage.stateful.terminationProtection).toBe(true);
    });

    it('rotates the customer-managed key', () => {
      env.stateful.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
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
      expect(functions).toHaveLength(allRoutes.length + 1);
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
        for (const service of ['dynamodb', 'kms', 'secretsmanager', 'sqs', 'logs']) {
          expect(endpoints.some((e) => e.includes(`.${service}`))).toBe(true);
        }
      } else {
        expect(inVpc).toHaveLength(0);
      }
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
      expect(names).toContain(`payments-${name}-ApiServerErrorRate`);
      expect(names).toContain(`payments-${name}-ApiLatencyP99`);
      for (const table of tableDefinitions) {
        expect(names.some((n) => n.startsWith(`payments-${name}-DynamoDbThrottles-`) && n.toLowerCase().includes(table.id))).toBe(true);
        expect(names.some((n) => n.startsWith(`payments-${name}-DynamoDbSystemErrors-`) && n.toLowerCase().includes(table.id))).toBe(true);
      }
      expect(names.some((n) => n.startsWith(`payments-${name}-DeadLetterQueueNotEmpty-`))).toBe(true);
    });

    it('sends every alarm to the on-call topic and names its runbook section, which exists in docs/infra.md', () => {
      const topicId = logicalIdOf(env.monitoring, 'AWS::SNS::Topic');
      const runbookDoc = readFileSync(path.join(projectRoot, 'docs', 'infra.md'), 'utf8');
      const headings = new Set([...runbookDoc.matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1]!.toLowerCase()));
      for (const alarm of Object.values(env.monitoring.findResources('AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
        const anchor = /Runbook: \S+#([a-z0-9-]+)$/.exec(alarm.Properties.AlarmDescription)?.[1];
        expect(Object.values(runbooks).map((r) => r.toLowerCase())).toContain(anchor);
        expect(headings).toContain(anchor);
      }
    });
  });
});
