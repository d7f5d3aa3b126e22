// Composition root, rotation part: the platform secret's rotation, built once per
// Lambda instance for Secrets Manager's four synchronous steps.
import { ipnRouteSecretRotation } from '#functions/adapters/secrets/ipn-route-secret-rotation.ts';
import { logger } from '#functions/observability.ts';
import { once } from './once.ts';

export const platformSecretRotation = once(() => ipnRouteSecretRotation({ logger }));
