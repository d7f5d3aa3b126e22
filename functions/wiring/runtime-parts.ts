// The adapters that differ between runtimes. In Lambda, each wiring module builds
// the AWS one from the configuration on first use; the local runtime
// (local/composition.ts) builds its own and installs them before any handler
// runs. Lambda code never imports local/, so no local adapter reaches a bundle.
// Only types are imported here: a route's bundle carries just the AWS adapters
// its own wiring module builds.
import { config, ConfigError } from '#functions/config.ts';
import type { IpnQueue } from '#functions/ports/ipn-queue.ts';
import type { PlatformSecrets } from '#functions/ports/secrets.ts';
import type { TokenVault, WebhookSecretVault } from '#functions/ports/token-vault.ts';
import type { DeliveryQueue, EventBus } from '#functions/ports/webhook-sender.ts';

export interface RuntimeParts {
  platformSecrets: PlatformSecrets;
  /** One key and envelope format for merchant tokens and webhook signing secrets. */
  vault: TokenVault & WebhookSecretVault;
  ipnQueue: IpnQueue;
  deliveryQueue: DeliveryQueue;
  /** The bus new events are also put on; the local runtime has none. */
  eventBus: EventBus | undefined;
}

let installed: RuntimeParts | undefined;

/** The local runtime's composition root hands its adapters over here, once, before serving. */
export function installRuntimeParts(parts: RuntimeParts): void {
  installed = parts;
}

/** The installed part, else the AWS one that `aws` builds. */
export function runtimePart<K extends keyof RuntimeParts>(key: K, aws: () => RuntimeParts[K]): RuntimeParts[K] {
  if (installed) return installed[key];
  if (config().runtime === 'local') {
    throw new ConfigError('PAYMENTS_RUNTIME=local: the local runtime (npm start) installs the local adapters; none are installed in this process');
  }
  return aws();
}
