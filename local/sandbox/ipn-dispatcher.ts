// Sends IPNs the way WePay does: a form POST of `checkout_id=<id>` (and
// `reference_id` when set) to the checkout's callback_uri, query string kept.
// Close changes of one checkout become one IPN (the receiver fetches the latest
// state anyway); a non-200 answer is retried at +15 min, +30 min, +1 h, +6 h,
// +12 h and +24 h after the previous try, each multiplied by the time scale.
// Pending deliveries live in the store, so a restart resumes them.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SandboxStore } from '#local/sandbox/state-store.ts';

const MINUTE = 60_000;
export const IPN_RETRY_DELAYS_MS = [15 * MINUTE, 30 * MINUTE, 60 * MINUTE, 360 * MINUTE, 720 * MINUTE, 1440 * MINUTE];
const DELIVERY_TIMEOUT_MS = 30_000;
/** How many deliveries the introspection log keeps. */
const DELIVERY_LOG_LIMIT = 10_000;

export interface IpnDelivery {
  checkout_id: number;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** The receiver's HTTP status, or null when it could not be reached. */
  status: number | null;
  at: string;
  /** What happens next: delivered, retry scheduled, or given up after the last retry. */
  outcome: 'delivered' | 'retry_scheduled' | 'gave_up';
}

export interface IpnDispatcherOptions {
  store: SandboxStore;
  timeScale: () => number;
  batchWindowMs: () => number;
  /** False: no IPN is sent for a change (as if every one were lost); tests of reconciliation use it. */
  enabled?: () => boolean;
  log: (line: string) => void;
}

export class IpnDispatcher {
  readonly deliveries: IpnDelivery[] = [];
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly inFlight = new Map<number, { abort: () => void }>();
  /** Checkouts that changed while their IPN was in flight: they need another one. */
  private readonly changedInFlight = new Set<number>();
  private closed = false;

  constructor(private readonly options: IpnDispatcherOptions) {}

  /** Re-arms the deliveries that were pending when the sandbox last stopped. */
  resume(): void {
    for (const pending of this.options.store.pendingIpns.values()) this.schedule(pending.checkout_id);
  }

  /** A checkout changed: make sure an IPN goes out after the batch window. */
  notifyChange(checkoutId: number): void {
    if (this.closed || this.options.enabled?.() === false) return;
    const checkout = this.options.store.checkouts.get(checkoutId);
    if (!checkout?.callback_uri) return;
    if (this.inFlight.has(checkoutId)) {
      this.changedInFlight.add(checkoutId);
      return;
    }
    const pending = this.options.store.pendingIpns.get(checkoutId);
    // A first try not yet sent already covers this change: that is the batching.
    if (pending && pending.attempt === 0) return;
    // Otherwise (nothing pending, or a retry waiting) a fresh first try replaces it.
    this.options.store.pendingIpns.set(checkoutId, { checkout_id: checkoutId, attempt: 0, due_at: Date.now() + this.options.batchWindowMs() });
    this.schedule(checkoutId);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const flight of this.inFlight.values()) flight.abort();
    this.inFlight.clear();
  }

  private schedule(checkoutId: number): void {
    const pending = this.options.store.pendingIpns.get(checkoutId);
    if (!pending || this.closed) return;
    const existing = this.timers.get(checkoutId);
    if (existing) clearTimeout(existing);
    // Timers count whole milliseconds and may fire a little before a fractional (time-scaled)
    // due time: a try is never sent before its due_at, so the retry schedule holds as WePay's does.
    const timer = setTimeout(() => {
      this.timers.delete(checkoutId);
      const due = this.options.store.pendingIpns.get(checkoutId)?.due_at;
      if (due !== undefined && Date.now() < due) this.schedule(checkoutId);
      else void this.deliver(checkoutId);
    }, Math.max(0, Math.ceil(pending.due_at - Date.now())));
    timer.unref();
    this.timers.set(checkoutId, timer);
  }

  private async deliver(checkoutId: number): Promise<void> {
    const { store } = this.options;
    const pending = store.pendingIpns.get(checkoutId);
    const checkout = store.checkouts.get(checkoutId);
    if (!pending || !checkout?.callback_uri) {
      store.pendingIpns.delete(checkoutId);
      return;
    }
    const form = new URLSearchParams({ checkout_id: String(checkoutId) });
    if (checkout.reference_id !== null) form.set('reference_id', checkout.reference_id);

    const status = await this.post(checkoutId, checkout.callback_uri, form.toString());
    if (this.closed) return;
    this.inFlight.delete(checkoutId);
    const attempt = pending.attempt + 1;
    const at = new Date().toISOString();

    if (this.changedInFlight.delete(checkoutId)) {
      // The receiver may have fetched the state before the change: tell it again.
      this.record({ checkout_id: checkoutId, attempt, status, at, outcome: status === 200 ? 'delivered' : 'retry_scheduled' });
      store.pendingIpns.set(checkoutId, { checkout_id: checkoutId, attempt: 0, due_at: Date.now() + this.options.batchWindowMs() });
      this.schedule(checkoutId);
      return;
    }
    if (status === 200) {
      this.record({ checkout_id: checkoutId, attempt, status, at, outcome: 'delivered' });
      store.pendingIpns.delete(checkoutId);
      return;
    }
    const delay = IPN_RETRY_DELAYS_MS[attempt - 1];
    if (delay === undefined) {
      this.record({ checkout_id: checkoutId, attempt, status, at, outcome: 'gave_up' });
      store.pendingIpns.delete(checkoutId);
      return;
    }
    this.record({ checkout_id: checkoutId, attempt, status, at, outcome: 'retry_scheduled' });
    store.pendingIpns.set(checkoutId, { checkout_id: checkoutId, attempt, due_at: Date.now() + delay * this.options.timeScale() });
    this.schedule(checkoutId);
  }

  /** POSTs the form; resolves with the status, or null when the receiver was unreachable. */
  private post(checkoutId: number, callbackUri: string, body: string): Promise<number | null> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(callbackUri);
      } catch {
        resolve(null);
        return;
      }
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        url,
        {
          method: 'POST',
          agent: false,
          timeout: DELIVERY_TIMEOUT_MS,
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            'Content-Length': Buffer.byteLength(body),
            'User-Agent': 'WePay-Sandbox-IPN/1',
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? null));
          response.on('error', () => resolve(null));
        },
      );
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(null));
      this.inFlight.set(checkoutId, {
        abort: () => {
          request.destroy();
          resolve(null);
        },
      });
      request.end(body);
    }).then((status) => {
      // The callback URI may carry the receiver's route secret: log the checkout, never the URI.
      this.options.log(`sandbox IPN checkout ${checkoutId} → ${status ?? 'unreachable'}`);
      return status as number | null;
    });
  }

  private record(delivery: IpnDelivery): void {
    this.deliveries.push(delivery);
    if (this.deliveries.length > DELIVERY_LOG_LIMIT) this.deliveries.shift();
  }
}
