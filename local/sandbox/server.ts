// The WePay-v2-compatible sandbox: an HTTP server (node:http only) that routes
// /v2/* to the WePay calls, /__sandbox/* to introspection and fault injection
// for tests, and keeps its state under `${dataDir}/sandbox/`. See README.md.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CallLog } from '#local/sandbox/call-log.ts';
import { CheckoutLifecycle, type LifecycleDelays } from '#local/sandbox/checkout-lifecycle.ts';
import { FaultInjector, faultName, parseFaultMode, type FaultMode } from '#local/sandbox/faults.ts';
import { IpnDispatcher } from '#local/sandbox/ipn-dispatcher.ts';
import { checkoutStates, SandboxStore, tokenDigest, type CheckoutState } from '#local/sandbox/state-store.ts';
import { Throttle, type ThrottleLimit } from '#local/sandbox/throttle.ts';
import { WepayApi, type CallOutcome } from '#local/sandbox/wepay-api.ts';
import { throttled, unknownError, unparseableBody, WepayError } from '#local/sandbox/wepay-errors.ts';

/** The platform's app credentials the sandbox accepts. */
export interface SandboxApp {
  clientId: string;
  clientSecret: string;
  accessToken: string;
}

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
  /** Receives one line per call; never tokens, secrets, card numbers or callback URIs. */
  log?: (line: string) => void;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:3001 (no /v2). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_LIFECYCLE: LifecycleDelays = { captureAfterMs: 5_000, releaseAfterMs: 60_000 };
export const DEFAULT_THROTTLE: ThrottleLimit = { calls: 30, window_s: 10 };
export const DEFAULT_IPN_BATCH_WINDOW_MS = 100;
const MAX_BODY_BYTES = 1024 * 1024;

// WePay's tokenization is called by the payer's browser, from any page: any origin may call it.
const browserCallable = new Set(['/v2/credit_card/create']);
const browserPreflight = { 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '3600' };
function browserCors(pathname: string): Record<string, string> {
  return browserCallable.has(pathname) ? { 'Access-Control-Allow-Origin': '*' } : {};
}

