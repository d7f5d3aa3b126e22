// The deployment environments (stage, prod), read from the CDK context key
// `environments` (cdk.json, or `-c environments=...`), validated once with zod
// so a bad value stops synth with a message naming the field.
import { z } from 'zod';

/** WePay's two real base URLs; the sandbox (http://127.0.0.1:3001/v2) is local only, never deployed. */
export const providerBaseUrls = {
  stage: 'https://stage.wepayapi.com/v2',
  production: 'https://wepayapi.com/v2',
} as const;

/** The runbook URL of the committed example configuration: a placeholder a real deploy must replace. */
export const exampleRunbookUrl = 'https://github.com/example/wepay-payments-backend/blob/main/docs/runbooks.md';

/** How the WAF's bot and anonymous-IP rule groups act: `count` only measures, `block` enforces. */
const wafManagedRuleMode = z.enum(['count', 'block']);
export type WafManagedRuleMode = z.infer<typeof wafManagedRuleMode>;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const onCallSubscription = z.object({
  protocol: z.enum(['email', 'https', 'sms']),
  endpoint: z.string().min(1),
});

const environmentSchema = z
  .object({
    /** 12-digit account id; placeholders synth offline because nothing is looked up. */
    account: z.string().regex(/^\d{12}$/, 'account must be a 12-digit AWS account id'),
    region: z.string().min(1),
    /** Explicit AZs (at least two) so the VPC needs no context lookup and synth stays offline. */
    availabilityZones: z.array(z.string().min(1)).min(2),
    /** Which WePay environment this stage talks to: switching stage -> production is this one value. */
    provider: z.enum(['stage', 'production']),
    corsAllowedOrigins: z.array(z.url()).min(1),
    onCallSubscriptions: z.array(onCallSubscription).default([]),
    /**
     * The second channel: told only when a page could not be delivered (UndeliveredPages), so it
     * must not depend on what failed (another mailbox or paging service than onCallSubscriptions).
     */
    undeliveredPageSubscriptions: z.array(onCallSubscription).default([]),
    /**
     * Lambda in private subnets (PCI DSS network isolation). prod turns it on;
     * an environment that turns it off must say why in `vpcIsolationWaiver`.
     */
    vpcIsolation: z.boolean(),
    vpcIsolationWaiver: z.string().optional(),
    /** Public base URL WePay calls back (a custom domain); defaults to the API's execute-api URL. */
    ipnBaseUrl: z.url().optional(),
    /** Where alarm descriptions point on-call: the published docs/runbooks.md (each alarm adds `#<its section>`). */
    runbookUrl: z.url().default(exampleRunbookUrl),
    /** Cost-allocation tags on every stack and resource of the environment (activate them in the billing console). */
    tags: z
      .object({
        project: z.string().min(1).default('payments'),
        costCenter: z.string().min(1).default('payments'),
      })
      .prefault({}),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    api: z
      .object({
        throttlingRateLimit: z.number().positive().default(50),
        throttlingBurstLimit: z.number().int().positive().default(100),
        /** Requests per 5 minutes per source IP before WAF blocks (WAF's minimum is 10); IPN paths excepted. */
        wafRateLimitPerIp: z.number().int().min(10).default(1000),
        /** IPN callbacks per 5 minutes per source IP: WePay sends every merchant's IPNs from a few addresses. */
        wafIpnRateLimitPerIp: z.number().int().min(10).default(3000),
        /**
         * `POST /v1/checkouts` per 5 minutes per `Authorization` header value: a backstop above the
         * API's own velocity limits (30 creates a minute per payer), which answer first with a precise Retry-After.
         */
        wafCheckoutCreatesPerToken: z.number().int().min(10).default(300),
        /** The Bot Control and anonymous-IP managed rule groups: `count` (observe) or `block`; `-c wafBotControl=` overrides. */
        wafBotControl: wafManagedRuleMode.default('count'),
      })
      .prefault({}),
    /** Thresholds of the payment and abuse alarms (docs/runbooks.md names each); 5-minute periods unless said. */
    alarms: z
      .object({
        /** Card testing: declines / (creations + declines) at or above this share... */
        declineRatio: z.number().gt(0).max(1).default(0.3),
        /** ...once at least this many checkout attempts reached the provider (a few declines alone are normal). */
        declineRatioMinimumAttempts: z.number().int().positive().default(20),
        /** Creates refused by a velocity limit (all limits together). */
        velocityLimited: z.number().int().positive().default(20),
        /** Share of provider calls that failed (unavailable, rejected, throttled)... */
        providerFailureRate: z.number().gt(0).max(1).default(0.1),
        /** ...once at least this many outcomes were counted. */
        providerFailureMinimumCalls: z.number().int().positive().default(10),
        /** Share of API requests answered 4xx... */
        api4xxRate: z.number().gt(0).max(1).default(0.25),
        /** ...once the API answered at least this many requests. */
        api4xxMinimumRequests: z.number().int().positive().default(100),
        /** Requests the web ACL blocked. */
        wafBlockedRequests: z.number().int().positive().default(200),
        /** Width of the expected checkout volume band, in standard deviations (lower: alarms sooner). */
        checkoutVolumeBandWidth: z.number().positive().default(3),
        /** IANA time zone of the platform's business day, so the volume model follows its hours across DST. */
        checkoutVolumeTimeZone: z
          .string()
          .refine(isTimeZone, 'checkoutVolumeTimeZone must be an IANA time zone, e.g. Europe/Paris')
          .default('UTC'),
      })
      .prefault({}),
    /** Reserved concurrency per function: caps blast radius and cost; the authorizer runs for every protected call. */
    concurrency: z
      .object({
        handler: z.number().int().positive().default(20),
        authorizer: z.number().int().positive().default(40),
      })
      .prefault({}),
  })
  .superRefine((env, ctx) => {
    if (!env.vpcIsolation && !env.vpcIsolationWaiver) {
      ctx.addIssue({
        code: 'custom',
        path: ['vpcIsolationWaiver'],
        message: 'an environment with vpcIsolation=false must explain why in vpcIsolationWaiver',
      });
    }
  });

