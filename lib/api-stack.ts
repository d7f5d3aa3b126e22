// The stateless front: WAF, the REST API, the authorizer and one function per
// route of functions/routes.ts. Receives the stateful resources as props.
import { Duration, RemovalPolicy, Stack, type StackProps, Validations, ArnFormat } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { idempotencyTable, paymentsTable, type TableDefinition } from '#functions/adapters/dynamodb/table-definitions.ts';
import { ipnQueueSettings } from '#functions/adapters/queue/ipn-queue-settings.ts';
import { queueConsumers, routes, type RouteDefinition, type RouteUse } from '#functions/routes.ts';
import { addGatewayErrorResponses, methodNotAllowedIntegration, methodNotAllowedResponses, unknownPathIntegration } from '#lib/api-error-responses.ts';
import { grantTo, type Grant, type KeyAccess } from '#lib/constructs/grants.ts';
import { logRetention, PaymentsFunction, type NetworkPlacement } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import type { StatefulStack } from '#lib/stateful-stack.ts';

export interface ApiStackProps extends StackProps {
  config: EnvironmentConfig;
  stateful: StatefulStack;
}

/** The queues of this stack, by the name `queueConsumers` entries give (functions/routes.ts). */
export type Queues = Record<(typeof queueConsumers)[number]['queue'], sqs.IQueue>;

/**
 * A queue consumer's timeout. The queue's visibility timeout must be at least six times it (AWS's
 * advice for SQS event sources: Lambda then has time to retry a batch whose invocation was throttled
 * before the messages become visible again): ipnQueueSettings' 180 s gives 30 s, which holds the provider client's budget
 * (3 attempts of 7 s plus backoff) for the slowest notice of a batch, processed in parallel.
 */
export const queueConsumerTimeout = Duration.seconds(ipnQueueSettings.visibilityTimeoutSeconds / 6);

/** The grants a route's `uses` stand for: one per table, key, secret and queue it names. */
export function grantsFor(
  uses: readonly RouteUse[],
  stateful: Pick<StatefulStack, 'tables' | 'key' | 'platformSecret'>,
  queues: Queues,
): Grant[] {
  const table = (definition: TableDefinition) => ({
    kind: 'table' as const,
    table: stateful.tables[definition.id]!,
    indexNames: definition.globalSecondaryIndexes.map((index) => index.indexName),
  });
  const has = (use: RouteUse) => uses.includes(use);
  const grants: Grant[] = [];
  if (has('payments:read-write')) grants.push({ ...table(paymentsTable), access: 'readWrite', env: 'PAYMENTS_TABLE_NAME' });
  else if (has('payments:read')) grants.push({ ...table(paymentsTable), access: 'read', env: 'PAYMENTS_TABLE_NAME' });
  if (has('idempotency')) grants.push({ ...table(idempotencyTable), access: 'readWrite', env: 'IDEMPOTENCY_TABLE_NAME' });
  const keyAccess: KeyAccess | undefined =
    has('token-key:encrypt') && has('token-key:decrypt') ? 'sealAndUnseal' : has('token-key:encrypt') ? 'seal' : has('token-key:decrypt') ? 'unseal' : undefined;
  if (keyAccess) grants.push({ kind: 'key', key: stateful.key, access: keyAccess, env: 'TOKEN_KMS_KEY_ARN' });
  if (has('platform-secret')) grants.push({ kind: 'secret', secret: stateful.platformSecret, access: 'read', env: 'PLATFORM_SECRET_ID' });
  if (has('ipn-queue:send')) grants.push({ kind: 'queue', queue: queues.ipn, access: 'send', env: 'IPN_QUEUE_URL' });
  return grants;
}

/** Routes that carry no bearer token (API.md "Authentication"). */
export function isUnauthenticated(route: Pick<RouteDefinition, 'access'>): boolean {
  return route.access === 'public' || route.access === 'ipn';
}

