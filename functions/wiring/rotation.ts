// Composition root, rotation part: the platform secret's rotation, built once per
// Lambda instance for Secrets Manager's four synchronous steps. A finished rotation
// leaves an audit record (actor system:rotation, action secrets.rotate).
import { ipnRouteSecretRotation } from '#functions/adapters/secrets/ipn-route-secret-rotation.ts';
import { recordSystemChange } from '#functions/app/audit.ts';
import { logger } from '#functions/observability.ts';
import { auditDeps } from './audit.ts';
import { once } from './once.ts';

export const platformSecretRotation = once(() =>
  ipnRouteSecretRotation({
    logger,
    onRotated: async (resource) => {
      await recordSystemChange(auditDeps(), { actor: 'system:rotation', action: 'secrets.rotate', resource: { type: 'secret', id: resource } });
    },
  }),
);
