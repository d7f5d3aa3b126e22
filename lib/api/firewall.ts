// The WAF web ACL in front of the API: a per-IP rate rule answering API.md's 429,
// AWS managed rule groups, and logs with credentials redacted.
import { ArnFormat, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { securityHeaders } from '#lib/api-error-responses.ts';
import { firewallCorsHeaders } from '#lib/api/cors.ts';
import { logRetention } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';

export function createFirewall(scope: Stack, config: EnvironmentConfig, api: apigw.RestApi, key: kms.IKey): wafv2.CfnWebACL {
  const stageName = config.name;
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

  const webAcl = new wafv2.CfnWebACL(scope, 'Firewall', {
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
              responseHeaders: Object.entries({ ...securityHeaders, ...firewallCorsHeaders(config.corsAllowedOrigins), 'Retry-After': '60' }).map(
                ([name, value]) => ({ name, value }),
              ),
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
  const wafLogs = new logs.LogGroup(scope, 'FirewallLogs', {
    logGroupName: wafLogGroupName,
    encryptionKey: key,
    retention: logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const logging = new wafv2.CfnLoggingConfiguration(scope, 'FirewallLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [
      scope.formatArn({ service: 'logs', resource: 'log-group', resourceName: wafLogGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    ],
    // Never log the bearer token, a misplaced credential in the query, or the IPN route token in the path.
    redactedFields: [{ singleHeader: { Name: 'authorization' } }, { queryString: {} }, { uriPath: {} }],
  });
  logging.node.addDependency(wafLogs);

  const association = new wafv2.CfnWebACLAssociation(scope, 'FirewallAssociation', {
    resourceArn: `arn:${scope.partition}:apigateway:${scope.region}::/restapis/${api.restApiId}/stages/${stageName}`,
    webAclArn: webAcl.attrArn,
  });
  association.node.addDependency(api.deploymentStage);
  return webAcl;
}
