// The WePay client against the real sandbox (local/sandbox): every fault mode on
// /v2/checkout/create, proving from the sandbox's call log and its checkout ids
// that each unique_id yields exactly one checkout at the provider.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from '#local/sandbox/server.ts';
import {
  CardDeclinedError,
  ProviderCredentialsRevokedError,
  ProviderUnavailableError,
  RateLimitedError,
} from '#functions/domain/errors.ts';
import type { CreateCheckoutInput, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import { WePayClient } from '#functions/adapters/providers/wepay/wepay-client.ts';
import { waitFor } from '../../support/wait-for.ts';

const app = { clientId: '4710', clientSecret: 'sandbox-client-secret-for-tests', accessToken: 'STAGE_sandbox-app-token-for-tests' };
const CREATE = '/v2/checkout/create';
const MAX_ATTEMPTS = 3;

interface SandboxCall {
  path: string;
  unique_id: string | null;
  checkout_id: number | null;
  status: number | null;
  error_code: number | null;
  fault: string | null;
}

let sandbox: RunningSandbox;
let dataDir: string;
let merchantToken: string;
let accountId: string;
let successCard: string;
let declineCard: string;
let sleeps: number[];
let uniqueCounter = 0;

async function sandboxRequest(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function armFault(mode: unknown, times: number, path = CREATE): Promise<void> {
  await sandboxRequest('POST', '/__sandbox/faults', { path, mode, times });
}

async function callsFor(uniqueId: string, path = CREATE): Promise<SandboxCall[]> {
  const { calls } = (await sandboxRequest('GET', `/__sandbox/calls?path=${encodeURIComponent(path)}`)) as { calls: SandboxCall[] };
  return calls.filter((call) => call.unique_id === uniqueId);
}

/** A delayed response is logged when it is finally sent: wait for the log to catch up. */
const eventuallyCallsFor = (uniqueId: string, count: number): Promise<SandboxCall[]> =>
  waitFor(async () => {
    const calls = await callsFor(uniqueId);
    return calls.length >= count ? calls : undefined;
  }, `${count} calls with unique_id ${uniqueId}`);

async function createCard(ccNumber: string): Promise<string> {
  const card = await sandboxRequest('POST', '/v2/credit_card/create', {
    client_id: app.clientId,
    cc_number: ccNumber,
    cvv: '123',
    expiration_month: 12,
    expiration_year: new Date().getUTCFullYear() + 2,
    user_name: 'Ada Lovelace',
    email: 'payer@example.com',
    address: { country: 'US', postal_code: '94025' },
  });
  return String(card.credit_card_id);
}

function client(overrides: Partial<ConstructorParameters<typeof WePayClient>[0]> = {}): WePayClient {
  return new WePayClient({
    baseUrl: `${sandbox.url}/v2`,
    timeoutMs: 10_000, // only a delayed answer times out (its test sets its own)
    maxAttempts: MAX_ATTEMPTS,
    credentials: async () => ({ clientId: app.clientId, clientSecret: app.clientSecret, appAccessToken: app.accessToken }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
}

function freshUniqueId(): string {
  uniqueCounter += 1;
  return `it-${process.pid}-${uniqueCounter}`;
}

function checkoutInput(uniqueId: string, card = successCard): CreateCheckoutInput {
  return {
    accountId,
    uniqueId,
    amount: 10400,
    currency: 'USD',
    shortDescription: 'Two coffees',
    type: 'goods',
    fee: { appFee: 400, feePayer: 'payee_from_app' },
    creditCardId: card,
    autoCapture: false,
  };
}

/**
 * How many checkouts the provider created while `action` ran: the sandbox numbers
 * checkouts in sequence, so probes created just before and just after bracket them.
 */
async function checkoutsCreatedDuring(action: () => Promise<void>): Promise<number> {
  const before = await client().createCheckout(merchantToken, checkoutInput(freshUniqueId()));
  await action();
  const after = await client().createCheckout(merchantToken, checkoutInput(freshUniqueId()));
  return Number(after.checkoutId) - Number(before.checkoutId) - 1;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wepay-client-it-'));
  sandbox = await startSandbox({
    port: 0,
    dataDir,
    app,
    throttle: null,
    lifecycle: { captureAfterMs: null, releaseAfterMs: null },
  });
  sleeps = [];
  const user = await client().registerUser({
    email: 'owner@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    originalIp: '203.0.113.9',
    originalDevice: 'Mozilla/5.0 (integration test)',
    tosAcceptanceTime: Math.floor(Date.now() / 1000),
  });
  merchantToken = user.accessToken;
  accountId = (await client().createAccount(merchantToken, { name: 'Blue Bottle Cafe', description: 'Coffee', referenceId: 'acc_it' })).accountId;
  successCard = await createCard('4242424242424242');
  declineCard = await createCard('4000000000000002');
});

afterAll(async () => {
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  sleeps = [];
  await sandboxRequest('DELETE', '/__sandbox/faults');
});

describe('WePay client against the sandbox', () => {
  it('creates a checkout in exact cents, with the fee computed on the amount', async () => {
    const checkout = await client().createCheckout(merchantToken, checkoutInput(freshUniqueId()));
    expect(checkout).toMatchObject({
      accountId,
      state: 'authorized',
      amount: 10400,
      currency: 'USD',
      appFee: 400,
      feePayer: 'payee_from_app',
      processingFee: 332,
      amountRefunded: 0,
    });
    await expect(client().getCheckout(merchantToken, checkout.checkoutId)).resolves.toEqual(checkout);
  });

  it.each([
    ['drop_after_commit', 'drop_after_commit' as unknown, 1],
    ['drop_before_commit', 'drop_before_commit' as unknown, 1],
    ['unknown_error', 'unknown_error' as unknown, 2],
  ])('retries through %s and ends with exactly one checkout for the unique_id', async (_name, mode, times) => {
    const uniqueId = freshUniqueId();
    let checkout: ProviderCheckout | undefined;
    const created = await checkoutsCreatedDuring(async () => {
      await armFault(mode, times);
      checkout = await client().createCheckout(merchantToken, checkoutInput(uniqueId));
    });

    expect(created).toBe(1);
    const calls = await callsFor(uniqueId);
    expect(calls).toHaveLength(times + 1);
    const answered = calls.filter((call) => call.status === 200);
    expect(answered.map((call) => String(call.checkout_id))).toEqual([checkout?.checkoutId]);
  });

  it('retries after a timeout (a slow answer) and ends with exactly one checkout', async () => {
    const uniqueId = freshUniqueId();
    let checkout: ProviderCheckout | undefined;
    const created = await checkoutsCreatedDuring(async () => {
      // The first answer comes long after the timeout; the retry has the same 1.5 s, ample for an undelayed call.
      await armFault({ delay_ms: 4_000 }, 1);
      checkout = await client({ timeoutMs: 1_500 }).createCheckout(merchantToken, checkoutInput(uniqueId));
    });

    expect(created).toBe(1);
    const calls = await eventuallyCallsFor(uniqueId, 2);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((call) => String(call.checkout_id)))).toEqual(new Set([checkout?.checkoutId]));
  });

  it('reports an unknown outcome once drops before commit outlast the attempts, and a later retry creates exactly one', async () => {
    const uniqueId = freshUniqueId();
    const createdWhileFailing = await checkoutsCreatedDuring(async () => {
      await armFault('drop_before_commit', MAX_ATTEMPTS);
      await expect(client().createCheckout(merchantToken, checkoutInput(uniqueId))).rejects.toBeInstanceOf(ProviderUnavailableError);
    });
    expect(createdWhileFailing).toBe(0);
    expect(await callsFor(uniqueId)).toHaveLength(MAX_ATTEMPTS);

    const createdByRetry = await checkoutsCreatedDuring(async () => {
      await client().createCheckout(merchantToken, checkoutInput(uniqueId));
    });
    expect(createdByRetry).toBe(1);
  });

  it('reports an unknown outcome once drops after commit outlast the attempts, and a later retry returns that same checkout', async () => {
    const uniqueId = freshUniqueId();
    const createdWhileFailing = await checkoutsCreatedDuring(async () => {
      await armFault('drop_after_commit', MAX_ATTEMPTS);
      await expect(client().createCheckout(merchantToken, checkoutInput(uniqueId))).rejects.toBeInstanceOf(ProviderUnavailableError);
    });
    expect(createdWhileFailing).toBe(1);

    let retried: ProviderCheckout | undefined;
    const createdByRetry = await checkoutsCreatedDuring(async () => {
      retried = await client().createCheckout(merchantToken, checkoutInput(uniqueId));
    });
    expect(createdByRetry).toBe(0);
    expect(retried?.uniqueId).toBe(uniqueId);
    expect(await callsFor(uniqueId)).toHaveLength(MAX_ATTEMPTS + 1);
  });

  it('reports an unknown outcome once unknown errors outlast the attempts, and a later retry creates exactly one', async () => {
    const uniqueId = freshUniqueId();
    await armFault('unknown_error', MAX_ATTEMPTS);
    await expect(client().createCheckout(merchantToken, checkoutInput(uniqueId))).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(sleeps).toHaveLength(MAX_ATTEMPTS - 1);

    const created = await checkoutsCreatedDuring(async () => {
      await client().createCheckout(merchantToken, checkoutInput(uniqueId));
    });
    expect(created).toBe(1);
  });

  it('calls the provider exactly once for a declined card', async () => {
    const uniqueId = freshUniqueId();
    const created = await checkoutsCreatedDuring(async () => {
      const error = await rejection(client().createCheckout(merchantToken, checkoutInput(uniqueId, declineCard)));
      expect(error).toBeInstanceOf(CardDeclinedError);
    });

    expect(created).toBe(0);
    const calls = await callsFor(uniqueId);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.error_code).toBe(1008);
    expect(sleeps).toEqual([]);
  });

  it('does not retry an injected throttle: one call, RateLimitedError with a retry-after', async () => {
    const uniqueId = freshUniqueId();
    await armFault('throttle', 1);
    const error = await rejection(client().createCheckout(merchantToken, checkoutInput(uniqueId)));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await callsFor(uniqueId)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("does not retry the sandbox's real throttle in a tight loop", async () => {
    await sandboxRequest('POST', '/__sandbox/config', { throttle: { calls: 2, window_s: 10 } });
    try {
      await client().createCheckout(merchantToken, checkoutInput(freshUniqueId()));
      await client().createCheckout(merchantToken, checkoutInput(freshUniqueId()));
      const uniqueId = freshUniqueId();
      const error = await rejection(client().createCheckout(merchantToken, checkoutInput(uniqueId)));

      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      const calls = await callsFor(uniqueId);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.error_code).toBe(1007);
      expect(sleeps).toEqual([]);
    } finally {
      await sandboxRequest('POST', '/__sandbox/config', { throttle: null });
    }
  });

  it('reconciles a capture whose answer was dropped after it took effect', async () => {
    const checkout = await client().createCheckout(merchantToken, checkoutInput(freshUniqueId()));
    await armFault('drop_after_commit', 1, '/v2/checkout/capture');

    await expect(client().captureCheckout(merchantToken, checkout.checkoutId)).resolves.toMatchObject({
      checkoutId: checkout.checkoutId,
      state: 'captured',
    });
    const captures = (await sandboxRequest('GET', '/__sandbox/calls?path=/v2/checkout/capture')).calls as SandboxCall[];
    expect(captures.filter((call) => String(call.checkout_id) === checkout.checkoutId).map((call) => call.error_code)).toEqual([null, 4004]);
  });

  it('refunds part of a captured checkout in exact cents, then the rest', async () => {
    const checkout = await client().createCheckout(merchantToken, checkoutInput(freshUniqueId()));
    await client().captureCheckout(merchantToken, checkout.checkoutId);

    await expect(client().refundCheckout(merchantToken, checkout.checkoutId, 'broken cup', 1)).resolves.toMatchObject({
      state: 'captured',
      amountRefunded: 1,
    });
    await expect(client().refundCheckout(merchantToken, checkout.checkoutId, 'returned')).resolves.toMatchObject({
      state: 'refunded',
      amountRefunded: 10400,
    });
  });

  it('maps a revoked merchant token to ProviderCredentialsRevokedError without leaking it', async () => {
    const other = await client().registerUser({
      email: 'revoked@example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
      originalIp: '203.0.113.10',
      originalDevice: 'Mozilla/5.0 (integration test)',
      tosAcceptanceTime: Math.floor(Date.now() / 1000),
    });
    await sandboxRequest('POST', '/__sandbox/tokens/revoke', { access_token: other.accessToken });

    const error = await rejection(client().createAccount(other.accessToken, { name: 'Harbor Books', description: 'Books', referenceId: 'acc_rev' }));
    expect(error).toBeInstanceOf(ProviderCredentialsRevokedError);
    expect(`${error.message} ${String(error.cause)}`).not.toContain(other.accessToken);
  });
});
