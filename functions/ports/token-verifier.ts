import type { Principal } from '#functions/domain/principal.ts';

/** Checks a bearer token and names its caller. */
export interface TokenVerifier {
  /** Throws AuthenticationError (token_invalid, token_expired) for a bad token. */
  verify(token: string): Promise<Principal>;
}
