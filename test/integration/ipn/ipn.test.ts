// WePay's IPNs end to end on the local runtime: the sandbox posts to the callback
// URI each checkout carries, the receiver checks the route token and queues the
// hint, the processor fetches the checkout from the provider and records it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { routeTokenFor } from '#functions/app/ipn.ts';
import { inProcessQueue, localIpnQueueName } from '#local/adapters/in-process-queue.ts';
import { localSecretsPath } from '#local/secrets-file.ts';
import { waitFor } from '../../support/wait-for.ts';
import { expectApiError, expectEveryResponseHeaders } from '../../support/api-expectations.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from '../checkouts/checkout-harness.ts';

let h: CheckoutHarness;
let routeToken: string;
/** The runtime's text log: one line per request, the functions' warnings and errors. */
const logLines: string[] = [];

beforeAll(async () => {
  // A small time scale turns the queue's 180 s redelivery delay into 36 ms.
  h = await startCheckoutHarness({ sandbox: { timeScale: 0.0002 }, log: (line) => logLines.push(line) });
  const secrets = JSON.parse(await readFile(localSecretsPath(h.dataDir), 'utf8')) as { ipn_route_secret: string };
  routeToken = routeTokenFor('wepay', secrets.ipn_route_secret);
});
afterAll(() => h.close());

async function newCheckout(autoCapture = false) {
  const reply = await h.createCheckout(h.checkoutBody(newUniqueId('ipn'), { payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.success, auto_capture: autoCapture } } }));
  expect(reply.status).toBe(201);
  return reply.body as { id: string; provider: { checkout_id: string }; state: string };
}

const stateOf = async (id: string) => (await h.as(h.dev.tokens.ops).call('GET', `/v1/checkouts/${id}`)).body as { state: string; amount_charged_back: number };

/** The in-process IPN queue the runtime consumes: idle() resolves once every queued notice is processed. */
const ipnQueue = inProcessQueue(localIpnQueueName);

/** Provider fetches (/v2/checkout) of one checkout so far. */
const fetchesOf = async (providerCheckoutId: string) =>
  (await h.sandbox.calls('/v2/checkout')).filter((c) => String(c.checkout_id) === providerCheckoutId).length;

/**
 * Waits until the sandbox has delivered every IPN of this checkout (nothing pending) and our
 * queue has processed them: from then on, nothing fetches it unless something new arrives.
 */
async function ipnsSettled(providerCheckoutId: string): Promise<void> {
  await waitFor(async () => {
    const { ipns, pending } = (await h.sandbox.request('GET', `/__sandbox/ipns?checkout_id=${providerCheckoutId}`)) as { ipns: unknown[]; pending: unknown[] };
    return ipns.length > 0 && pending.length === 0;
  }, `the IPNs of checkout ${providerCheckoutId} to be delivered`);
  await ipnQueue.idle();
}

const postIpn = (token: string, form: string, contentType = 'application/x-www-form-urlencoded') =>
  h.call('POST', `/v1/ipn/wepay/${token}`, { body: form, headers: { 'Content-Type': contentType } });

test('each checkout gives the provider a callback URI on our IPN route', async () => {
  const checkout = await newCheckout();
  const atProvider = await h.sandbox.checkout(checkout.provider.checkout_id);
  expect(atProvider.callback_uri).toBe(`${h.apiUrl}/v1/ipn/wepay/${routeToken}`);
});

test('a state change at the provider reaches our copy through the IPN, including a chargeback', async () => {
  const checkout = await newCheckout();
  expect(checkout.state).toBe('authorized');
  await h.sandbox.setState(checkout.provider.checkout_id, 'captured');
  await waitFor(async () => (await stateOf(checkout.id)).state === 'captured', 'our copy to become captured');
  await h.sandbox.setState(checkout.provider.checkout_id, 'charged back');
  await waitFor(async () => (await stateOf(checkout.id)).state === 'charged_back', 'our copy to become charged_back');
});

