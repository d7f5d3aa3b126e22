// The JSON document holding the platform's own credentials, the same in Secrets
// Manager (AWS) and in the local secrets file. The CDK stack documents and
// templates the secret from `platformSecretSchema` / `platformSecretKeys`.
//
//   {"client_id": "123456", "client_secret": "...", "app_access_token": "...",
//    "ipn_route_secret": "<at least 32 characters>",
//    "ipn_route_secret_previous": ["<the one before>", "..."]}
//
// client_id, client_secret and app_access_token (the provider's app credentials)
// are issued by the provider only; the
// rotation function (rotate-ipn-route-secret) changes ipn_route_secret and
// ipn_route_secret_previous and copies the rest.
import * as z from 'zod/mini';
import type { PlatformCredentials } from '#functions/ports/secrets.ts';

export const platformSecretSchema = z.object({
  /** The provider's app client id: a number, stored as a string or a JSON number. */
  client_id: z.pipe(z.union([z.string().check(z.regex(/^\d+$/)), z.number().check(z.int(), z.positive())]), z.transform(String)),
  client_secret: z.string().check(z.minLength(1)),
  app_access_token: z.string().check(z.minLength(1)),
  /** Key from which the IPN route tokens are derived: long enough to be unguessable. */
  ipn_route_secret: z.string().check(z.minLength(32)),
  /**
   * Earlier route secrets, newest first, still accepted for the route tokens of
   * older checkouts. Written by the rotation; absent until the first rotation.
   */
  ipn_route_secret_previous: z.optional(z.array(z.string().check(z.minLength(32)))),
});

export type PlatformSecretDocument = z.input<typeof platformSecretSchema>;

export const platformSecretKeys = Object.keys(platformSecretSchema.shape) as (keyof PlatformSecretDocument)[];

/** The fields only the provider can issue: no rotation function can renew them (README runbook "Rotate the platform credentials"). */
export const providerIssuedSecretKeys = ['client_id', 'client_secret', 'app_access_token'] as const satisfies readonly (keyof PlatformSecretDocument)[];

/** A platform secret that is missing, unreadable or malformed. The message names fields, never values. */
export class PlatformSecretsError extends Error {
  override readonly name = 'PlatformSecretsError';
}

/**
 * Validates a parsed secret document. On failure the error lists the offending
 * fields and issue codes only: zod messages and issue objects may echo input,
 * so neither is passed on, not even as `cause`.
 */
export function toPlatformCredentials(document: unknown, source: string): PlatformCredentials {
  const parsed = platformSecretSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(document)'}: ${issue.code}`);
    throw new PlatformSecretsError(`Platform secret ${source} is malformed (${problems.join('; ')})`);
  }
  const secret = parsed.data;
  return {
    clientId: secret.client_id,
    clientSecret: secret.client_secret,
    appAccessToken: secret.app_access_token,
    ipnRouteSecret: secret.ipn_route_secret,
    previousIpnRouteSecrets: secret.ipn_route_secret_previous ?? [],
  };
}

/** JSON.parse's message quotes the input in recent V8 versions; this one never does. */
export function parseSecretJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PlatformSecretsError(`Platform secret ${source} is not valid JSON`);
  }
}
