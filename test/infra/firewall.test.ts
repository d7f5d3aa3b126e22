// The WAF web ACL (issue 15): the rate rules (per IP, per IP on the IPN
// callback, per credential on checkout creation), body inspection up to the
// API's 64 KiB, the bot and anonymous-IP groups in count mode unless switched
// to block, metrics and logs; and the API Gateway access log's fields.
import { Template } from 'aws-cdk-lib/assertions';
import { bodyInspectionLimitBytes, countOnlyInBlockMode, rateWindowSeconds } from '#lib/api/firewall.ts';
import { parseEnvironments } from '#lib/environment-config.ts';
import { buildTestApp, cdkJsonContext } from './test-app.ts';

type Rule = { Name: string; Priority: number; Statement: Record<string, any>; Action?: Record<string, any>; OverrideAction?: Record<string, any>; VisibilityConfig: Record<string, any> };
type Acl = { Rules: Rule[]; AssociationConfig?: Record<string, any>; VisibilityConfig: Record<string, any> };

const example = cdkJsonContext().environments as Record<string, Record<string, any>>;

function aclOf(stack: Template): Acl {
  const acls = Object.values(stack.findResources('AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  return acls[0]!.Properties as Acl;
}

function build(overrides: Record<string, unknown> = {}) {
  const { app, stages } = buildTestApp(overrides);
  const configs = parseEnvironments(app.node.tryGetContext('environments'));
  return stages.map((stage) => ({ name: stage.stageName, config: configs.find((c) => c.name === stage.stageName)!, api: Template.fromStack(stage.api) }));
}

const byName = (acl: Acl, name: string): Rule => {
  const rule = acl.Rules.find((r) => r.Name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
};

/**
 * Evaluates the statements these rules use (regex and byte matches on the path and method, and/not)
 * the way WAF does, so the tests can ask which requests a scope-down admits.
 */
function matches(statement: Record<string, any>, request: { method: string; path: string }): boolean {
  if (statement.NotStatement) return !matches(statement.NotStatement.Statement, request);
  if (statement.AndStatement) return statement.AndStatement.Statements.every((s: Record<string, any>) => matches(s, request));
  const field = (fieldToMatch: Record<string, unknown>, transformations: { Type: string }[]) => {
    const raw = fieldToMatch.UriPath ? request.path : fieldToMatch.Method ? request.method : undefined;
    if (raw === undefined) throw new Error(`field not evaluated: ${JSON.stringify(fieldToMatch)}`);
    return transformations.reduce((value, t) => (t.Type === 'URL_DECODE' ? decodeURIComponent(value) : t.Type === 'NONE' ? value : 'unsupported'), raw);
  };
  if (statement.RegexMatchStatement) {
    const s = statement.RegexMatchStatement;
    return new RegExp(s.RegexString).test(field(s.FieldToMatch, s.TextTransformations));
  }
  if (statement.ByteMatchStatement) {
    const s = statement.ByteMatchStatement;
    const value = field(s.FieldToMatch, s.TextTransformations);
    if (s.PositionalConstraint === 'EXACTLY') return value === s.SearchString;
    throw new Error(`constraint not evaluated: ${s.PositionalConstraint}`);
  }
  throw new Error(`statement not evaluated: ${Object.keys(statement).join()}`);
}

/** Paths as WAF may see them: on the execute-api URL (stage first) and behind a custom domain. */
const paths = (stageName: string, path: string) => [path, `/${stageName}${path}`];
const sampleRequests = (stageName: string) =>
  ['/v1/checkouts', '/v1/checkouts/chk_1/refund', '/v1/ipn/wepay/rt_abc', '/v1/ipn/', '/v1/health', '/v1/%69pn/wepay/x', '/', '/v1/ipnx', '/other/v1/ipn/x/y']
    .flatMap((p) => paths(stageName, p))
    .flatMap((path) => ['GET', 'POST', 'OPTIONS'].map((method) => ({ method, path })));

describe.each(build())('$name web ACL (defaults)', ({ name, config, api }) => {
  const acl = aclOf(api);

  it('caps every request by source IP: the general rule for all but the IPN prefix, the IPN rule with its own limit for the rest', () => {
    const general = byName(acl, 'RateLimitPerIp');
    const ipn = byName(acl, 'RateLimitIpnPerIp');
    expect(general.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: config.api.wafRateLimitPerIp, EvaluationWindowSec: rateWindowSeconds });
    expect(ipn.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: config.api.wafIpnRateLimitPerIp, EvaluationWindowSec: rateWindowSeconds });
    expect(config.api.wafIpnRateLimitPerIp).toBe(3000);
    // The two scope-downs are one statement and its negation: together they leave nothing uncapped.
    expect(general.Statement.RateBasedStatement.ScopeDownStatement).toEqual({ NotStatement: { Statement: ipn.Statement.RateBasedStatement.ScopeDownStatement } });
    const cappedBy = (request: { method: string; path: string }) =>
      [general, ipn].filter((rule) => matches(rule.Statement.RateBasedStatement.ScopeDownStatement, request)).map((r) => r.Name);
    for (const request of sampleRequests(name)) expect({ request, cappedBy: cappedBy(request).length }).toEqual({ request, cappedBy: 1 });
    for (const path of [...paths(name, '/v1/ipn/wepay/rt_abc'), `/${name}/v1/%69pn/wepay/x`]) {
      expect(cappedBy({ method: 'POST', path })).toEqual(['RateLimitIpnPerIp']);
    }
    for (const path of [...paths(name, '/v1/checkouts'), ...paths(name, '/v1/ipnx'), `/${name}/other/v1/ipn/x`]) {
      expect(cappedBy({ method: 'POST', path })).toEqual(['RateLimitPerIp']);
    }
  });

  it('answers every rate rule with the API\'s 429 rate_limited and a Retry-After', () => {
    for (const rule of acl.Rules.filter((r) => r.Statement.RateBasedStatement)) {
      expect(rule.Action?.Block?.CustomResponse).toMatchObject({ ResponseCode: 429, CustomResponseBodyKey: 'rate_limited' });
      expect(rule.Action!.Block.CustomResponse.ResponseHeaders).toContainEqual({ Name: 'Retry-After', Value: '60' });
    }
    expect(acl.Rules.filter((r) => r.Statement.RateBasedStatement).map((r) => r.Name).sort()).toEqual([
      'RateLimitCheckoutCreatesPerToken',
      'RateLimitIpnPerIp',
      'RateLimitPerIp',
    ]);
  });

  it('limits POST /v1/checkouts per Authorization header value, and no other request', () => {
    const rule = byName(acl, 'RateLimitCheckoutCreatesPerToken');
    const statement = rule.Statement.RateBasedStatement;
    expect(statement).toMatchObject({ AggregateKeyType: 'CUSTOM_KEYS', Limit: config.api.wafCheckoutCreatesPerToken, EvaluationWindowSec: rateWindowSeconds });
    expect(statement.CustomKeys).toEqual([{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }]);
    expect(config.api.wafCheckoutCreatesPerToken).toBe(300);
    const scoped = sampleRequests(name).filter((request) => matches(statement.ScopeDownStatement, request));
    expect(scoped).toEqual(paths(name, '/v1/checkouts').map((path) => ({ method: 'POST', path })));
    expect(matches(statement.ScopeDownStatement, { method: 'POST', path: `/${name}/v1/checkouts/` })).toBe(true);
    expect(matches(statement.ScopeDownStatement, { method: 'POST', path: `/${name}/v1/checkouts/chk_1/capture` })).toBe(false);
  });

  it('inspects bodies up to 64 KiB, and counts (never blocks) longer ones as matching the size rule', () => {
    expect(acl.AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } });
    expect(bodyInspectionLimitBytes).toBe(65_536);
    const rule = byName(acl, 'BodyOverInspectionLimit');
    expect(rule.Action).toEqual({ Count: {} });
    expect(rule.Statement.SizeConstraintStatement).toMatchObject({
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
      ComparisonOperator: 'GT',
      Size: bodyInspectionLimitBytes,
    });
    // Every statement of our own that reads the body says what to do with an oversize one.
    const bodyFields = JSON.stringify(acl.Rules).match(/"(Body|JsonBody)":\{[^}]*\}/g) ?? [];
    expect(bodyFields.length).toBeGreaterThan(0);
    for (const field of bodyFields) expect(field).toMatch(/"OversizeHandling":"(MATCH|NO_MATCH|CONTINUE)"/);
  });

  it('runs Bot Control (common level) and the anonymous-IP list in count mode, outside the IPN path', () => {
    for (const groupName of ['AWSManagedRulesBotControlRuleSet', 'AWSManagedRulesAnonymousIpList']) {
      const rule = byName(acl, groupName);
      expect(rule.OverrideAction).toEqual({ Count: {} });
      expect(rule.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toBeUndefined();
      expect(rule.Statement.ManagedRuleGroupStatement.ScopeDownStatement).toEqual(byName(acl, 'RateLimitPerIp').Statement.RateBasedStatement.ScopeDownStatement);
    }
    expect(byName(acl, 'AWSManagedRulesBotControlRuleSet').Statement.ManagedRuleGroupStatement.ManagedRuleGroupConfigs).toEqual([
      { AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'COMMON' } },
    ]);
    // The other groups keep their own actions.
    for (const groupName of ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet']) {
      expect(byName(acl, groupName).OverrideAction).toEqual({ None: {} });
    }
  });

  it('publishes metrics and sampled requests for the web ACL and every rule, each under its own name, in a unique priority', () => {
    for (const visibility of [acl.VisibilityConfig, ...acl.Rules.map((r) => r.VisibilityConfig)]) {
      expect(visibility).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    }
    for (const rule of acl.Rules) expect(rule.VisibilityConfig.MetricName).toBe(rule.Name);
    expect(new Set(acl.Rules.map((r) => r.Priority)).size).toBe(acl.Rules.length);
    // Bot Control is charged per request it evaluates: it runs after every rule that may block first.
    expect(byName(acl, 'AWSManagedRulesBotControlRuleSet').Priority).toBe(Math.max(...acl.Rules.map((r) => r.Priority)));
  });

  it('logs every request to an aws-waf-logs- group with the credential, the query and the path redacted', () => {
    api.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { QueryString: {} }, { UriPath: {} }],
    });
    const [logging] = Object.values(api.findResources('AWS::WAFv2::LoggingConfiguration'));
    expect(JSON.stringify(logging!.Properties.LogDestinationConfigs)).toContain(`aws-waf-logs-payments-${name}`);
  });

  it('writes the principal and the source IP in the API Gateway access log, and no path or query string', () => {
    const [stage] = Object.values(api.findResources('AWS::ApiGateway::Stage'));
    const format = JSON.parse(stage!.Properties.AccessLogSetting.Format) as Record<string, string>;
    expect(format).toMatchObject({
      principal: '$context.authorizer.principalId',
      ip: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      requestId: '$context.requestId',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      wafStatus: '$context.waf.status',
    });
    // `path` would hold the IPN route token; the query string may hold a misplaced credential.
    expect(Object.values(format)).not.toContain('$context.path');
    expect(JSON.stringify(format)).not.toMatch(/querystring|\$context\.path\b/i);
  });
});

