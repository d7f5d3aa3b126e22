// The WAF web ACL in front of the API: rate rules answering the API's 429 (per IP,
// per IP on the IPN callback, per credential on checkout creation), AWS managed
// rule groups (bot and anonymous-IP ones in count mode unless switched to block),
// body inspection up to the API's 64 KiB, and logs with credentials redacted.
import { ArnFormat, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { securityHeaders } from '#lib/api-error-responses.ts';
import { firewallCorsHeaders } from '#lib/api/cors.ts';
import { logRetention } from '#lib/constructs/payments-function.ts';
import { wafBotControlMode, type EnvironmentConfig, type WafManagedRuleMode } from '#lib/environment-config.ts';

type Statement = wafv2.CfnWebACL.StatementProperty;

/** Every rate rule counts over this window (WAF's default, stated so the 429's Retry-After matches it). */
export const rateWindowSeconds = 300;
/** The API: bodies over 64 KiB are refused (413); WAF inspects up to that much (its largest setting). */
export const bodyInspectionLimitBytes = 64 * 1024;

// On the execute-api URL the path starts with the stage (`/prod/v1/...`); behind a custom domain it may
// start with a base path, or with `/v1`. One optional leading segment covers both; URL_DECODE so an
// encoded path cannot slip out of the match.
const decoded = [{ priority: 0, type: 'URL_DECODE' }];
const pathMatches = (regexString: string): Statement => ({
  regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString, textTransformations: decoded },
});
/** The IPN callback (`POST /v1/ipn/wepay/{route_token}`) and anything under its prefix. */
const ipnPath: Statement = pathMatches('^(/[^/]+)?/v1/ipn/');
/** `POST /v1/checkouts` exactly: the method and the whole path. */
const checkoutCreate: Statement = {
  andStatement: {
    statements: [
      {
        byteMatchStatement: {
          fieldToMatch: { method: {} },
          positionalConstraint: 'EXACTLY',
          searchString: 'POST',
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      pathMatches('^(/[^/]+)?/v1/checkouts/?$'),
    ],
  },
};
/** Everything but the IPN prefix: with `ipnPath` this covers every request, so no path goes uncapped. */
const notIpnPath: Statement = { notStatement: { statement: ipnPath } };

/** Rules of these groups stay at count even in block mode: they would refuse the API's legitimate callers. */
export const countOnlyInBlockMode: Record<string, string[]> = {
  // Merchant backends and agents are programs (HTTP libraries, no browser user agent).
  AWSManagedRulesBotControlRuleSet: ['CategoryHttpLibrary', 'SignalNonBrowserUserAgent'],
  // Merchant backends run in clouds, like WePay's IPN senders.
  AWSManagedRulesAnonymousIpList: ['HostingProviderIPList'],
};

export function createFirewall(scope: Stack, config: EnvironmentConfig, api: apigw.RestApi, key: kms.IKey): wafv2.CfnWebACL {
  const stageName = config.name;
  const botMode: WafManagedRuleMode = wafBotControlMode(config, scope.node.tryGetContext('wafBotControl'));
  const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
  });
  const countRules = (rules: string[]) =>
    rules.length > 0 ? { ruleActionOverrides: rules.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {};
  interface ManagedGroupOptions {
    /** Rules of the group that only count. */
    countOnly?: string[];
    /** The whole group only counts (its matches measured, nobody refused). */
    countAll?: boolean;
    groupConfig?: wafv2.CfnWebACL.ManagedRuleGroupConfigProperty;
    scopeDown?: wafv2.CfnWebACL.StatementProperty;
  }
  const managed = (priority: number, name: string, { countOnly = [], countAll = false, groupConfig, scopeDown }: ManagedGroupOptions = {}): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority,
    overrideAction: countAll ? { count: {} } : { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(groupConfig ? { managedRuleGroupConfigs: [groupConfig] } : {}),
        ...countRules(countOnly),
        ...(scopeDown ? { scopeDownStatement: scopeDown } : {}),
      },
    },
    visibilityConfig: visibility(name),
  });
  // Count mode measures (metrics, sampled requests, labels) without refusing anyone; block mode lets the
  // group's own actions stand. The IPN callback is left out: its senders are automated by nature.
  const switchable = (priority: number, name: string, groupConfig?: wafv2.CfnWebACL.ManagedRuleGroupConfigProperty) =>
    managed(priority, name, {
      countAll: botMode !== 'block',
      countOnly: botMode === 'block' ? (countOnlyInBlockMode[name] ?? []) : [],
      ...(groupConfig ? { groupConfig } : {}),
      scopeDown: notIpnPath,
    });
  const rateLimited: wafv2.CfnWebACL.RuleActionProperty = {
    block: {
      customResponse: {
        responseCode: 429,
        customResponseBodyKey: 'rate_limited',
        responseHeaders: Object.entries({
          ...securityHeaders,
          ...firewallCorsHeaders(config.corsAllowedOrigins),
          'Retry-After': '60',
        }).map(([name, value]) => ({ name, value })),
      },
    },
  };
  const rateRule = (priority: number, name: string, rateBasedStatement: wafv2.CfnWebACL.RateBasedStatementProperty): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority,
    action: rateLimited,
    statement: { rateBasedStatement: { evaluationWindowSec: rateWindowSeconds, ...rateBasedStatement } },
    visibilityConfig: visibility(name),
  });

  const webAcl = new wafv2.CfnWebACL(scope, 'Firewall', {
    // Named as its metric: AWS/WAFV2's `WebACL` dimension then matches whichever of the two WAF reports.
    name: `payments-${config.name}`,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(`payments-${config.name}`),
    // WAF sees 16 KB of a body by default; the API accepts 64 KiB, so the managed groups' body rules
    // (cross-site scripting, SQL injection...) read all of any body the API would process (extra cost: docs/abuse-controls.md).
    associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
    customResponseBodies: {
      rate_limited: {
        contentType: 'APPLICATION_JSON',
        content: '{"error":{"type":"rate_limit_error","code":"rate_limited","message":"Too many requests from this address"}}',
      },
    },
    rules: [
      // The general per-IP cap and the IPN cap split every request between them (notIpnPath / ipnPath).
      rateRule(0, 'RateLimitPerIp', { limit: config.api.wafRateLimitPerIp, aggregateKeyType: 'IP', scopeDownStatement: notIpnPath }),
      // WePay's few IPN senders deliver every merchant's notifications: a higher cap of their own. A
      // blocked IPN is retried by WePay, and the reconciler reads what it would have told.
      rateRule(1, 'RateLimitIpnPerIp', { limit: config.api.wafIpnRateLimitPerIp, aggregateKeyType: 'IP', scopeDownStatement: ipnPath }),
      // Per credential, whatever the address: a token spread over many IPs. A request without the header
      // is not counted here (the authorizer refuses it; the per-IP cap still applies).
      rateRule(2, 'RateLimitCheckoutCreatesPerToken', {
        limit: config.api.wafCheckoutCreatesPerToken,
        aggregateKeyType: 'CUSTOM_KEYS',
        customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
        scopeDownStatement: checkoutCreate,
      }),
      // Counts (never blocks) bodies longer than WAF can inspect: the handler answers them 413 body_too_large
      // with a request id, which a WAF response cannot carry. MATCH makes such a body count as over the size.
      {
        name: 'BodyOverInspectionLimit',
        priority: 3,
        action: { count: {} },
        statement: {
          sizeConstraintStatement: {
            fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
            comparisonOperator: 'GT',
            size: bodyInspectionLimitBytes,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        visibilityConfig: visibility('BodyOverInspectionLimit'),
      },
      managed(4, 'AWSManagedRulesAmazonIpReputationList'),
      switchable(5, 'AWSManagedRulesAnonymousIpList'),
      // SizeRestrictions_BODY (8 KB) counts only: bodies up to the API's 64 KiB are valid, and larger
      // ones get the handler's 413 body_too_large with a request id rather than a bare 403.
      managed(6, 'AWSManagedRulesCommonRuleSet', { countOnly: ['SizeRestrictions_BODY'] }),
      managed(7, 'AWSManagedRulesKnownBadInputsRuleSet'),
      managed(8, 'AWSManagedRulesSQLiRuleSet'),
      // Last: Bot Control is charged per request it evaluates, and requests blocked above never reach it.
      switchable(9, 'AWSManagedRulesBotControlRuleSet', { awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }),
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
