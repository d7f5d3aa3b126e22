// Secrets Manager's rotation function for the platform secret: renews
// ipn_route_secret every rotation interval, keeping the earlier ones accepted
// (functions/domain/ipn-route-secret-rotation.ts says for how long and why).
// client_id, client_secret and app_access_token are issued by WePay only and are
// copied unchanged. Secrets Manager invokes it synchronously, once per step.
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { ipnRouteSecretRotation, type IpnRouteSecretRotation } from '#functions/adapters/secrets/ipn-route-secret-rotation.ts';
import { logger } from '#functions/observability.ts';

let rotation: IpnRouteSecretRotation | undefined;

export async function handler(event: SecretsManagerRotationEvent, context?: Context): Promise<void> {
  if (context) logger.addContext(context);
  rotation ??= ipnRouteSecretRotation({ logger });
  await rotation.run(event);
}
