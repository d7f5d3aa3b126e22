// JWT verification with aws-jwt-verify, identical in AWS and locally: only where
// the JWKS comes from differs (Cognito's HTTPS endpoint, or the local issuer's
// file, read through a file fetcher so a new local key pair is picked up).
import { readFile } from 'node:fs/promises';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtExpiredError, JwtBaseError, FetchError, JwksNotAvailableInCacheError } from 'aws-jwt-verify/error';
import { AuthenticationError } from '#functions/domain/errors.ts';
import { userRoles, type Principal, type Role } from '#functions/domain/principal.ts';
import type { TokenVerifier } from '#functions/ports/token-verifier.ts';

export interface TokenVerifierSettings {
  issuer: string;
  /** Accepted app client ids (`client_id` of access tokens, `aud` of ID tokens); at least one. */
  audience: readonly string[];
  /** An https URL, or a file path holding the JWKS (local issuer). */
  jwks: string;
}

const fileFetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    try {
      const bytes = await readFile(new URL(uri));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    } catch (error) {
      // As a FetchError, an unreadable JWKS is reported as our fault below, not as the caller's token_invalid.
      throw new FetchError(uri, (error as Error).message);
    }
  },
};

function rolesOf(groups: unknown): Role[] {
  if (!Array.isArray(groups)) return [];
  // Never 'agent': that role comes only from an agt_ token, whatever groups a JWT claims.
  return userRoles.filter((role) => groups.includes(role));
}

/**
 * What aws-jwt-verify leaves optional and the API contract requires, as Cognito's verifier checks it: an
 * `exp` (a token without one would never expire), and the app client by token kind (`client_id`
 * of an access token, `aud` of an ID token), so a token the same pool issued to another app is refused.
 */
function checkCognitoClaims(payload: Record<string, unknown>, audience: readonly string[]): void {
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new Error('token has no expiry');
  const client = payload.token_use === 'access' ? payload.client_id : payload.token_use === 'id' ? payload.aud : undefined;
  if (!(typeof client === 'string' && audience.includes(client))) throw new Error('token issued to another client');
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new Error('token has no subject');
}

export function createTokenVerifier(settings: TokenVerifierSettings): TokenVerifier {
  // An empty list would have meant "any client of the issuer": refused at start-up instead.
  if (settings.audience.length === 0) throw new RangeError('The token verifier needs at least one app client id (AUTH_AUDIENCE)');
  const isUrl = /^https?:\/\//.test(settings.jwks);
  const jwksUri = isUrl ? settings.jwks : new URL(`file://${settings.jwks.startsWith('/') ? '' : `${process.cwd()}/`}${settings.jwks}`).href;
  const verifier = JwtVerifier.create(
    {
      issuer: settings.issuer,
      jwksUri,
      // `aud` is only the ID token's client claim: checked per token kind in checkCognitoClaims.
      audience: null,
      customJwtCheck: ({ payload }) => checkCognitoClaims(payload, settings.audience),
    },
    isUrl ? undefined : { jwksCache: new SimpleJwksCache({ fetcher: fileFetcher }) },
  );

  return {
    async verify(token) {
      try {
        const payload = await verifier.verify(token);
        return { sub: payload.sub as string, roles: rolesOf(payload['cognito:groups']) };
      } catch (error) {
        if (error instanceof JwtExpiredError) throw new AuthenticationError('token_expired', 'The bearer token has expired');
        // The issuer's keys could not be fetched: our fault, not the caller's.
        if (error instanceof FetchError || error instanceof JwksNotAvailableInCacheError) throw error;
        if (error instanceof JwtBaseError || error instanceof Error) {
          throw new AuthenticationError('token_invalid', 'The bearer token is invalid');
        }
        throw error;
      }
    },
  };
}
