// The typed client (client/) against the local runtime: its generated types match
// the document the API serves, and it pays, replays, refunds and reports errors
// as the API contract says.
import { readFile } from 'node:fs/promises';
import { generateSchemaTypes, schemaPath } from '../../../client/generate.ts';
import { createPaymentsClient, isApiError, newUniqueId, PaymentsApiError, type Checkout, type PaymentsClient } from '../../../client/index.ts';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';

let rt: TestRuntime;
let payer: PaymentsClient;
let merchant: PaymentsClient;
beforeAll(async () => {
  rt = await startTestRuntime({ sandbox: { lifecycle: { captureAfterMs: 200, releaseAfterMs: null } } });
  payer = createPaymentsClient({ baseUrl: rt.apiUrl, token: rt.dev.tokens.payer });
  merchant = createPaymentsClient({ baseUrl: rt.apiUrl, token: rt.dev.tokens.merchant });
});
afterAll(async () => {
  await rt?.close();
});

const order = (card: string, uniqueId = newUniqueId()) => ({
  unique_id: uniqueId,
  account_id: rt.dev.account_id,
  amount: 2500,
  currency: 'USD' as const,
  short_description: 'Two coffees',
  type: 'goods' as const,
  fee: { app_fee: 100, fee_payer: 'payee_from_app' as const },
  payment_method: { type: 'credit_card' as const, credit_card: { id: card, auto_capture: true } },
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('client/schema.d.ts is what openapi-typescript generates from the served /v1/openapi.json (run npm run client:generate)', async () => {
  const served = (await rt.call('GET', '/v1/openapi.json')).body as object;
  expect(await readFile(schemaPath, 'utf8')).toBe(await generateSchemaTypes(served));
});

test('quotes fees, pays, replays the same unique_id without paying again, and refunds once captured', async () => {
  const quote = await payer.quoteFees({ currency: 'USD', amount: 2500, app_fee: 100, fee_payer: 'payer' });
  expect(quote).toMatchObject({ amount: 2500, app_fee: 100, payer_total: 2500 + 100 + quote.processing_fee, merchant_net: 2500 });

  const prepared = payer.prepareCheckout(order(rt.dev.credit_card_ids.success));
  const created = await prepared.submit();
  expect(created).toMatchObject({ replayed: false, value: { unique_id: prepared.uniqueId, amount: 2500, state: 'authorized' } });
  expect(created.requestId).toMatch(/^req_/);
  const again = await prepared.submit();
  expect(again).toMatchObject({ replayed: true, value: { id: created.value.id } });

  const captured = await until(() => payer.getCheckout(created.value.id), (c: Checkout) => c.state === 'captured');
  expect(captured.state).toBe('captured');
  const refunded = await merchant.refundCheckout(captured.id, { unique_id: newUniqueId('refund'), reason: 'Cold coffee' });
  expect(refunded).toMatchObject({ amount_refunded: 2500 });
  const listed = await merchant.listCheckouts({ account_id: rt.dev.account_id, limit: 100 });
  expect(listed.data.filter((c) => c.unique_id === prepared.uniqueId)).toHaveLength(1);
});

test('a declined card is a typed card_declined error with its request id, and its replay is the same 402', async () => {
  const body = order(rt.dev.credit_card_ids.decline);
  const first = await payer.createCheckout(body).catch((e: unknown) => e);
  const replay = await payer.createCheckout(body).catch((e: unknown) => e);
  for (const thrown of [first, replay]) {
    expect(isApiError(thrown, 'card_declined')).toBe(true);
    expect(thrown).toMatchObject({ status: 402, type: 'card_error', code: 'card_declined' });
    expect((thrown as PaymentsApiError).requestId).toMatch(/^req_/);
  }
});

test('validation and missing resources come back as typed errors naming the parameter', async () => {
  const invalid = await payer.createCheckout({ ...order(rt.dev.credit_card_ids.success), amount: -1 }).catch((e: unknown) => e);
  expect(invalid).toMatchObject({ status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'amount' });
  const missing = await payer.getCheckout('chk_nope').catch((e: unknown) => e);
  expect(missing).toMatchObject({ status: 404, type: 'not_found', code: 'resource_missing' });
  const unauthenticated = await createPaymentsClient({ baseUrl: rt.apiUrl }).getCheckout('chk_nope').catch((e: unknown) => e);
  expect(unauthenticated).toMatchObject({ status: 401, type: 'authentication_error' });
});

test('a creation whose provider answer was lost ends, through the client, with one provider checkout', async () => {
  const sandbox = rt.dev.sandbox_url;
  const creates = async () =>
    ((await (await fetch(`${sandbox}/__sandbox/calls?path=/v2/checkout/create`)).json()) as { calls: { unique_id: string; status: number | null }[] }).calls;
  const before = (await creates()).length;
  const fault = await fetch(`${sandbox}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ path: '/v2/checkout/create', mode: 'drop_after_commit', times: 1 }),
  });
  expect(fault.ok).toBe(true);
  const description = `Lost answer ${newUniqueId('x')}`;
  const retries: string[] = [];
  const client = createPaymentsClient({ baseUrl: rt.apiUrl, token: rt.dev.tokens.payer, retry: { onRetry: (e) => retries.push(e.reason) } });
  const checkout = await client.createCheckout({ ...order(rt.dev.credit_card_ids.success), short_description: description });
  expect(checkout.short_description).toBe(description);
  // The dropped call and any retry of it carry one provider unique_id, which the provider creates once.
  const calls = (await creates()).slice(before);
  expect(calls[0]?.status).toBeNull();
  expect(new Set(calls.map((c) => c.unique_id)).size).toBe(1);
  // Whether the API settled it within its own retry loop or answered 503 for the client to retry, the only retries were safe ones.
  expect(retries.every((reason) => reason === 'provider_unavailable' || reason === 'idempotency_key_in_use')).toBe(true);
});
