// The platform's webhook endpoints (at most `maxWebhookEndpoints`).
import type { EventType } from '#functions/domain/events.ts';
import type { Page, PageRequest } from '#functions/ports/checkout-repository.ts';

export const maxWebhookEndpoints = 16;

export interface SealedSecret {
  /** The token vault's ciphertext of `whsec_...`. */
  sealed: string;
  /** Epoch ms after which a rotated-out secret no longer signs; null for the current one. */
  expiresAt: number | null;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: EventType[] | ['*'];
  description: string | null;
  status: 'enabled' | 'disabled';
  /** Current first, then rotated-out ones still within their overlap. */
  secrets: SealedSecret[];
  createdAt: string;
}

export class EndpointLimitError extends Error {
  override readonly name = 'EndpointLimitError';
}

export interface WebhookEndpointRepository {
  /** @throws EndpointLimitError when `maxWebhookEndpoints` already exist */
  create(endpoint: WebhookEndpoint): Promise<void>;
  get(id: string): Promise<WebhookEndpoint | undefined>;
  /** Newest first. */
  list(page: PageRequest): Promise<Page<WebhookEndpoint>>;
  /** Every endpoint (there are at most 16). */
  all(): Promise<WebhookEndpoint[]>;
  /** True when it existed. */
  delete(id: string): Promise<boolean>;
  /** Replaces the secrets; false when the endpoint is gone. */
  replaceSecrets(id: string, secrets: SealedSecret[]): Promise<boolean>;
  /** Disabled for good (a 410). */
  disable(id: string): Promise<void>;
}
