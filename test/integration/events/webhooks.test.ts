// Events and webhooks through the local runtime: a checkout driven through the API
// reaches a receiver registered as an endpoint, signed per Standard Webhooks.
import { jest } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from './webhook-receiver.ts';

let rt: TestRuntime;
let receiver: WebhookReceiver;
let seq = 0;
const uid = (p: string) => `${p}-${Date.now()}-${++seq}`;


beforeAll(async () => {
  // Webhook retry delays shrink a thousandfold: 5 s becomes 5 ms.
  rt = await startTestRuntime({ sandbox: { timeScale: 0.001 } });
  receiver = await startWebhookReceiver();
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await receiver?.close();
});

const ops = () => rt.dev.tokens.ops;

async function register(url: string, events: string[] = ['*']) {
  const reply = await rt.call('POST', '/v1/webhook_endpoints', { token: ops(), body: { url, events } });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; secret: string; status: string };
}

async function capturedCheckoutWithRefund() {
  const created = await rt.call('POST', '/v1/checkouts', {
    token: rt.dev.tokens.payer,
    body: {
      unique_id: uid('evt'),
      account_id: rt.dev.account_id,
      amount: 2_000,
      currency: 'USD',
      short_description: 'Webhook test',
      payment_method: { type: 'credit_card', credit_card: { id: rt.dev.credit_card_ids.success, auto_capture: false } },
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const captured = await rt.call('POST', `/v1/checkouts/${id}/capture`, { token: rt.dev.tokens.merchant, body: { unique_id: uid('cap') } });
  expect(captured.status).toBe(200);
  const refunded = await rt.call('POST', `/v1/checkouts/${id}/refund`, { token: rt.dev.tokens.merchant, body: { unique_id: uid('rfd'), reason: 'test', amount: 500 } });
  expect(refunded.status).toBe(200);
  return id;
}

const forCheckout = (id: string, type: string) => receiver.received.find((r) => r.json.type === type && r.json.data.object.id === id);

describe('webhooks', () => {
  let endpoint: { id: string; secret: string };
  let checkoutId: string;

  beforeAll(async () => {
    endpoint = await register(receiver.url);
    checkoutId = await capturedCheckoutWithRefund();
  }, 60_000);

  it('delivers checkout.created, checkout.captured and checkout.refund.succeeded, each verifiable with the registration secret', async () => {
    const webhook = new Webhook(endpoint.secret);
    for (const type of ['checkout.created', 'checkout.captured', 'checkout.refund.succeeded']) {
      const delivery = await waitFor(type, () => forCheckout(checkoutId, type));
      const verified = webhook.verify(delivery.body, delivery.headers as Record<string, string>) as any;
      expect(verified.type).toBe(type);
      expect(delivery.headers['webhook-id']).toBe(verified.id);
      expect(verified.id).toMatch(/^evt_/);
      expect(verified).not.toHaveProperty('deliveries');
    }
    const captured = forCheckout(checkoutId, 'checkout.captured')!.json;
    expect(captured.data.object.state).toBe('captured');
    const refund = forCheckout(checkoutId, 'checkout.refund.succeeded')!.json;
    expect(refund.data.refund).toMatchObject({ amount: 500, state: 'succeeded' });
    expect(refund.data.object.amount_refunded).toBe(500);
  });

  it('fails verification of a tampered body or an old timestamp', async () => {
    const delivery = await waitFor('checkout.created', () => forCheckout(checkoutId, 'checkout.created'));
    const webhook = new Webhook(endpoint.secret);
    const headers = delivery.headers as Record<string, string>;
    expect(() => webhook.verify(delivery.body.replace('"checkout.created"', '"checkout.captured"'), headers)).toThrow();
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    expect(() => webhook.verify(delivery.body, { ...headers, 'webhook-timestamp': old })).toThrow();
  });

  it('lists events newest first, filters by type and shows one with its deliveries', async () => {
    await waitFor('refund event', () => forCheckout(checkoutId, 'checkout.refund.succeeded'));
    const list = await rt.call('GET', '/v1/events?limit=100', { token: ops() });
    expect(list.status).toBe(200);
    const created = list.body.data.map((e: any) => e.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    expect(list.body.data.every((e: any) => !('deliveries' in e))).toBe(true);
    const byType = await rt.call('GET', '/v1/events?type=checkout.captured', { token: ops() });
    expect(byType.body.data.length).toBeGreaterThan(0);
    expect(byType.body.data.every((e: any) => e.type === 'checkout.captured')).toBe(true);
    const eventId = forCheckout(checkoutId, 'checkout.captured')!.json.id;
    const one = await waitFor('delivered', async () => {
      const reply = await rt.call('GET', `/v1/events/${eventId}`, { token: ops() });
      return reply.body.deliveries?.find((d: any) => d.endpoint_id === endpoint.id && d.status === 'delivered') ? reply : undefined;
    });
    expect(one.body.deliveries).toContainEqual({ endpoint_id: endpoint.id, status: 'delivered', attempts: 1, last_status_code: 200, next_attempt_at: null });
    expect((await rt.call('GET', '/v1/events/evt_nope', { token: ops() })).status).toBe(404);
    expect((await rt.call('GET', '/v1/events', { token: rt.dev.tokens.merchant })).status).toBe(403);
  });

  it('publishes merchant.account.created with the account object', async () => {
    const list = await waitFor('account event', async () => {
      const reply = await rt.call('GET', '/v1/events?type=merchant.account.created', { token: ops() });
      return reply.body.data.find((e: any) => e.data.object.id === rt.dev.account_id);
    });
    expect(list.data.object).toMatchObject({ id: rt.dev.account_id, state: expect.any(String) });
  });
});
