// What every WePay call of the sandbox works with: the store, the app's
// credentials, the throttle, the lifecycle timers and the IPN dispatcher.
import type { CheckoutLifecycle } from '#local/sandbox/checkout-lifecycle.ts';
import type { IpnDispatcher } from '#local/sandbox/ipn-dispatcher.ts';
import type { SandboxStore } from '#local/sandbox/state-store.ts';
import type { Throttle } from '#local/sandbox/throttle.ts';

export interface SandboxAppCredentials {
  clientId: string;
  clientSecret: string;
  accessToken: string;
}

export interface CallOutcome {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type Params = Record<string, unknown>;

/** Who a bearer token speaks for: the platform's app, or one registered user (a merchant). */
export type Caller = { kind: 'app' } | { kind: 'user'; userId: number };

export interface ApiContext {
  store: SandboxStore;
  app: SandboxAppCredentials;
  throttle: Throttle;
  lifecycle: () => CheckoutLifecycle;
  ipn: IpnDispatcher;
  /** The sandbox's own URL, for hosted checkout links. */
  baseUrl: () => string;
  /** Every call made inside /batch/create is recorded like a top-level one. */
  recordBatchedCall: (path: string, params: Params, outcome: CallOutcome) => void;
}
