// Secrets Manager's rotation function for the platform secret: renews
// ipn_route_secret every rotation interval, keeping the earlier ones accepted
// (functions/domain/ipn-route-secret-rotation.ts says for how long and why).
// client_id, client_secret and app_access_token are issued by the provider only and are
// copied unchanged. Secrets Manager invokes it synchronously, once per step.
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { logger } from '#functions/observability.ts';
import { platformSecretRotation } from '#functions/wiring/rotation.ts';

export async function handler(event: SecretsManagerRotationEvent, context?: Context): Promise<void> {
  if (context) logger.addContext(context);
  await platformSecretRotation().run(event);
}
