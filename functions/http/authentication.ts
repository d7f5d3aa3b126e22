// What every protected request goes through before reaching a handler: the API contract's
// "credentials in the URL are rejected before authentication", then the bearer
// token. Used by the API Gateway REQUEST authorizer and, through it, locally.
import { AuthenticationError, InvalidRequestError } from '#functions/domain/errors.ts';
import type { Principal } from '#functions/domain/principal.ts';
import type { TokenVerifier } from '#functions/ports/token-verifier.ts';

const credentialParameter = /^(access_token|api_key|apikey|token|client_secret)$/i;

/** Throws credentials_in_url when the query string carries a credential; its value is never read. */
export function rejectCredentialsInQuery(parameterNames: Iterable<string>): void {
  for (const name of parameterNames) {
    if (credentialParameter.test(name)) {
      throw new InvalidRequestError(
        'credentials_in_url',
        'Credentials must not be sent in the URL; use the Authorization header',
        { param: name.toLowerCase() },
      );
    }
  }
}

export function hasCredentialsInQuery(parameterNames: Iterable<string>): boolean {
  for (const name of parameterNames) if (credentialParameter.test(name)) return true;
  return false;
}

/** Header lookup is case-insensitive: API Gateway passes headers as the client sent them. */
export function headerValue(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** Checks an `agt_` token (app/mandates.ts); absent, such a token is just an invalid JWT. */
export type AgentAuthenticator = (token: string) => Promise<Principal>;

export async function authenticate(authorization: string | undefined, verifier: TokenVerifier, agents?: AgentAuthenticator): Promise<Principal> {
  if (!authorization || authorization.trim() === '') {
    throw new AuthenticationError('authentication_required', 'An Authorization: Bearer token is required');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new AuthenticationError('token_invalid', 'The Authorization header must be: Bearer <token>');
  // An agent's opaque token, not a JWT.
  if (agents && match[1].startsWith('agt_')) return agents(match[1]);
  return verifier.verify(match[1]);
}