export class ApiStack extends Stack {
  readonly api: apigw.RestApi;
  readonly webAcl: wafv2.CfnWebACL;
  readonly authorizerFunction: PaymentsFunction;
  /** One per route, keyed by route id. */
  readonly routeFunctions = new Map<string, PaymentsFunction>();
  /** One per entry of `queueConsumers`, keyed by its id. */
  readonly queueConsumerFunctions = new Map<string, PaymentsFunction>();
  /** The IPN queue: the receiver sends each notice, the processor consumes it. */
  readonly ipnQueue: sqs.Queue;
  /** Where the IPN queue moves a notice after ipnQueueSettings.maxReceiveCount failed deliveries. */
  readonly ipnDeadLetterQueue: sqs.Queue;
  /** Dead-letter queues the monitoring stack alarms on: the IPN queue's, and any asynchronous function's. */
  readonly deadLetterQueues: sqs.IQueue[] = [];

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const network = config.vpcIsolation ? this.createNetwork(config, stateful) : undefined;
    if (!network) {
      // Reason comes from the environment's context (vpcIsolationWaiver), required when isolation is off.
      Validations.of(this).acknowledge({ id: 'PCI.DSS.321-LambdaInsideVPC', reason: config.vpcIsolationWaiver ?? '' });
    }

    this.api = this.createRestApi(config, stateful);
    const stageName = config.name;
    const ipnBaseUrl =
      config.ipnBaseUrl ?? `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${stageName}`;

    const baseEnvironment: Record<string, string> = {
      PAYMENTS_RUNTIME: 'aws',
      LOG_LEVEL: config.logLevel,
      POWERTOOLS_SERVICE_NAME: 'payments',
      POWERTOOLS_METRICS_NAMESPACE: 'Payments',
      PROVIDER_BASE_URL: config.providerBaseUrl,
      IPN_BASE_URL: ipnBaseUrl,
      // Provider timeout and attempts keep functions/config.ts's defaults, sized for API Gateway's 29 s.
      CORS_ALLOWED_ORIGINS: config.corsAllowedOrigins.join(','),
      AUTH_ISSUER: stateful.tokenIssuer.issuer,
      AUTH_AUDIENCE: stateful.tokenIssuer.audience,
      AUTH_JWKS: stateful.tokenIssuer.jwks,
    };
    const functionDefaults = { logKey: stateful.key, environment: baseEnvironment, network, logLevel: config.logLevel };
    ({ queue: this.ipnQueue, deadLetterQueue: this.ipnDeadLetterQueue } = this.createIpnQueue(stateful.key));
    const queues: Queues = { ipn: this.ipnQueue };

