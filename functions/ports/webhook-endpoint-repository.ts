// Where the platform's webhook endpoints live (at most `maxWebhookEndpoints`, domain/webhook-endpoint.ts).
import type { SealedSecret, WebhookEndpoint } from '#functions/domain/webhook-endpoint.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

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