describe('the bot and anonymous-IP switch', () => {
  const groups = ['AWSManagedRulesBotControlRuleSet', 'AWSManagedRulesAnonymousIpList'];

  it.each(build({ wafBotControl: 'block' }))('-c wafBotControl=block makes both groups block in $name, except the rules that would refuse API clients', ({ api }) => {
    const acl = aclOf(api);
    for (const groupName of groups) {
      const rule = byName(acl, groupName);
      expect(rule.OverrideAction).toEqual({ None: {} });
      expect(rule.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual(
        countOnlyInBlockMode[groupName]!.map((Name) => ({ Name, ActionToUse: { Count: {} } })),
      );
    }
    expect(countOnlyInBlockMode.AWSManagedRulesBotControlRuleSet).toContain('CategoryHttpLibrary');
    expect(countOnlyInBlockMode.AWSManagedRulesAnonymousIpList).toContain('HostingProviderIPList');
  });

  it('follows each environment\'s api.wafBotControl when the context does not say, and the context wins when it does', () => {
    const environments = { ...example, prod: { ...example.prod, api: { ...example.prod!.api, wafBotControl: 'block' } } };
    const modes = (overrides: Record<string, unknown>) =>
      Object.fromEntries(build({ environments, ...overrides }).map(({ name, api }) => [name, groups.map((g) => Object.keys(byName(aclOf(api), g).OverrideAction!)[0])]));
    expect(modes({})).toEqual({ stage: ['Count', 'Count'], prod: ['None', 'None'] });
    expect(modes({ wafBotControl: 'count' })).toEqual({ stage: ['Count', 'Count'], prod: ['Count', 'Count'] });
  });

  it('refuses a context value other than count or block, naming it', () => {
    expect(() => build({ wafBotControl: 'on' })).toThrow(/wafBotControl must be "count" or "block", not "on"/);
  });
});