    this.authorizerFunction = new PaymentsFunction(this, 'Authorizer', {
      ...functionDefaults,
      handler: 'authorize',
      description: 'REQUEST authorizer: verifies the Cognito bearer token or an agent token, passes sub, groups and mandate to handlers',
      memorySize: 256,
      timeout: Duration.seconds(10),
      reservedConcurrency: config.concurrency.authorizer,
    });
    // agt_ tokens: the authorizer reads the mandate by its token's hash, on every request (no cache).
    for (const grant of grantsFor(['payments:read'], stateful, queues)) grantTo(this.authorizerFunction, grant);
    // No identity sources and no cache: every protected request reaches the authorizer, so a
    // credential in the query string is let through to the handler's 400 before any 401.
    const authorizer = new apigw.RequestAuthorizer(this, 'BearerTokenAuthorizer', {
      handler: this.authorizerFunction.function,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    // CDK renders "no identity sources" as an empty string; leave the property out altogether.
    (authorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');

    const validator = this.api.addRequestValidator('RequestValidator', {
      // Required path parameters are enforced here. No body models are attached on purpose:
      // bodies are validated by the handlers with the same zod schemas that generate the
      // OpenAPI document, so every body error carries API.md's codes (unknown_parameter,
      // raw_card_data...) rather than API Gateway's.
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const routedResources = new Set<apigw.Resource>();
    for (const route of routes as readonly RouteDefinition[]) {
      const fn = new PaymentsFunction(this, `Route-${route.id}`, {
        ...functionDefaults,
        handler: route.handler,
        description: `${route.method} ${route.path}: ${route.summary}`,
        reservedConcurrency: config.concurrency.handler,
      });
      for (const grant of grantsFor(route.uses, stateful, queues)) grantTo(fn, grant);
      this.routeFunctions.set(route.id, fn);

      const resource = this.api.root.resourceForPath(route.path);
      routedResources.add(resource);
      const pathParameters = [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1]!);
      const method = resource.addMethod(route.method, new apigw.LambdaIntegration(fn.function, { allowTestInvoke: false }), {
        requestValidator: validator,
        requestParameters: Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
        ...(isUnauthenticated(route)
          ? { authorizationType: apigw.AuthorizationType.NONE }
          : { authorizer, authorizationType: apigw.AuthorizationType.CUSTOM }),
      });
      if (isUnauthenticated(route)) {
        const why =
          route.access === 'ipn'
            ? 'WePay calls this IPN callback without a bearer token; the unguessable route_token in the path is the credential, checked in constant time by the handler (API.md).'
            : 'Public by contract (API.md "Authentication"): liveness and the OpenAPI document carry no data and need no bearer token.';
        Validations.of(method).acknowledge(
          { id: 'AwsSolutions-APIG4', reason: why },
          { id: 'AwsSolutions-COG4', reason: why },
        );
      } else {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason:
            'Authorized by a Lambda REQUEST authorizer that verifies the same Cognito user pool tokens (aws-jwt-verify): a Cognito authorizer cannot let a credential-in-URL request reach the handler for its 400 before a 401, nor return the API.md error codes.',
        });
      }
    }

    for (const resource of routedResources) {
      const method = resource.addMethod('ANY', methodNotAllowedIntegration(), {
        authorizationType: apigw.AuthorizationType.NONE,
        methodResponses: methodNotAllowedResponses(),
      });
      const why =
        'A MOCK integration that only answers 405 method_not_allowed (or 400 credentials_in_url) for methods the route table does not declare; it reaches no code and no data.';
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: why }, { id: 'AwsSolutions-COG4', reason: why });
    }
    // Paths no route declares: a greedy MOCK, so that a credential in their query string is still a 400 (API.md).
    const unknownPath = this.api.root.addResource('{proxy+}').addMethod('ANY', unknownPathIntegration(), {
      authorizationType: apigw.AuthorizationType.NONE,
      methodResponses: methodNotAllowedResponses('404'),
    });
    const unknownWhy =
      'A MOCK integration that only answers 404 resource_missing (or 400 credentials_in_url) for paths the route table does not declare; it reaches no code and no data.';
    Validations.of(unknownPath).acknowledge({ id: 'AwsSolutions-APIG4', reason: unknownWhy }, { id: 'AwsSolutions-COG4', reason: unknownWhy });
    this.acknowledgeCorsPreflights();

