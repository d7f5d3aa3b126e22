// The platform's webhook endpoints (at most `maxWebhookEndpoints`).
import type { EventType } from './events.ts';

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
