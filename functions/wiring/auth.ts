// Composition root, authentication part: the authorizer imports only this, so its
// cold start loads no storage, crypto or provider code.
import { config } from '#functions/config.ts';
import { createTokenVerifier } from '#functions/adapters/jwt/token-verifier.ts';
import type { TokenVerifier } from '#functions/ports/token-verifier.ts';
import { once } from './once.ts';

export const tokenVerifier = once<TokenVerifier>(() => createTokenVerifier(config().auth));
