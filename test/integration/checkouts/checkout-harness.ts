// What the checkout integration tests share: the real local runtime (API, dynalite,
// sandbox) on free ports, request bodies, and the sandbox's test API (call log,
// faults, told states, config) from which "how many checkouts exist at the
// provider" is read. One runtime per test file: it composes the process's handlers.
import { randomUUID } from 'node:crypto';
import { ensureLocalIssuer } from '#local/issuer.ts';
import type { LocalRuntimeOptions } from '#local/runtime.ts';
import { startTestRuntime, type CallOptions, type TestRuntime } from '../../support/local-runtime.ts';
import type { Reply } from '../../support/api-expectations.ts';

export const CREATE = '/v2/checkout/create';

export interface SandboxCall {
  path: string;
  unique_id: string | null;
  checkout_id: number | string | null;
  status: number | null;
  error_code: number | null;
  fault: string | null;
  at: string;
}

export interface CheckoutHarness extends TestRuntime {
  /** A POST /v1/checkouts body for the demo account and the success card; `overrides` replace fields. */
  checkoutBody(uniqueId: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  createCheckout(body: Record<string, unknown>, token?: string): Promise<Reply>;
  as(token: string): { call(method: string, path: string, options?: Omit<CallOptions, 'token'>): Promise<Reply> };
  /** A bearer token for another user (e.g. a merchant who owns no account). */
  mint(sub: string, groups: readonly string[]): Promise<string>;
  /** The `sub` of a dev user (the principal whose (sub, unique_id) keys idempotency). */
  subOf(user: 'payer' | 'payer2' | 'merchant' | 'ops'): Promise<string>;
  sandbox: {
    request(method: string, path: string, body?: unknown): Promise<any>;
    armFault(mode: unknown, times?: number, path?: string): Promise<void>;
    clearFaults(): Promise<void>;
    /** Every call the sandbox received on this /v2 path, oldest first. */
    calls(path: string): Promise<SandboxCall[]>;
    /** Every /v2/checkout/create call the sandbox received with this provider unique_id, oldest first. */
    createCalls(providerUniqueId: string): Promise<SandboxCall[]>;
    /** Distinct checkouts the sandbox created for this provider unique_id (a repeat returns the original). */
    checkoutIdsFor(providerUniqueId: string): Promise<string[]>;
    /** The faults armed and not used up yet: a fault is used up as its call arrives. */
    faults(): Promise<unknown[]>;
    setState(checkoutId: string, state: string): Promise<any>;
    checkout(checkoutId: string): Promise<any>;
    config(settings: Record<string, unknown>): Promise<void>;
  };
}

/** A fresh unique_id per test, readable in failures. */
export const newUniqueId = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

export async function startCheckoutHarness(
  options: Pick<LocalRuntimeOptions, 'sandbox' | 'ipnCallbacks' | 'log' | 'logFormat'> = {},
): Promise<CheckoutHarness> {
  // The handlers' per-request INFO lines would bury the test output; warnings and errors still show.
  process.env.LOG_LEVEL ??= 'WARN';
  const runtime = await startTestRuntime({
    // Deterministic by default: nothing moves at the provider unless a test says so.
    sandbox: { lifecycle: { captureAfterMs: null, releaseAfterMs: null }, ...options.sandbox },
    ...(options.ipnCallbacks === undefined ? {} : { ipnCallbacks: options.ipnCallbacks }),
    ...(options.log ? { log: options.log } : {}),
    ...(options.logFormat ? { logFormat: options.logFormat } : {}),
  });
  const issuer = await ensureLocalIssuer(runtime.dataDir);
  const sandboxUrl = runtime.runtime.sandboxUrl;

  const request = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandboxUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const createCalls = async (providerUniqueId: string) => {
    const { calls } = (await request('GET', `/__sandbox/calls?path=${encodeURIComponent(CREATE)}`)) as { calls: SandboxCall[] };
    return calls.filter((c) => c.unique_id === providerUniqueId);
  };

  const harness: CheckoutHarness = {
    ...runtime,
    checkoutBody: (uniqueId, overrides = {}) => ({
      unique_id: uniqueId,
      account_id: runtime.dev.account_id,
      amount: 10_400,
      currency: 'USD',
      short_description: 'Two coffees',
      type: 'goods',
      fee: { app_fee: 400, fee_payer: 'payee_from_app' },
      payment_method: { type: 'credit_card', credit_card: { id: runtime.dev.credit_card_ids.success, auto_capture: true } },
      reference_id: 'order-7f3a',
      ...overrides,
    }),
    createCheckout: (body, token = runtime.dev.tokens.payer) => runtime.call('POST', '/v1/checkouts', { body, token }),
    as: (token) => ({ call: (method, path, callOptions = {}) => runtime.call(method, path, { ...callOptions, token }) }),
    mint: async (sub, groups) => issuer.mint({ sub, groups }),
    subOf: async (user) => issuer.subs[user],
    sandbox: {
      request,
      armFault: async (mode, times = 1, path = CREATE) => {
        await request('POST', '/__sandbox/faults', { path, mode, times });
      },
      clearFaults: async () => {
        await request('DELETE', '/__sandbox/faults');
      },
      calls: async (path) => ((await request('GET', `/__sandbox/calls?path=${encodeURIComponent(path)}`)) as { calls: SandboxCall[] }).calls,
      createCalls,
      checkoutIdsFor: async (providerUniqueId) => {
        const ids = (await createCalls(providerUniqueId)).map((c) => c.checkout_id).filter((id) => id !== null && id !== undefined);
        return [...new Set(ids.map(String))];
      },
      faults: async () => ((await request('GET', '/__sandbox/faults')) as { faults: unknown[] }).faults,
      setState: (checkoutId, state) => request('POST', `/__sandbox/checkouts/${checkoutId}/state`, { state }),
      checkout: (checkoutId) => request('GET', `/__sandbox/checkouts/${checkoutId}`),
      config: async (settings) => {
        await request('POST', '/__sandbox/config', settings);
      },
    },
  };
  return harness;
}