export type EnvironmentConfig = z.infer<typeof environmentSchema> & { name: string; providerBaseUrl: string };

const environmentsSchema = z.partialRecord(z.enum(['stage', 'prod']), environmentSchema);

export class EnvironmentConfigError extends Error {
  override readonly name = 'EnvironmentConfigError';
}

/** Parses the `environments` context value into one config per environment, in a stable order. */
export function parseEnvironments(raw: unknown): EnvironmentConfig[] {
  const parsed = environmentsSchema.safeParse(typeof raw === 'string' ? JSON.parse(raw) : raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `environments.${issue.path.join('.')}: ${issue.message}`);
    throw new EnvironmentConfigError(`Invalid CDK context: ${problems.join('; ')}`);
  }
  const entries = Object.entries(parsed.data).filter((entry): entry is [string, z.infer<typeof environmentSchema>] =>
    entry[1] !== undefined,
  );
  if (entries.length === 0) throw new EnvironmentConfigError('Invalid CDK context: `environments` declares no environment');
  return entries.map(([name, env]) => ({ ...env, name, providerBaseUrl: providerBaseUrls[env.provider] }));
}

/** Account ids of the committed example configuration (cdk.json). */
export const placeholderAccounts: readonly string[] = ['111111111111', '222222222222'];

/** Hosts reserved for documentation (RFC 2606) or obviously an example: nothing real lives there. */
const exampleHost = /(^|\.)example\.(com|org|net)$|^github\.com$/;

function isExampleUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return exampleHost.test(url.hostname) && (url.hostname !== 'github.com' || url.pathname.startsWith('/example/'));
  } catch {
    return false;
  }
}

/**
 * The values of an environment that still come from the committed example configuration: the
 * app synthesizes with them (for review and the tests) but warns, and `npm run deploy` refuses
 * them (bin/preflight.ts). Each entry names the context key and its value.
 */
export function placeholdersIn(config: EnvironmentConfig): string[] {
  const found: string[] = [];
  const at = `environments.${config.name}`;
  if (placeholderAccounts.includes(config.account)) found.push(`${at}.account: ${config.account} is the example account id`);
  if (isExampleUrl(config.runbookUrl)) found.push(`${at}.runbookUrl: ${config.runbookUrl} is the example runbook URL`);
  for (const key of ['onCallSubscriptions', 'undeliveredPageSubscriptions'] as const) {
    config[key].forEach((subscription, index) => {
      const host = subscription.endpoint.includes('@') ? subscription.endpoint.split('@').pop()! : '';
      if (exampleHost.test(host) || isExampleUrl(subscription.endpoint)) {
        found.push(`${at}.${key}[${index}].endpoint: ${subscription.endpoint} is an example address`);
      }
    });
  }
  config.corsAllowedOrigins.forEach((origin, index) => {
    if (isExampleUrl(origin)) found.push(`${at}.corsAllowedOrigins[${index}]: ${origin} is an example origin`);
  });
  if (config.ipnBaseUrl && isExampleUrl(config.ipnBaseUrl)) found.push(`${at}.ipnBaseUrl: ${config.ipnBaseUrl} is an example URL`);
  return found;
}

/**
 * The bot and anonymous-IP rule groups' mode: the `wafBotControl` context value (`-c wafBotControl=block`)
 * when given, for every environment; otherwise the environment's `api.wafBotControl`.
 */
export function wafBotControlMode(config: EnvironmentConfig, contextValue: unknown): WafManagedRuleMode {
  if (contextValue === undefined) return config.api.wafBotControl;
  const parsed = wafManagedRuleMode.safeParse(contextValue);
  if (!parsed.success) {
    throw new EnvironmentConfigError(`Invalid CDK context: wafBotControl must be "count" or "block", not ${JSON.stringify(contextValue)}`);
  }
  return parsed.data;
}
