// The composition root: builds each adapter once per process (a Lambda's cold
// start, or the local runtime) from the configuration, choosing AWS services or
// their embedded stand-ins. Handlers take what they need from here.
import { config } from './config.ts';
import { createTokenVerifier, type TokenVerifier } from './adapters/jwt/token-verifier.ts';

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

export const tokenVerifier = once<TokenVerifier>(() => createTokenVerifier(config().auth));
