// The WePay-v2-compatible sandbox: an HTTP server (node:http only) that routes
// /v2/* to the WePay calls (provider-calls.ts), /__sandbox/* to the test API
// (test-api.ts), and keeps its state under `${dataDir}/sandbox/`
// (state-store.ts). This file wires the pieces and owns their lifetime. See README.md.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CallLog } from '#local/sandbox/call-log.ts';
import type { SandboxAppCredentials } from '#local/sandbox/calls/context.ts';
import { CheckoutLifecycle, type LifecycleDelays } from '#local/sandbox/checkout-lifecycle.ts';
import { FaultInjector } from '#local/sandbox/faults.ts';
import { BodyTooLarge, browserCors, sendJson } from '#local/sandbox/http-io.ts';
import { IpnDispatcher } from '#local/sandbox/ipn-dispatcher.ts';
import { handleProviderCall, type ProviderCallDeps } from '#local/sandbox/provider-calls.ts';
import type { RuntimeSettings } from '#local/sandbox/runtime-settings.ts';
import { SandboxStore, type SandboxStoreOptions } from '#local/sandbox/state-store.ts';
import { handleTestApi, type TestApiDeps } from '#local/sandbox/test-api.ts';
import { Throttle, type ThrottleLimit } from '#local/sandbox/throttle.ts';
import { WepayApi } from '#local/sandbox/wepay-api.ts';
import { unknownError } from '#local/sandbox/wepay-errors.ts';

/** The platform's app credentials the sandbox accepts. */
export type SandboxApp = SandboxAppCredentials;

export interface SandboxOptions {
  /** 0 = any free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** State is persisted under `${dataDir}/sandbox/` and survives a restart. */
  dataDir: string;
  app: SandboxApp;
  /** Multiplies IPN retry delays and lifecycle delays; default 1; tests use e.g. 0.001. */
  timeScale?: number;
  /** Delays of the automatic capture and release; null = only when told. Default 5 s and 60 s. */
  lifecycle?: LifecycleDelays;
  /** Default { calls: 30, window_s: 10 }; null = no throttling. */
  throttle?: ThrottleLimit | null;
  /** Close changes of one checkout within this window become one IPN. Default 100 ms. */
  ipnBatchWindowMs?: number;
  /** How many full checkouts stay in memory, and when the journal is compacted (see state-store.ts). */
  persistence?: SandboxStoreOptions;
  /** Receives one line per call; never tokens, secrets, card numbers or callback URIs. */
  log?: (line: string) => void;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:3001 (no /v2). */
  url: string;
  port: number;
  /** Whether this credit_card_id exists (the local runtime reuses dev.json's cards across restarts). */
  hasCreditCard(creditCardId: string): boolean;
  /** Appends every pending change to the journal now: a hook for tests and tools (the store does it by itself within 20 ms). */
  flush(): void;
  close(): Promise<void>;
}

export const DEFAULT_LIFECYCLE: LifecycleDelays = { captureAfterMs: 5_000, releaseAfterMs: 60_000 };
export const DEFAULT_THROTTLE: ThrottleLimit = { calls: 30, window_s: 10 };
export const DEFAULT_IPN_BATCH_WINDOW_MS = 100;

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const log = options.log ?? (() => {});
  const settings: RuntimeSettings = {
    ipn: true,
    timeScale: options.timeScale ?? 1,
    lifecycle: options.lifecycle ?? DEFAULT_LIFECYCLE,
    ipnBatchWindowMs: options.ipnBatchWindowMs ?? DEFAULT_IPN_BATCH_WINDOW_MS,
  };
  if (!(settings.timeScale > 0)) throw new Error('startSandbox: timeScale must be greater than 0');

  const store = SandboxStore.open(join(options.dataDir, 'sandbox'), options.persistence);
  const throttle = new Throttle(options.throttle === undefined ? DEFAULT_THROTTLE : options.throttle);
  const faults = new FaultInjector();
  const calls = new CallLog();
  const ipn = new IpnDispatcher({
    store,
    timeScale: () => settings.timeScale,
    batchWindowMs: () => settings.ipnBatchWindowMs,
    enabled: () => settings.ipn,
    log,
  });
  let baseUrl = '';
  const api: WepayApi = new WepayApi({
    store,
    app: options.app,
    throttle,
    lifecycle: () => lifecycle,
    ipn,
    baseUrl: () => baseUrl,
    recordBatchedCall: (path, params, outcome) =>
      calls.record({ path, params, status: outcome.status, body: outcome.body, fault: null, viaBatch: true }),
  });
  const lifecycle = new CheckoutLifecycle({
    store,
    delays: () => settings.lifecycle,
    timeScale: () => settings.timeScale,
    move: (checkoutId, to) => {
      api.moveCheckout(checkoutId, to);
      log(`sandbox checkout ${checkoutId} → ${to}`);
    },
  });
  lifecycle.resume();
  ipn.resume();

  const delayedResponses = new Set<NodeJS.Timeout>();
  const providerDeps: ProviderCallDeps = { api, faults, calls, throttleWindow: DEFAULT_THROTTLE, delayedResponses, log };
  const testApiDeps: TestApiDeps = { store, api, log, calls, faults, ipn, throttle, settings };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const handled = url.pathname.startsWith('/__sandbox/')
      ? handleTestApi(testApiDeps, request, response, url)
      : url.pathname.startsWith('/v2/')
        ? handleProviderCall(providerDeps, request, response, url.pathname)
        : Promise.resolve(sendJson(response, 404, { error: 'invalid_request', error_description: 'unknown call', error_code: 1001 }));
    handled.catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) return;
      if (error instanceof BodyTooLarge) {
        sendJson(response, 413, { error: 'invalid_request', error_description: 'the request body is too large', error_code: 1003 }, browserCors(url.pathname));
        return;
      }
      log(`sandbox internal error on ${url.pathname}: ${error instanceof Error ? error.message : 'unknown'}`);
      sendJson(response, 500, unknownError().body, browserCors(url.pathname));
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`sandbox listening on ${baseUrl}`);

  // A process that exits without close() (Ctrl-C in npm start) still appends its last changes.
  const flushOnExit = () => store.flush();
  process.on('exit', flushOnExit);

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
    hasCreditCard: (creditCardId) => /^\d{1,15}$/.test(creditCardId) && store.creditCards.has(Number(creditCardId)),
    flush: () => store.flush(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        process.off('exit', flushOnExit);
        for (const timer of delayedResponses) clearTimeout(timer);
        delayedResponses.clear();
        lifecycle.close();
        ipn.close();
        server.close(() => resolve());
        server.closeAllConnections();
        store.close();
      });
      return closing;
    },
  };
}