    addGatewayErrorResponses(this, this.api, config.corsAllowedOrigins.length === 1 ? config.corsAllowedOrigins[0] : undefined);
    this.webAcl = this.createFirewall(config, stageName, stateful.key);
    for (const consumer of queueConsumers) {
      const queue = queues[consumer.queue];
      const fn = new PaymentsFunction(this, `Consumer-${consumer.id}`, {
        ...functionDefaults,
        handler: consumer.handler,
        description: `${consumer.queue} queue: ${consumer.summary}`,
        timeout: queueConsumerTimeout,
        reservedConcurrency: config.concurrency.handler,
        synchronousCaller: `its SQS event source mapping invokes it synchronously with batches from the ${consumer.queue} queue; a message that fails goes back to the queue and, after ${ipnQueueSettings.maxReceiveCount} deliveries, to that queue's dead-letter queue, which is alarmed on`,
      });
      for (const grant of grantsFor(consumer.uses, stateful, queues)) grantTo(fn, grant);
      // The poller's calls, written explicitly (lib/constructs/grants.ts), hence a plain event source
      // mapping rather than SqsEventSource, whose grantConsumeMessages would add broader ones.
      grantTo(fn, { kind: 'queue', queue, access: 'consume' });
      const eventSource = fn.function.addEventSourceMapping('QueueEventSource', {
        eventSourceArn: queue.queueArn,
        batchSize: ipnQueueSettings.batchSize,
        // The handler answers the ids of failed notices (Powertools processPartialResponse): only those return.
        reportBatchItemFailures: true,
        // Lambda's pollers stop at the reserved concurrency instead of being throttled by it: a throttled
        // batch counts as a delivery, so throttling alone could dead-letter notices.
        maxConcurrency: Math.min(1000, Math.max(2, config.concurrency.handler)),
      });
      Validations.of(eventSource).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: `Lambda supports on-failure destinations for stream and Kafka event sources only, not SQS: a message of the ${consumer.queue} queue that fails ${ipnQueueSettings.maxReceiveCount} deliveries goes to the queue's own dead-letter queue (redrive policy), which DeadLetterQueueNotEmpty pages on.`,
      });
      this.queueConsumerFunctions.set(consumer.id, fn);
    }

    this.deadLetterQueues.push(
      this.ipnDeadLetterQueue,
      ...[this.authorizerFunction, ...this.routeFunctions.values(), ...this.queueConsumerFunctions.values()].flatMap((fn) =>
        fn.deadLetterQueue ? [fn.deadLetterQueue] : [],
      ),
    );
    Validations.of(this).acknowledge({
      id: 'PCI.DSS.321-IAMNoInlinePolicy',
      reason:
        'Each role here (one per function, the API Gateway logging role, the flow-log role) carries its own least-privilege statements as an inline policy that lives and dies with that role; a customer-managed policy per role would hold the same statements in a second, separately attachable resource, which is what PCI DSS 7.1.2 asks us to avoid.',
    });
  }

  /**
   * The IPN queue and its dead-letter queue, from ipnQueueSettings (the local queue reads the same).
   * Encrypted with the stateful stack's customer-managed key like the app's other queues: producers
   * and consumers get the key through explicit IAM statements (only via SQS, only for this queue's
   * encryption context) and the key policy, which delegates to IAM, is not touched, so the stateful
   * stack never references this one. A notice holds only a WePay checkout id and a timestamp.
   */
  private createIpnQueue(key: kms.IKey): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
    const deadLetterQueue = new sqs.Queue(this, 'IpnDeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      // A standard queue keeps a message's first enqueue time when it is dead-lettered, so this counts
      // from when the receiver queued the notice; it must outlast the IPN queue's retention (4 days).
      retentionPeriod: Duration.days(ipnQueueSettings.deadLetterRetentionDays),
    });
    const queue = new sqs.Queue(this, 'IpnQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(ipnQueueSettings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: ipnQueueSettings.maxReceiveCount },
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the IPN queue\'s dead-letter queue: nothing consumes it automatically, so there are no failed receives to redrive; an operator inspects its notices and moves them back (runbook DeadLetterQueueNotEmpty), and DeadLetterQueueNotEmpty pages as soon as one arrives.',
    });
    return { queue, deadLetterQueue };
  }

  private createRestApi(config: EnvironmentConfig, stateful: StatefulStack): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      encryptionKey: stateful.key,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // JSON access log. `resourcePath` (the template) rather than `path`: the IPN path carries
    // the route token, and the query string (never logged) may carry a misplaced credential.
    const accessLogFormat = apigw.AccessLogFormat.custom(
      JSON.stringify({
        requestId: '$context.requestId',
        extendedRequestId: '$context.extendedRequestId',
        requestTime: '$context.requestTime',
        ip: '$context.identity.sourceIp',
        userAgent: '$context.identity.userAgent',
        httpMethod: '$context.httpMethod',
        resourcePath: '$context.resourcePath',
        status: '$context.status',
        protocol: '$context.protocol',
        responseLength: '$context.responseLength',
        responseLatency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
        integrationStatus: '$context.integrationStatus',
        errorType: '$context.error.responseType',
        principal: '$context.authorizer.principalId',
        authorizerStatus: '$context.authorizer.status',
        authorizerLatency: '$context.authorizer.latency',
        wafStatus: '$context.waf.status',
        tlsVersion: '$context.tlsVersion',
        xrayTraceId: '$context.xrayTraceId',
      }),
    );

    const api: apigw.RestApi = new apigw.RestApi(this, 'Api', {
      restApiName: `payments-${config.name}`,
      description: `Payments API (${config.name}), WePay ${config.provider}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // The account-level logging role is declared below without the AWS managed policy.
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.name,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat,
        // Execution logs at ERROR only and never data traces: INFO and data tracing write
        // request paths, query strings and bodies (route tokens, misplaced credentials).
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: config.api.throttlingRateLimit,
        throttlingBurstLimit: config.api.throttlingBurstLimit,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: config.corsAllowedOrigins,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type'],
        exposeHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After'],
        maxAge: Duration.hours(1),
      },
    });
    // TLS 1.2 minimum (TLS 1.3 preferred) on the execute-api endpoint; STRICT rejects requests whose
    // SNI does not match the API (an enhanced policy requires an endpoint access mode).
    const cfnApi = api.node.defaultChild as apigw.CfnRestApi;
    cfnApi.securityPolicy = apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
    cfnApi.endpointAccessMode = apigw.EndpointAccessMode.STRICT;

    // Execution logs go to a group API Gateway would otherwise create unencrypted and kept forever.
    new logs.LogGroup(this, 'ApiExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${config.name}`,
      encryptionKey: stateful.key,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The regional account setting API Gateway uses to write execution logs (one per account and region).
    const accountLogGroups = this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const loggingRole = new iam.Role(this, 'ApiGatewayLoggingRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway writes execution and access logs (account-level setting)',
      inlinePolicies: {
        WriteLogs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogGroups',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
                'logs:GetLogEvents',
                'logs:FilterLogEvents',
              ],
              resources: [accountLogGroups],
            }),
          ],
        }),
      },
    });
    Validations.of(loggingRole).acknowledge({
      // The finding names the resolved ARN (account and region are literals from context).
      id: `AwsSolutions-IAM5[Resource::${accountLogGroups}]`,
      reason:
        'The API Gateway logging role is an account-and-region-wide setting shared by every REST API in the account, whose execution log group names (API-Gateway-Execution-Logs_<id>/<stage>) are only known once each API exists; it is limited to this account and region and to log actions.',
    });
    const account = new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: loggingRole.roleArn });
    api.deploymentStage.node.addDependency(account);
    Validations.of(api.deploymentStage).acknowledge(
      {
        id: 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
        reason:
          'Responses are per principal and marked Cache-Control: no-store (API.md); caching them at the stage would serve one user\'s checkouts to another. Nothing is cached, so nothing cached needs encrypting.',
      },
      {
        id: 'PCI.DSS.321-APIGWSSLEnabled',
        reason:
          'A client certificate lets an HTTP backend verify that calls come from API Gateway; every integration here is Lambda (invoked by AWS with IAM-signed requests) or MOCK, so there is no backend to present it to.',
      },
    );
    return api;
  }

  private acknowledgeCorsPreflights(): void {
    for (const child of this.api.node.findAll()) {
      if (child instanceof apigw.Method && child.httpMethod === 'OPTIONS') {
        const why =
          'CORS preflight (OPTIONS) is a MOCK integration that browsers call without credentials by specification; it returns only the allowed origins and methods.';
        Validations.of(child).acknowledge({ id: 'AwsSolutions-APIG4', reason: why }, { id: 'AwsSolutions-COG4', reason: why });
      }
    }
  }

  /** Private subnets, endpoints for the AWS services the functions call, NAT egress for WePay only. */
  private createNetwork(config: EnvironmentConfig, stateful: StatefulStack): NetworkPlacement {
    const flowLogs = new logs.LogGroup(this, 'VpcFlowLogs', {
      encryptionKey: stateful.key,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const vpc = new ec2.Vpc(this, 'Network', {
      availabilityZones: config.availabilityZones,
      natGateways: config.availabilityZones.length,
      subnetConfiguration: [
        // Public subnets hold only the NAT gateways, whose Elastic IPs need no auto-assigned addresses.
        { name: 'egress', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 26, mapPublicIpOnLaunch: false },
        { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
      gatewayEndpoints: { DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
    });
    const subnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const functions = new ec2.SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc,
      description: 'Payments functions: no inbound; HTTPS out only (endpoints in the VPC, WePay through NAT)',
      allowAllOutbound: false,
    });
    // WePay publishes no IP ranges, so HTTPS to any address; the NAT route is the only way out.
    functions.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: AWS endpoints and the WePay API');
    const endpoints = new ec2.SecurityGroup(this, 'EndpointsSecurityGroup', {
      vpc,
      description: 'Interface endpoints: HTTPS from the payments functions only',
      allowAllOutbound: false,
    });
    endpoints.addIngressRule(functions, ec2.Port.tcp(443), 'HTTPS from the payments functions');
    for (const [name, service] of [
      ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
      ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['Sqs', ec2.InterfaceVpcEndpointAwsService.SQS],
      ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ] as const) {
      vpc.addInterfaceEndpoint(name, { service, subnets, privateDnsEnabled: true, open: false, securityGroups: [endpoints] });
    }
    for (const subnet of vpc.publicSubnets) {
      Validations.of(subnet).acknowledge({
        id: 'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW',
        reason:
          'The public subnets hold only the NAT gateways; their default route to the internet gateway is how the functions (in private subnets, with no route of their own to the IGW) reach the WePay API.',
      });
    }
    return { vpc, subnets, securityGroups: [functions] };
  }

  private createFirewall(config: EnvironmentConfig, stageName: string, key: kms.IKey): wafv2.CfnWebACL {
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (priority: number, name: string, overrides: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(overrides.length > 0
            ? { ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(name),
    });

    const webAcl = new wafv2.CfnWebACL(this, 'Firewall', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`payments-${config.name}`),
      customResponseBodies: {
        rate_limited: {
          contentType: 'APPLICATION_JSON',
          content: '{"error":{"type":"rate_limit_error","code":"rate_limited","message":"Too many requests from this address"}}',
        },
      },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: 'rate_limited',
                responseHeaders: [{ name: 'Retry-After', value: '60' }],
              },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: config.api.wafRateLimitPerIp,
              aggregateKeyType: 'IP',
              // WePay's few IPN senders deliver every merchant's notifications: never rate-limit them per IP.
              scopeDownStatement: {
                notStatement: {
                  statement: {
                    byteMatchStatement: {
                      fieldToMatch: { uriPath: {} },
                      positionalConstraint: 'CONTAINS',
                      searchString: '/v1/ipn/',
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  },
                },
              },
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managed(1, 'AWSManagedRulesAmazonIpReputationList'),
        // SizeRestrictions_BODY (8 KB) counts only: bodies up to API.md's 64 KiB are valid, and larger
        // ones get the handler's 413 body_too_large with a request id rather than a bare 403.
        managed(2, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managed(3, 'AWSManagedRulesKnownBadInputsRuleSet'),
        managed(4, 'AWSManagedRulesSQLiRuleSet'),
      ],
    });

    const wafLogGroupName = `aws-waf-logs-payments-${config.name}`;
    const wafLogs = new logs.LogGroup(this, 'FirewallLogs', {
      logGroupName: wafLogGroupName,
      encryptionKey: key,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'FirewallLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [
        this.formatArn({ service: 'logs', resource: 'log-group', resourceName: wafLogGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      // Never log the bearer token, a misplaced credential in the query, or the IPN route token in the path.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { queryString: {} }, { uriPath: {} }],
    });
    logging.node.addDependency(wafLogs);

    const association = new wafv2.CfnWebACLAssociation(this, 'FirewallAssociation', {
      resourceArn: `arn:${this.partition}:apigateway:${this.region}::/restapis/${this.api.restApiId}/stages/${stageName}`,
      webAclArn: webAcl.attrArn,
    });
    association.node.addDependency(this.api.deploymentStage);
    return webAcl;
  }
}
