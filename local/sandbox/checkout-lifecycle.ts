// The moves a checkout makes on its own: a card checkout with auto_capture goes
// authorized → captured → released after configurable delays (null: only when
// told), and a checkout left in `new` expires after 30 minutes. Delays are
// multiplied by the time scale; the due time is stored on the checkout so that a
// restart re-arms it.
import type { CheckoutRecord, CheckoutState } from '#local/sandbox/records.ts';
import type { SandboxStore } from '#local/sandbox/state-store.ts';

export interface LifecycleDelays {
  captureAfterMs: number | null;
  releaseAfterMs: number | null;
}

const EXPIRE_NEW_AFTER_MS = 30 * 60_000;

export interface CheckoutLifecycleOptions {
  store: SandboxStore;
  delays: () => LifecycleDelays;
  timeScale: () => number;
  /** Performs the move (and its IPN); called when a due time arrives. */
  move: (checkoutId: number, to: CheckoutState) => void;
}

export class CheckoutLifecycle {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: CheckoutLifecycleOptions) {}

  /** Decides the checkout's next automatic move from its current state, and arms it; the caller persists the checkout. */
  plan(checkout: CheckoutRecord): void {
    const next = this.nextMove(checkout);
    checkout.next_transition = next === null ? null : { to: next.to, at: Date.now() + next.afterMs * this.options.timeScale() };
    this.arm(checkout.checkout_id, checkout.next_transition);
  }

  /** Re-arms the moves pending when the sandbox last stopped (the index holds them: no record is read). */
  resume(): void {
    for (const entry of this.options.store.checkouts.entries()) this.arm(entry.checkout_id, entry.next_transition);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private nextMove(checkout: CheckoutRecord): { to: CheckoutState; afterMs: number } | null {
    const delays = this.options.delays();
    switch (checkout.state) {
      case 'new':
        return { to: 'expired', afterMs: EXPIRE_NEW_AFTER_MS };
      case 'authorized':
        if (checkout.payment.kind === 'credit_card' && checkout.payment.auto_capture && delays.captureAfterMs !== null) {
          return { to: 'captured', afterMs: delays.captureAfterMs };
        }
        return null;
      case 'captured':
        return delays.releaseAfterMs === null ? null : { to: 'released', afterMs: delays.releaseAfterMs };
      default:
        return null;
    }
  }

  private arm(checkoutId: number, next: CheckoutRecord['next_transition']): void {
    const existing = this.timers.get(checkoutId);
    if (existing) clearTimeout(existing);
    this.timers.delete(checkoutId);
    if (!next || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(checkoutId);
      const current = this.options.store.checkouts.get(checkoutId);
      // Only if nothing else moved it meanwhile (a capture call, a cancel, a forced state).
      if (current?.next_transition && current.next_transition.at === next.at && current.next_transition.to === next.to) {
        this.options.move(current.checkout_id, next.to);
      }
    }, Math.max(0, next.at - Date.now()));
    timer.unref();
    this.timers.set(checkoutId, timer);
  }
}
