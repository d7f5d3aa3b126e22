import { publishCheckoutChanges } from '#functions/app/events/publish.ts';
import type { StoredEvent } from '#functions/domain/events.ts';
import type { WebhookEndpoint } from '#functions/domain/webhook-endpoint.ts';
import type { EventStore } from '#functions/ports/event-store.ts';
import type { WebhookEndpointRepository } from '#functions/ports/webhook-endpoint-repository.ts';
import { checkoutFixture } from '../../support/checkout-fixture.ts';

const endpoint = (id: string, events: WebhookEndpoint['events']): WebhookEndpoint => ({
  id,
  url: `https://hooks.example.com/${id}`,
  events,
  description: null,
  status: 'enabled',
  secrets: [],
  createdAt: '2025-01-01T00:00:00.000Z',
});

function publisher() {
  const stored = new Map<string, StoredEvent>();
  const reads = { endpoints: 0 };
  const endpoints = { all: async () => (reads.endpoints += 1, [endpoint('we_all', ['*']), endpoint('we_captures', ['checkout.captured'])]) } as unknown as WebhookEndpointRepository;
  const events = {
    putIfAbsent: async (event: StoredEvent) => !stored.has(event.body.id) && Boolean(stored.set(event.body.id, event)),
    get: async (id: string) => stored.get(id),
  } as unknown as EventStore;
  const queued: string[] = [];
  const deps = {
    events,
    endpoints,
    queue: { send: async (message: { eventId: string; endpointId: string }) => void queued.push(`${message.eventId}→${message.endpointId}`) },
    clock: { now: () => Date.UTC(2025, 0, 1) },
    render: { checkout: (c: { id: string }) => ({ id: c.id }), refund: () => undefined, account: () => ({}), mandate: () => ({}) },
  };
  return { deps, stored, reads, queued };
}

test("a write's events read the webhook endpoints once between them, each event getting the deliveries its type subscribes to", async () => {
  const { deps, stored, reads, queued } = publisher();
  const checkout = checkoutFixture('chk_1', {
    state: 'captured',
    changes: [{ version: 1, at: '2025-01-01T00:00:00.000Z', source: 'api', types: ['checkout.created', 'checkout.captured'] }],
  });

  const published = await publishCheckoutChanges(deps, checkout, 0);

  expect(published.map((e) => e.type)).toEqual(['checkout.created', 'checkout.captured']);
  expect(reads.endpoints).toBe(1);
  const deliveriesOf = (type: string) => [...stored.values()].find((e) => e.body.type === type)!.deliveries.map((d) => d.endpointId);
  expect(deliveriesOf('checkout.created')).toEqual(['we_all']);
  expect(deliveriesOf('checkout.captured')).toEqual(['we_all', 'we_captures']);
  expect(queued).toHaveLength(3);
});

test('a write whose changes were all published already reads no endpoint', async () => {
  const { deps, reads } = publisher();
  const checkout = checkoutFixture('chk_2', { changes: [{ version: 1, at: '2025-01-01T00:00:00.000Z', source: 'api', types: ['checkout.created'] }] });

  expect(await publishCheckoutChanges(deps, checkout, 1)).toEqual([]);
  expect(reads.endpoints).toBe(0);
});
