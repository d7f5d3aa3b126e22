// `/v2/*`: one WePay call over HTTP. Takes the armed fault for the path, if
// any (drop before or after the call takes effect, unknown error, throttle, a
// delayed answer), runs the call, records it in the calls log and answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog } from '#local/sandbox/call-log.ts';
import { faultName, type FaultInjector, type FaultMode } from '#local/sandbox/faults.ts';
import { browserCors, browserPreflight, readBody, sendJson } from '#local/sandbox/http-io.ts';
import type { ThrottleLimit } from '#local/sandbox/throttle.ts';
import type { CallOutcome, WepayApi } from '#local/sandbox/wepay-api.ts';
import { throttled, unknownError, unparseableBody, WepayError } from '#local/sandbox/wepay-errors.ts';

export interface ProviderCallDeps {
  api: WepayApi;
  faults: FaultInjector;
  calls: CallLog;
  /** The window a `throttle` fault announces in Retry-After. */
  throttleWindow: ThrottleLimit;
  /** Responses held back by a delay fault, so that close() can drop them. */
  delayedResponses: Set<NodeJS.Timeout>;
  log: (line: string) => void;
}

export async function handleProviderCall(deps: ProviderCallDeps, request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
  const { api, faults, calls, log, delayedResponses } = deps;
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
  if (fault === 'throttle') return failWith(throttled(deps.throttleWindow.window_s));
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
