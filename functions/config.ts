// The one configuration module. Every setting is read here, validated with zod
// once, and a bad value stops start-up with a message naming the variable.
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini sets no locale: without it every message would be "Invalid input". Start-up errors
// and the API's validation errors (http/validation.ts) quote zod's English messages, as classic
// zod gives them by default. zod's one global setting, made here once for every module.
z.config(en());

/**
 * The payment provider this build speaks to: WePay (API v2), whose adapter is
 * functions/adapters/providers/wepay/, wired in functions/wiring/provider.ts. Fixed
 * at build time, not read from the environment: the route table the CDK app reads
 * names the IPN route after it (`/v1/ipn/wepay/{route_token}`), and the API
 * document spells it as `provider.name`. The wiring checks the adapter answers to it.
 */
export const paymentProviderName = 'wepay';

/** The app client id the local issuer mints tokens for (local/issuer.ts), AUTH_AUDIENCE's local default. */
export const localAppClientId = 'local-dev-client';

const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const nonEmpty = () => z.string().check(z.minLength(1));

const environmentSchema = z.object({
  /** `local` wires the embedded parts (dynalite, raw AES keyring, secrets file, local issuer); `aws` the real services. */
  PAYMENTS_RUNTIME: z._default(z.enum(['local', 'aws']), 'local'),
  /** Local only: where the local issuer's JWKS is found unless AUTH_JWKS says. */
  PAYMENTS_DATA_DIR: z._default(nonEmpty(), '.local'),
  AWS_REGION: z._default(nonEmpty(), 'us-east-1'),
  /** The logger reads it itself (functions/observability.ts, before any configuration); checked here so a typo fails start-up. */
  LOG_LEVEL: z._default(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']), 'INFO'),

  PAYMENTS_TABLE_NAME: z._default(nonEmpty(), 'payments'),
  IDEMPOTENCY_TABLE_NAME: z._default(nonEmpty(), 'idempotency'),
  AUDIT_TABLE_NAME: z._default(nonEmpty(), 'audit'),
  /** Days an audit record is kept (its TTL); the API contract asks for at least 365. */
  AUDIT_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.minimum(366), z.maximum(3_650)), 400),
  /** Local only: the dynalite endpoint. Unset in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),

  /** JWT issuer: the Cognito user pool URL in AWS, the local issuer's URL locally. */
  AUTH_ISSUER: z._default(nonEmpty(), 'https://issuer.payments.local'),
  /**
   * The app client ids whose tokens are accepted (`client_id` of access tokens, `aud` of ID tokens),
   * comma-separated. Never empty: in AWS the Cognito app client; locally the local issuer's client.
   */
  AUTH_AUDIENCE: z.optional(z.string()),
  /** Where the verifier reads the issuer's JWKS: a URL (Cognito) or, locally, a file path. */
  AUTH_JWKS: z.optional(nonEmpty()),

  /** KMS key ARN for envelope encryption of merchant tokens (aws runtime). */
  TOKEN_KMS_KEY_ARN: z.optional(nonEmpty()),
  /** Secrets Manager secret id holding the platform's credentials (aws runtime). */
  PLATFORM_SECRET_ID: z.optional(nonEmpty()),
  /** Seconds a fetched secret is cached before it is read again (rotation is picked up after this). */
  SECRETS_CACHE_SECONDS: positiveInt(300),

  /** The provider's API base URL: the sandbox locally, WePay stage or production in AWS. */
  PROVIDER_BASE_URL: z._default(z.url(), 'http://127.0.0.1:3001/v2'),
  /** Per attempt; 3 attempts plus backoff stay inside API Gateway's 29 s integration timeout. */
  PROVIDER_TIMEOUT_MS: positiveInt(7_000),
  PROVIDER_MAX_ATTEMPTS: positiveInt(3),
  /** Browser origins allowed to call the API (comma-separated); empty allows none. */
  CORS_ALLOWED_ORIGINS: z._default(z.string(), ''),
  /** aws: the SQS queue the IPN receiver hands notices to (locally an in-process queue). */
  IPN_QUEUE_URL: z.optional(z.url()),
  /** Public base URL the provider calls back (IPN), e.g. https://api.example.com. */
  IPN_BASE_URL: z.optional(z.url()),

  /** aws: the SQS queue of webhook delivery attempts (locally timers in process). */
  WEBHOOK_QUEUE_URL: z.optional(z.url()),
  /** aws: the EventBridge bus new events are also put on. */
  EVENT_BUS_NAME: z.optional(nonEmpty()),
  /** Local only: multiplies the webhook retry delays (npm start passes its SANDBOX_TIME_SCALE). */
  SANDBOX_TIME_SCALE: z._default(z.coerce.number().check(z.positive()), 1),

  PROCESSING_FEE_BPS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10_000)), 290),
  PROCESSING_FEE_FIXED: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 30),

  /** How long an idempotent result is replayed (at least 24 hours). */
  IDEMPOTENCY_RETENTION_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(86_400)), 86_400),
  /**
   * How long an in-flight request holds its idempotency key before a retry may take over;
   * also how long an action's recorded intent is its request's (docs/money-movement.md).
   */
  IDEMPOTENCY_LOCK_SECONDS: positiveInt(60),

  /** Velocity limits on checkout creation (card-testing protection), the API's sliding windows. */
  VELOCITY_CREATES_PER_MINUTE: positiveInt(30),
  VELOCITY_DECLINES_PER_HOUR: positiveInt(5),
  VELOCITY_DECLINES_PER_CARD_PER_DAY: positiveInt(10),
  VELOCITY_CREATES_PER_IP_PER_MINUTE: positiveInt(120),

  /** The reconciler's schedule (the CDK rule, and `npm start`'s timer × SANDBOX_TIME_SCALE). */
  RECONCILE_INTERVAL_SECONDS: positiveInt(300),
  /** A checkout in new/authorized/captured not read from the provider for this long is re-read by the reconciler. */
  RECONCILE_STALE_SECONDS: positiveInt(600),
});

