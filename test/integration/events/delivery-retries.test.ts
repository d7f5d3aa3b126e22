// Retries, 410, secret rotation, redelivery and the endpoint routes, through the
// local runtime with webhook delays scaled down (SANDBOX_TIME_SCALE), so the retry
// schedule runs in milliseconds; every wait is on a condition.
import { jest } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from './webhook-receiver.ts';

let rt: TestRuntime;
const receivers: WebhookReceiver[] = [];
let seq = 0;
const uid = (p: string) => `${p}-${Date.now()}-${++seq}`;


beforeAll(async () => {
  rt = await startTestRuntime({ sandbox: { timeScale: 0.0001 } });
}, 120_000);

afterAll(async () => {
  await rt?.close();
  for (const r of receivers) await r.close();
});

const ops = () => rt.dev.tokens.ops;

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function register(url: string, events: string[] = ['checkout.created']) {
  const reply = await rt.call('POST', '/v1/webhook_endpoints', { token: ops(), body: { url, events } });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; secret: string; status: string; url: string; events: string[]; description: null; created_at: string };
}

async function deleteEndpoint(id: string) {
  expect((await rt.call('DELETE', `/v1/webhook_endpoints/${id}`, { token: ops() })).status).toBe(200);
}

async function newCheckout(): Promise<string> {
  const created = await rt.call('POST', '/v1/checkouts', {
    token: rt.dev.tokens.payer,
    body: {
      unique_id: uid('retry'),
      account_id: rt.dev.account_id,
      amount: 1_000,
      currency: 'USD',
      short_description: 'Retry test',
      payment_method: { type: 'credit_card', credit_card: { id: rt.dev.credit_card_ids.success, auto_capture: false } },
    },
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

const createdFor = (r: WebhookReceiver, checkoutId: string) =>
  r.received.filter((w) => w.json.type === 'checkout.created' && w.json.data.object.id === checkoutId);

async function eventOf(r: WebhookReceiver, checkoutId: string) {
  return (await waitFor('a delivery', () => createdFor(r, checkoutId)[0])).json.id as string;
}

async function deliveryOf(eventId: string, endpointId: string, until: (d: any) => boolean) {
  return waitFor(`delivery of ${eventId}`, async () => {
    const reply = await rt.call('GET', `/v1/events/${eventId}`, { token: ops() });
    const delivery = reply.body.deliveries?.find((d: any) => d.endpoint_id === endpointId);
    return delivery && until(delivery) ? delivery : undefined;
  });
}

it('retries a receiver answering 500 twice then 200: three attempts with the same webhook-id, then delivered', async () => {
  const r = await receiver();
  r.answers.push(500, 500);
  const endpoint = await register(r.url);
  const checkoutId = await newCheckout();
  await waitFor('three attempts', () => createdFor(r, checkoutId).length >= 3);
  const attempts = createdFor(r, checkoutId);
  expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
  const delivery = await deliveryOf(attempts[0]!.json.id, endpoint.id, (d) => d.status === 'delivered');
  expect(delivery).toEqual({ endpoint_id: endpoint.id, status: 'delivered', attempts: 3, last_status_code: 200, next_attempt_at: null });
  await deleteEndpoint(endpoint.id);
});

it('fails the delivery without retries on a 410 and disables the endpoint for good', async () => {
  const r = await receiver();
  r.answers.push(410);
  const endpoint = await register(r.url);
  const checkoutId = await newCheckout();
  const eventId = await eventOf(r, checkoutId);
  const delivery = await deliveryOf(eventId, endpoint.id, (d) => d.status === 'failed');
  expect(delivery).toEqual({ endpoint_id: endpoint.id, status: 'failed', attempts: 1, last_status_code: 410, next_attempt_at: null });
  expect((await rt.call('GET', `/v1/webhook_endpoints/${endpoint.id}`, { token: ops() })).body.status).toBe('disabled');
  // Events created after are not for a disabled endpoint, and redeliver skips it.
  const other = await receiver();
  const watcher = await register(other.url);
  const later = await newCheckout();
  await eventOf(other, later);
  expect(createdFor(r, later)).toHaveLength(0);
  const redelivered = await rt.call('POST', `/v1/events/${eventId}/redeliver`, { token: ops() });
  expect(redelivered.status).toBe(200);
  expect(r.received).toHaveLength(1);
  await deleteEndpoint(watcher.id);
  await deleteEndpoint(endpoint.id);
});

it('signs with both secrets for a day after rotation: either verifies', async () => {
  const r = await receiver();
  const endpoint = await register(r.url);
  const rotated = await rt.call('POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, { token: ops() });
  expect(rotated.status).toBe(200);
  expect(rotated.body.secret).toMatch(/^whsec_/);
  expect(rotated.body.secret).not.toBe(endpoint.secret);
  const checkoutId = await newCheckout();
  const delivery = await waitFor('a delivery', () => createdFor(r, checkoutId)[0]);
  expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
  for (const secret of [endpoint.secret, rotated.body.secret]) {
    expect(new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>)).toMatchObject({ type: 'checkout.created' });
  }
  await deleteEndpoint(endpoint.id);
});

it('redelivers on request: one more attempt now, counted in attempts', async () => {
  const r = await receiver();
  const endpoint = await register(r.url);
  const checkoutId = await newCheckout();
  const eventId = await eventOf(r, checkoutId);
  await deliveryOf(eventId, endpoint.id, (d) => d.status === 'delivered');
  const reply = await rt.call('POST', `/v1/events/${eventId}/redeliver`, { token: ops() });
  expect(reply.status).toBe(200);
  expect(reply.body).toMatchObject({ id: eventId, type: 'checkout.created' });
  await waitFor('the second attempt', () => createdFor(r, checkoutId).length === 2);
  expect(await deliveryOf(eventId, endpoint.id, (d) => d.attempts === 2)).toMatchObject({ status: 'delivered', last_status_code: 200 });
  expect((await rt.call('POST', '/v1/events/evt_missing/redeliver', { token: ops() })).status).toBe(404);
  await deleteEndpoint(endpoint.id);
});

describe('webhook endpoint routes', () => {
  it('creates (secret shown once), lists and gets without the secret, deletes', async () => {
    const created = await rt.call('POST', '/v1/webhook_endpoints', {
      token: ops(),
      body: { url: 'http://localhost:9/hooks', events: ['checkout.captured', 'checkout.refund.succeeded'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: 'http://localhost:9/hooks', events: ['checkout.captured', 'checkout.refund.succeeded'], description: null, status: 'enabled' });
    expect(created.body.id).toMatch(/^we_/);
    const key = Buffer.from(created.body.secret.slice('whsec_'.length), 'base64');
    expect(key.length).toBeGreaterThanOrEqual(24);
    expect(key.length).toBeLessThanOrEqual(64);
    const got = await rt.call('GET', `/v1/webhook_endpoints/${created.body.id}`, { token: ops() });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    const listed = await rt.call('GET', '/v1/webhook_endpoints', { token: ops() });
    expect(listed.body.data.find((e: any) => e.id === created.body.id)).not.toHaveProperty('secret');
    expect(listed.body).toHaveProperty('next_cursor');
    const deleted = await rt.call('DELETE', `/v1/webhook_endpoints/${created.body.id}`, { token: ops() });
    expect(deleted).toMatchObject({ status: 200, body: { id: created.body.id, deleted: true } });
    expect((await rt.call('GET', `/v1/webhook_endpoints/${created.body.id}`, { token: ops() })).status).toBe(404);
    expect((await rt.call('DELETE', `/v1/webhook_endpoints/${created.body.id}`, { token: ops() })).status).toBe(404);
  });

  it('refuses bad bodies with parameter_invalid, other roles with 403', async () => {
    const post = (body: unknown, token = ops()) => rt.call('POST', '/v1/webhook_endpoints', { token, body });
    for (const body of [
      { events: ['*'] },
      { url: 'http://localhost:9/x' },
      { url: 'http://user:pw@localhost:9/x', events: ['*'] },
      { url: `https://example.com/${'a'.repeat(2050)}`, events: ['*'] },
      { url: 'http://example.com/x', events: ['*'] },
      { url: 'http://localhost:9/x', events: ['checkout.nope'] },
      { url: 'http://localhost:9/x', events: ['*', 'checkout.created'] },
      { url: 'http://localhost:9/x', events: [] },
    ]) {
      const reply = await post(body);
      expect({ body, status: reply.status, code: reply.body.error.code }).toEqual({ body, status: 400, code: 'parameter_invalid' });
    }
    expect((await post({ url: 'http://localhost:9/x', events: ['*'] }, rt.dev.tokens.merchant)).status).toBe(403);
  });

  it('allows at most 16 endpoints', async () => {
    const ids: string[] = [];
    const existing = (await rt.call('GET', '/v1/webhook_endpoints?limit=100', { token: ops() })).body.data.length as number;
    for (let i = existing; i < 16; i++) ids.push((await register(`http://127.0.0.1:9/${i}`)).id);
    const over = await rt.call('POST', '/v1/webhook_endpoints', { token: ops(), body: { url: 'http://127.0.0.1:9/over', events: ['*'] } });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('parameter_invalid');
    await deleteEndpoint(ids.pop()!);
    const again = await register('http://127.0.0.1:9/again');
    ids.push(again.id);
    for (const id of ids) await deleteEndpoint(id);
  });
});
