// The platform's webhook endpoints (ops). A secret is shown only when made
// (create, rotate) and stored sealed by the token vault, its context binding it to
// the endpoint and the purpose. URLs are checked by form and, in AWS, by where
// their host resolves (again at every delivery: DNS can change).
import { randomBytes } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '#functions/domain/errors.ts';
import { formatSecret, isPublicAddress, secretOverlapMs, urlProblem, type EventType, type UrlPolicy } from '#functions/domain/events.ts';
import type { Page } from '#functions/domain/page.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { WebhookSecretVault } from '#functions/ports/token-vault.ts';
import { type WebhookEndpointRepository } from '#functions/ports/webhook-endpoint-repository.ts';
import { EndpointLimitError, maxWebhookEndpoints, type WebhookEndpoint } from '#functions/domain/webhook-endpoint.ts';
import type { HostResolver } from '#functions/ports/webhook-sender.ts';

export interface WebhookEndpointDeps {
  endpoints: WebhookEndpointRepository;
  vault: WebhookSecretVault;
  clock: Clock;
  urlPolicy: UrlPolicy;
  resolver: HostResolver;
}

export interface CreateEndpointInput {
  url: string;
  events: EventType[] | ['*'];
  description: string | null;
}

/** 32 random bytes: inside Standard Webhooks' 24–64. */
const secretBytes = 32;

const contextOf = (endpointId: string) => ({ endpointId, purpose: 'webhook_secret' }) as const;

export async function checkEndpointUrl(deps: Pick<WebhookEndpointDeps, 'urlPolicy' | 'resolver'>, url: string): Promise<void> {
  const problem = urlProblem(url, deps.urlPolicy);
  if (problem) throw new InvalidRequestError('parameter_invalid', problem, { param: 'url' });
  if (deps.urlPolicy !== 'aws') return;
  const addresses = await deps.resolver.resolve(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  if (addresses.length === 0) throw new InvalidRequestError('parameter_invalid', 'url does not resolve', { param: 'url' });
  if (!addresses.every(isPublicAddress)) {
    throw new InvalidRequestError('parameter_invalid', 'url must not resolve to a private, loopback or link-local address', { param: 'url' });
  }
}

export async function createWebhookEndpoint(deps: WebhookEndpointDeps, input: CreateEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  await checkEndpointUrl(deps, input.url);
  const id = `we_${randomBytes(12).toString('base64url')}`;
  const secret = formatSecret(randomBytes(secretBytes));
  const endpoint: WebhookEndpoint = {
    id,
    url: input.url,
    events: input.events,
    description: input.description,
    status: 'enabled',
    secrets: [{ sealed: await deps.vault.seal(secret, contextOf(id)), expiresAt: null }],
    createdAt: new Date(deps.clock.now()).toISOString(),
  };
  try {
    await deps.endpoints.create(endpoint);
  } catch (error) {
    if (error instanceof EndpointLimitError) {
      throw new InvalidRequestError('parameter_invalid', `at most ${maxWebhookEndpoints} webhook endpoints may exist; delete one first`);
    }
    throw error;
  }
  return { endpoint, secret };
}

export function listWebhookEndpoints(deps: Pick<WebhookEndpointDeps, 'endpoints'>, page: { limit: number; cursor?: string }): Promise<Page<WebhookEndpoint>> {
  return deps.endpoints.list(page);
}

export async function getWebhookEndpoint(deps: Pick<WebhookEndpointDeps, 'endpoints'>, id: string): Promise<WebhookEndpoint> {
  const endpoint = await deps.endpoints.get(id);
  if (!endpoint) throw new NotFoundError(`No webhook endpoint ${id}`);
  return endpoint;
}

export async function deleteWebhookEndpoint(deps: Pick<WebhookEndpointDeps, 'endpoints'>, id: string): Promise<void> {
  if (!(await deps.endpoints.delete(id))) throw new NotFoundError(`No webhook endpoint ${id}`);
}

/** A new current secret; the previous one keeps signing for 24 hours (older ones are dropped). */
export async function rotateWebhookSecret(deps: WebhookEndpointDeps, id: string): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const endpoint = await getWebhookEndpoint(deps, id);
  const now = deps.clock.now();
  const secret = formatSecret(randomBytes(secretBytes));
  const current = endpoint.secrets.find((s) => s.expiresAt === null);
  const secrets = [
    { sealed: await deps.vault.seal(secret, contextOf(id)), expiresAt: null },
    ...(current ? [{ sealed: current.sealed, expiresAt: now + secretOverlapMs }] : []),
  ];
  if (!(await deps.endpoints.replaceSecrets(id, secrets))) throw new NotFoundError(`No webhook endpoint ${id}`);
  return { endpoint: { ...endpoint, secrets }, secret };
}