export type Config = ReturnType<typeof parseConfig>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(env: Record<string, string | undefined>) {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  // Only what every function needs is required here: least privilege gives a
  // function the key or the secret only if it uses them (see requireSetting).
  if (e.PAYMENTS_RUNTIME === 'aws' && !e.AUTH_JWKS) {
    throw new ConfigError('Invalid configuration: AUTH_JWKS is required when PAYMENTS_RUNTIME=aws');
  }
  const audience = (e.AUTH_AUDIENCE ?? (e.PAYMENTS_RUNTIME === 'local' ? localAppClientId : ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // An empty audience would accept tokens issued to any app client of the pool (401).
  if (audience.length === 0) {
    throw new ConfigError('Invalid configuration: AUTH_AUDIENCE must name at least one app client id');
  }
  return {
    runtime: e.PAYMENTS_RUNTIME,
    region: e.AWS_REGION,
    tables: {
      payments: e.PAYMENTS_TABLE_NAME,
      idempotency: e.IDEMPOTENCY_TABLE_NAME,
      audit: e.AUDIT_TABLE_NAME,
      endpoint: e.DYNAMODB_ENDPOINT,
    },
    auth: {
      issuer: e.AUTH_ISSUER,
      audience,
      jwks: e.AUTH_JWKS ?? `${e.PAYMENTS_DATA_DIR}/issuer/jwks.json`,
    },
    tokenKmsKeyArn: e.TOKEN_KMS_KEY_ARN,
    platformSecretId: e.PLATFORM_SECRET_ID,
    secretsCacheSeconds: e.SECRETS_CACHE_SECONDS,
    provider: {
      baseUrl: e.PROVIDER_BASE_URL.replace(/\/+$/, ''),
      timeoutMs: e.PROVIDER_TIMEOUT_MS,
      maxAttempts: e.PROVIDER_MAX_ATTEMPTS,
    },
    ipnBaseUrl: e.IPN_BASE_URL,
    ipnQueueUrl: e.IPN_QUEUE_URL,
    webhooks: {
      queueUrl: e.WEBHOOK_QUEUE_URL,
      eventBusName: e.EVENT_BUS_NAME,
      // AWS refuses http and non-public addresses; locally http on 127.0.0.1 and localhost is allowed.
      urlPolicy: e.PAYMENTS_RUNTIME === 'aws' ? ('aws' as const) : ('local' as const),
      timeScale: e.PAYMENTS_RUNTIME === 'aws' ? 1 : e.SANDBOX_TIME_SCALE,
    },
    corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    processingFeeRate: { bps: e.PROCESSING_FEE_BPS, fixed: e.PROCESSING_FEE_FIXED },
    velocity: {
      createsPerMinute: e.VELOCITY_CREATES_PER_MINUTE,
      declinesPerHour: e.VELOCITY_DECLINES_PER_HOUR,
      declinesPerCardPerDay: e.VELOCITY_DECLINES_PER_CARD_PER_DAY,
      createsPerIpPerMinute: e.VELOCITY_CREATES_PER_IP_PER_MINUTE,
    },
    idempotency: {
      retentionSeconds: e.IDEMPOTENCY_RETENTION_SECONDS,
      lockSeconds: e.IDEMPOTENCY_LOCK_SECONDS,
    },
    reconcile: {
      intervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
      staleSeconds: e.RECONCILE_STALE_SECONDS,
    },
  } as const;
}

/** For settings only some functions need: fails with the variable's name when the one using it starts. */
export function requireSetting<T>(value: T | undefined, variable: string): T {
  if (value === undefined) throw new ConfigError(`Invalid configuration: ${variable} is required by this function`);
  return value;
}

let readConfig: () => Config = () => parseConfig(process.env);
let cached: Config | undefined;
/** The process's configuration, parsed on first use (Lambda cold start) and then reused. */
export function config(): Config {
  cached ??= readConfig();
  return cached;
}
/**
 * The local runtime's composition root says where the configuration comes from
 * (the environment with its own endpoints and paths on top) instead of writing
 * into `process.env`; Lambda keeps the default, the environment as set by CDK.
 */
export function useConfigSource(read: () => Config): void {
  readConfig = read;
  cached = undefined;
}
/** Tests re-read the configuration after changing the environment. */
export function resetConfig(): void {
  cached = undefined;
}