test('a valid IPN is acknowledged with 200 and the headers of every response; the state comes from the provider, not the payload', async () => {
  const checkout = await newCheckout();
  await ipnsSettled(checkout.provider.checkout_id);
  const before = await fetchesOf(checkout.provider.checkout_id);
  const reply = await postIpn(routeToken, `checkout_id=${checkout.provider.checkout_id}&state=captured`);
  expect(reply.status).toBe(200);
  expect(reply.body).toEqual({ status: 'received' });
  expectEveryResponseHeaders(reply);
  // Queued before the 200; processed once the queue is idle: it fetched the checkout from the provider.
  await ipnQueue.idle();
  expect(await fetchesOf(checkout.provider.checkout_id)).toBe(before + 1);
  // The form claimed "captured"; the provider says authorized, and that is what stays.
  expect((await stateOf(checkout.id)).state).toBe('authorized');
});

test('a wrong route token is 404 resource_missing and queues nothing', async () => {
  const checkout = await newCheckout();
  await ipnsSettled(checkout.provider.checkout_id);
  const fetchesBefore = await fetchesOf(checkout.provider.checkout_id);
  for (const token of [`${routeToken.slice(0, -1)}x`, 'short', `${routeToken}extra`]) {
    expectApiError(await postIpn(token, `checkout_id=${checkout.provider.checkout_id}`), { status: 404, type: 'not_found', code: 'resource_missing' });
  }
  await ipnQueue.idle();
  expect(await fetchesOf(checkout.provider.checkout_id)).toBe(fetchesBefore);
});

test('an IPN for a checkout that is not ours is acknowledged, fetches nothing from the provider and is not retried', async () => {
  const reply = await postIpn(routeToken, 'checkout_id=999999999');
  expect(reply.status).toBe(200);
  await ipnQueue.idle();
  expect(await fetchesOf('999999999')).toBe(0);
  const deadLetters = await readFile(join(h.dataDir, 'dead-letters', 'ipn.jsonl'), 'utf8').catch(() => '');
  expect(deadLetters).not.toContain('999999999');
});

test('a malformed IPN body is refused: no checkout_id is 400 parameter_missing, JSON is 415', async () => {
  expectApiError(await postIpn(routeToken, 'reference_id=x'), { status: 400, type: 'invalid_request', code: 'parameter_missing', param: 'checkout_id' });
  expectApiError(await postIpn(routeToken, '{"checkout_id":"1"}', 'application/json'), { status: 415, type: 'invalid_request', code: 'unsupported_media_type' });
});

test('a notice the processor keeps failing on is delivered again, then dead-lettered after the queue\'s receive limit', async () => {
  const checkout = await newCheckout();
  // Every fetch from the provider fails for longer than the client's own retries.
  await h.sandbox.armFault('unknown_error', 100, '/v2/checkout');
  try {
    expect((await postIpn(routeToken, `checkout_id=${checkout.provider.checkout_id}`)).status).toBe(200);
    const deadLetters = join(h.dataDir, 'dead-letters', 'ipn.jsonl');
    const text = await waitFor(async () => {
      const letters = await readFile(deadLetters, 'utf8').catch(() => '');
      return letters.includes(checkout.provider.checkout_id) ? letters : undefined;
    }, 'the notice to be dead-lettered');
    const letter = JSON.parse(text.trim().split('\n').at(-1)!) as { receiveCount: number; body: string };
    expect(letter.receiveCount).toBe(5);
    expect(JSON.parse(letter.body)).toMatchObject({ provider: 'wepay', checkoutId: checkout.provider.checkout_id });
    // Each failure is logged with its reason: a warning while the queue will deliver it again,
    // an error when it goes to the dead letters (the creation's own IPN fails alongside).
    const failures = logLines.filter((line) => line.includes('ipn processing failed') && line.includes(`"provider_checkout_id":"${checkout.provider.checkout_id}"`));
    expect(failures.length).toBeGreaterThanOrEqual(5);
    for (const line of failures) {
      expect(line).toMatch(/^(WARN|ERROR) ipn-process ipn processing failed \{.*"error_code":"provider_unavailable"/);
      expect(line.startsWith('ERROR')).toBe(line.includes('"next":"dead_letter"') && line.includes('"receive_count":5'));
    }
    expect(failures.filter((line) => line.startsWith('ERROR')).length).toBeGreaterThanOrEqual(1);
    expect(failures.join('\n')).not.toMatch(/Bearer|access_token|eyJ/);
  } finally {
    await h.sandbox.clearFaults();
  }
});
