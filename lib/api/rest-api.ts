// The REST API itself: its stage (access and execution logs, tracing, throttling,
// TLS policy) and the account-level logging role API Gateway needs. Routes are
// added by lib/api/routes.ts.
import { ArnFormat, RemovalPolicy, type Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { logRetention } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';

export function createRestApi(scope: Stack, config: EnvironmentConfig, key: kms.IKey): apigw.RestApi {
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', {
    encryptionKey: key,
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

  const api: apigw.RestApi = new apigw.RestApi(scope, 'Api', {
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
  });
  // TLS 1.2 minimum (TLS 1.3 preferred) on the execute-api endpoint; STRICT rejects requests whose
  // SNI does not match the API (an enhanced policy requires an endpoint access mode).
  const cfnApi = api.node.defaultChild as apigw.CfnRestApi;
  cfnApi.securityPolicy = apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
  cfnApi.endpointAccessMode = apigw.EndpointAccessMode.STRICT;

  // Execution logs go to a group API Gateway would otherwise create unencrypted and kept forever.
  new logs.LogGroup(scope, 'ApiExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${config.name}`,
    encryptionKey: key,
    retention: logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });

  // The regional account setting API Gateway uses to write execution logs (one per account and region).
  const accountLogGroups = scope.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const loggingRole = new iam.Role(scope, 'ApiGatewayLoggingRole', {
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
  const account = new apigw.CfnAccount(scope, 'ApiGatewayAccount', { cloudWatchRoleArn: loggingRole.roleArn });
  api.deploymentStage.node.addDependency(account);
  Validations.of(api.deploymentStage).acknowledge(
    {
      id: 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
      reason:
        'Responses are per principal and marked Cache-Control: no-store; caching them at the stage would serve one user\'s checkouts to another. Nothing is cached, so nothing cached needs encrypting.',
    },
    {
      id: 'PCI.DSS.321-APIGWSSLEnabled',
      reason:
        'A client certificate lets an HTTP backend verify that calls come from API Gateway; every integration here is Lambda (invoked by AWS with IAM-signed requests) or MOCK, so there is no backend to present it to.',
    },
  );
  return api;
}
