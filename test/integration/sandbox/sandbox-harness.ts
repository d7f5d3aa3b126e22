// Shared pieces of the sandbox's integration tests: a sandbox in a fresh data
// directory, JSON calls over HTTP, a registered merchant, test cards, and a
// local receiver for IPNs.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '#local/sandbox/server.ts';

export const app = { clientId: '781234', clientSecret: 'sandbox-test-client-secret', accessToken: 'APP_TEST_ACCESS_TOKEN' };
export const FULL_SCOPE = 'manage_accounts,collect_payments,view_user,preapprove_payments,send_money';
export const SUCCEEDING_CARD = '4242424242424242';
export const DECLINED_CARD = '4000000000000002';

export interface Harness {
  sandbox: RunningSandbox;
  dataDir: string;
  logLines: string[];
  restart(overrides?: Partial<SandboxOptions>): Promise<void>;
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'wepay-sandbox-'));
}

/** Starts a sandbox on a free port with a fresh data directory; throttling off unless asked for. */
export async function startHarness(overrides: Partial<SandboxOptions> = {}): Promise<Harness> {
  const dataDir = overrides.dataDir ?? newDataDir();
  const logLines: string[] = [];
  const options = (extra: Partial<SandboxOptions>): SandboxOptions => ({
    port: 0,
    dataDir,
    app,
    timeScale: 0.001,
    lifecycle: { captureAfterMs: null, releaseAfterMs: null },
    throttle: null,
    ipnBatchWindowMs: 20,
    log: (line) => logLines.push(line),
    ...overrides,
    ...extra,
  });
  const harness: Harness = {
    sandbox: await startSandbox(options({})),
    dataDir,
    logLines,
    async restart(extra = {}) {
      await harness.sandbox.close();
      harness.sandbox = await startSandbox(options(extra));
    },
  };
  return harness;
}

export interface Reply {
  status: number;
  /** Response shapes are asserted field by field in the tests. */
  body: any;
  headers: Headers;
}

export async function send(baseUrl: string, method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text), headers: response.headers };
}

export const post = (baseUrl: string, path: string, body: unknown, token?: string) => send(baseUrl, 'POST', path, body, token);

let emailCounter = 0;
export function registration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  emailCounter += 1;
  return {
    client_id: app.clientId,
    client_secret: app.clientSecret,
    email: `merchant${emailCounter}-${process.pid}@example.com`,
    scope: FULL_SCOPE,
    first_name: 'Ada',
    last_name: 'Lovelace',
    original_ip: '203.0.113.7',
    original_device: 'Mozilla/5.0',
    tos_acceptance_time: 1_700_000_000,
    ...overrides,
  };
}

export interface Merchant {
  userId: number;
  token: string;
  accountId: number;
}

/** Registers a user and creates one account for them. */
export async function newMerchant(baseUrl: string, name = 'Blue Bottle Cafe'): Promise<Merchant> {
  const registered = await post(baseUrl, '/v2/user/register', registration());
  expect(registered.status).toBe(200);
  const account = await post(baseUrl, '/v2/account/create', { name, description: 'Coffee' }, registered.body.access_token);
  expect(account.status).toBe(200);
  return { userId: registered.body.user_id, token: registered.body.access_token, accountId: account.body.account_id };
}

export function cardParams(number: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: app.clientId,
    cc_number: number,
    cvv: '123',
    expiration_month: 12,
    expiration_year: new Date().getUTCFullYear() + 3,
    user_name: 'Grace Hopper',
    email: 'payer@example.com',
    address: { postal_code: '94105', country: 'US' },
    ...overrides,
  };
}

export async function newCard(baseUrl: string, number = SUCCEEDING_CARD): Promise<number> {
  const created = await post(baseUrl, '/v2/credit_card/create', cardParams(number));
  expect(created.status).toBe(200);
  return created.body.credit_card_id;
}

export function checkoutParams(accountId: number, creditCardId: number, overrides: Record<string, unknown> = {}) {
  return {
    account_id: accountId,
    short_description: 'Two coffees',
    type: 'goods',
    amount: 104.0,
    currency: 'USD',
    fee: { app_fee: 4.0, fee_payer: 'payee_from_app' },
    payment_method: { type: 'credit_card', credit_card: { id: creditCardId, auto_capture: true } },
    ...overrides,
  };
}

export interface ReceivedIpn {
  path: string;
  contentType: string | undefined;
  body: string;
}

/** A local IPN receiver answering each request with the next status of `statuses` (then 200). */
export async function startIpnReceiver(statuses: number[] = []): Promise<{ url: string; received: ReceivedIpn[]; close(): Promise<void> }> {
  const received: ReceivedIpn[] = [];
  const queue = [...statuses];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', contentType: request.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = queue.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A running sandbox with one onboarded merchant and one succeeding card: what checkout tests start from. */
export async function startHarnessWithMerchant(overrides: Partial<SandboxOptions> = {}) {
  const harness = await startHarness(overrides);
  const url = harness.sandbox.url;
  return { harness, url, merchant: await newMerchant(url), card: await newCard(url) };
}