interface RuntimeSettings {
  timeScale: number;
  lifecycle: LifecycleDelays;
  ipnBatchWindowMs: number;
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function introspectionError(response: ServerResponse, status: number, description: string): void {
  sendJson(response, status, { error: status === 404 ? 'not_found' : 'invalid_request', error_description: description });
}

function isNonNegativeNumberOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

function parseThrottle(value: unknown): ThrottleLimit | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'object' || value === undefined) return undefined;
  const { calls, window_s: windowS } = value as Record<string, unknown>;
  if (typeof calls !== 'number' || !Number.isInteger(calls) || calls < 1) return undefined;
  if (typeof windowS !== 'number' || !(windowS > 0)) return undefined;
  return { calls, window_s: windowS };
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const log = options.log ?? (() => {});
  const settings: RuntimeSettings = {
    timeScale: options.timeScale ?? 1,
    lifecycle: options.lifecycle ?? DEFAULT_LIFECYCLE,
    ipnBatchWindowMs: options.ipnBatchWindowMs ?? DEFAULT_IPN_BATCH_WINDOW_MS,
  };
  if (!(settings.timeScale > 0)) throw new Error('startSandbox: timeScale must be greater than 0');

  const store = SandboxStore.open(join(options.dataDir, 'sandbox'));
  const throttle = new Throttle(options.throttle === undefined ? DEFAULT_THROTTLE : options.throttle);
  const faults = new FaultInjector();
  const calls = new CallLog();
  const ipn = new IpnDispatcher({
    store,
    timeScale: () => settings.timeScale,
    batchWindowMs: () => settings.ipnBatchWindowMs,
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

  /** Responses held back by a delay fault, so that close() can drop them. */
  const delayedResponses = new Set<NodeJS.Timeout>();

  async function handleProviderCall(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const cors = browserCors(pathname);
    if (request.method === 'OPTIONS' && cors['Access-Control-Allow-Origin']) {
      // A preflight is not a WePay call: no fault is taken and nothing is logged as a call.
      const asked = request.headers['access-control-request-headers'];
      response.writeHead(204, { ...cors, ...browserPreflight, ...(asked ? { 'Access-Control-Allow-Headers': asked } : {}) }).end();
      return;
    }
    const started = Date.now();
    const raw = await readBody(request);
    let params: unknown = {};
    let parseError: WepayError | undefined;
    if (raw.trim() !== '') {
      try {
        params = JSON.parse(raw);
      } catch {
        parseError = unparseableBody();
      }
    }
    const fault: FaultMode | undefined = faults.take(pathname);
    const faultLabel = fault === undefined ? null : faultName(fault);
    const finish = (outcome: CallOutcome) => {
      calls.record({ path: pathname, params, status: outcome.status, body: outcome.body, fault: faultLabel, viaBatch: false });
      sendJson(response, outcome.status, outcome.body, { ...outcome.headers, ...cors });
      log(`sandbox ${request.method} ${pathname} ${outcome.status}${faultLabel ? ` (fault ${faultLabel})` : ''} ${Date.now() - started} ms`);
    };
    /** Closes the connection without an answer; the calls log still shows what the call did (e.g. its checkout_id). */
    const drop = (outcome?: CallOutcome) => {
      calls.record({ path: pathname, params, status: null, body: outcome?.body ?? {}, fault: faultLabel, viaBatch: false });
      log(`sandbox ${request.method} ${pathname} dropped (fault ${faultLabel})`);
      request.socket.destroy();
    };
    const failWith = (error: WepayError) => finish({ status: error.status, body: error.body, headers: error.headers });

    if (fault === 'drop_before_commit') return drop();
    if (fault === 'unknown_error') return failWith(unknownError());
    if (fault === 'throttle') return failWith(throttled(DEFAULT_THROTTLE.window_s));
    if (request.method !== 'POST') {
      return failWith(new WepayError(405, 'invalid_request', 1001, 'every WePay call is a POST'));
    }
    if (parseError) return failWith(parseError);

    const outcome = api.call(pathname.slice('/v2'.length), params, request.headers.authorization);
    if (fault === 'drop_after_commit') return drop(outcome);
    if (fault !== undefined && typeof fault === 'object') {
      const timer = setTimeout(() => {
        delayedResponses.delete(timer);
        finish(outcome);
      }, fault.delay_ms);
      delayedResponses.add(timer);
      return;
    }
    finish(outcome);
  }

  async function handleIntrospection(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    const route = url.pathname;
    const raw = method === 'GET' || method === 'DELETE' ? '' : await readBody(request);
    let body: Record<string, unknown> = {};
    if (raw.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        return introspectionError(response, 400, 'the body must be a JSON object');
      }
    }

    if (route === '/__sandbox/health' && method === 'GET') return sendJson(response, 200, { status: 'ok' });

    if (route === '/__sandbox/calls') {
      if (method === 'GET') return sendJson(response, 200, { calls: calls.list(url.searchParams.get('path')) });
      if (method === 'DELETE') {
        calls.clear();
        return sendJson(response, 200, { calls: [] });
      }
    }

    if (route === '/__sandbox/faults') {
      if (method === 'GET') return sendJson(response, 200, { faults: faults.list() });
      if (method === 'DELETE') {
        faults.clear();
        return sendJson(response, 200, { faults: [] });
      }
      if (method === 'POST') {
        const path = body['path'];
        const mode = parseFaultMode(body['mode']);
        const times = body['times'] ?? 1;
        if (typeof path !== 'string' || !path.startsWith('/')) return introspectionError(response, 400, 'path must be a path such as /v2/checkout/create');
        if (mode === undefined) {
          return introspectionError(response, 400, 'mode must be drop_after_commit, drop_before_commit, unknown_error, throttle or {"delay_ms": D}');
        }
        if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) return introspectionError(response, 400, 'times must be a positive integer');
        faults.arm(path, mode, times);
        return sendJson(response, 201, { faults: faults.list() });
      }
    }

    const checkoutRoute = /^\/__sandbox\/checkouts\/(\d{1,15})(\/state)?$/.exec(route);
    if (checkoutRoute) {
      const checkoutId = Number(checkoutRoute[1]);
      const checkout = store.state.checkouts[checkoutId];
      if (!checkout) return introspectionError(response, 404, `checkout ${checkoutId} does not exist`);
      if (!checkoutRoute[2] && method === 'GET') return sendJson(response, 200, api.checkoutView(checkout));
      if (checkoutRoute[2] && method === 'POST') {
        const state = body['state'];
        if (typeof state !== 'string' || !(checkoutStates as readonly string[]).includes(state)) {
          return introspectionError(response, 400, `state must be one of ${checkoutStates.join(', ')}`);
        }
        const moved = api.moveCheckout(checkoutId, state as CheckoutState);
        log(`sandbox checkout ${checkoutId} → ${state} (told)`);
        return sendJson(response, 200, moved ? api.checkoutView(moved) : {});
      }
    }

    if (route === '/__sandbox/ipns' && method === 'GET') {
      const checkoutId = url.searchParams.get('checkout_id');
      const deliveries = checkoutId === null ? ipn.deliveries : ipn.deliveries.filter((d) => String(d.checkout_id) === checkoutId);
      return sendJson(response, 200, { ipns: deliveries, pending: Object.values(store.state.pending_ipns) });
    }

    if (route === '/__sandbox/tokens/revoke' && method === 'POST') {
      const token = body['access_token'];
      const record = typeof token === 'string' ? store.state.tokens[tokenDigest(token)] : undefined;
      if (!record) return introspectionError(response, 404, 'no such access_token');
      record.revoked = true;
      store.changed();
      return sendJson(response, 200, { revoked: true });
    }

    if (route === '/__sandbox/config') {
      if (method === 'POST') {
        if ('throttle' in body) {
          const limit = parseThrottle(body['throttle']);
          if (limit === undefined) return introspectionError(response, 400, 'throttle must be null or {"calls": N, "window_s": S}');
          throttle.configure(limit);
        }
        if ('lifecycle' in body) {
          const given = body['lifecycle'] as Record<string, unknown> | null;
          const capture = given?.['captureAfterMs'] ?? null;
          const release = given?.['releaseAfterMs'] ?? null;
          if (!isNonNegativeNumberOrNull(capture) || !isNonNegativeNumberOrNull(release)) {
            return introspectionError(response, 400, 'lifecycle must be {"captureAfterMs": ms | null, "releaseAfterMs": ms | null}');
          }
          settings.lifecycle = { captureAfterMs: capture, releaseAfterMs: release };
        }
        if ('timeScale' in body) {
          const scale = body['timeScale'];
          if (typeof scale !== 'number' || !(scale > 0)) return introspectionError(response, 400, 'timeScale must be a number greater than 0');
          settings.timeScale = scale;
        }
        if ('ipnBatchWindowMs' in body) {
          const windowMs = body['ipnBatchWindowMs'];
          if (typeof windowMs !== 'number' || !(windowMs >= 0)) return introspectionError(response, 400, 'ipnBatchWindowMs must be a number ≥ 0');
          settings.ipnBatchWindowMs = windowMs;
        }
      }
      if (method === 'POST' || method === 'GET') return sendJson(response, 200, { throttle: throttle.current, ...settings });
    }

    return introspectionError(response, 404, `no sandbox route ${method} ${route}`);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const handled = url.pathname.startsWith('/__sandbox/')
      ? handleIntrospection(request, response, url)
      : url.pathname.startsWith('/v2/')
        ? handleProviderCall(request, response, url.pathname)
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

  // A process that exits without close() (Ctrl-C in npm start) still writes its last changes.
  const flushOnExit = () => store.flush();
  process.on('exit', flushOnExit);

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    port,
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
