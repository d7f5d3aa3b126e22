// Money movement is recorded before it happens. A capture, cancel or refund first
// writes its intent on the checkout (state `pending`, with what the provider showed
// at that moment), then calls the provider, then records the outcome. Actions on
// one checkout are serialized: while an intent is pending and not expired, another
// action waits (409 checkout_busy). That is what makes settlement exact: nothing
// but this action (and changes made outside the platform) can have moved the
// provider's figures since the intent was written, so comparing what the provider
// shows now with what it showed then tells whether THIS action happened.
import { isReachable, type CheckoutAction, type CheckoutState, type CheckoutStatus } from './checkout-state.ts';

export type RecordedActionState = 'pending' | 'succeeded' | 'failed';

export interface RecordedAction {
  /** `rfd_...` for refunds, `act_...` for captures and cancels; derived from (principal, unique_id). */
  id: string;
  action: CheckoutAction;
  /** Refunds: the amount asked for, fixed when the intent is written (a refund of "the rest" included). */
  amount?: number;
  /** Refunds of the whole remainder go to the provider without an amount (a repeat cannot refund twice). */
  wholeRemainder?: boolean;
  reason?: string;
  state: RecordedActionState;
  /** ISO-8601; kept when a failed action is tried again under the same unique_id. */
  createdAt: string;
  /** Set while pending: the provider's view when the intent was written. */
  before?: { state: CheckoutState; amountRefunded: number };
  /** Set while pending, epoch ms: past it the request that wrote the intent is presumed gone. */
  expiresAt?: number;
}

export interface HasActions {
  actions: RecordedAction[];
}

export function pendingActionOf(record: HasActions): RecordedAction | undefined {
  return record.actions.find((action) => action.state === 'pending');
}

/** True when the pending action's request still owns it: others must wait (409 checkout_busy). */
export function isInFlight(action: RecordedAction, now: number): boolean {
  return action.state === 'pending' && (action.expiresAt ?? 0) > now;
}

/**
 * Whether the provider's view shows the action done. `before` is the provider's
 * view when the intent was written; actions being serialized, a change since
 * then is this action's (a refund outside the platform in the same window is the
 * one thing that could be mistaken for it; see docs/money-movement.md).
 */
export function actionHappened(action: RecordedAction, observed: CheckoutStatus): boolean {
  switch (action.action) {
    case 'capture':
      return observed.state === 'captured' || isReachable('captured', observed.state);
    case 'cancel':
      return observed.state === 'cancelled';
    case 'refund': {
      const before = action.before?.amountRefunded ?? 0;
      return observed.amountRefunded >= before + (action.amount ?? 0);
    }
  }
}

/**
 * What an observation of the provider settles a pending action to: done, never
 * done (only once its request is presumed gone: a call still in flight at the
 * provider could yet land), or still unknown.
 */
export function settlementOf(action: RecordedAction, observed: CheckoutStatus, now: number): RecordedActionState {
  if (actionHappened(action, observed)) return 'succeeded';
  return isInFlight(action, now) ? 'pending' : 'failed';
}

/** Replaces (or appends) the action with this id; the list stays oldest first. */
export function withAction<T extends HasActions>(record: T, action: RecordedAction): T {
  const index = record.actions.findIndex((candidate) => candidate.id === action.id);
  const actions = [...record.actions];
  if (index === -1) actions.push(action);
  else actions[index] = action;
  return { ...record, actions };
}

/** Records the outcome of the action with this id, dropping what only a pending intent needs. */
export function withOutcome<T extends HasActions>(record: T, actionId: string, state: RecordedActionState): T {
  const action = record.actions.find((candidate) => candidate.id === actionId);
  if (!action) return record;
  if (state === 'pending') return record;
  const { before: _before, expiresAt: _expiresAt, ...rest } = action;
  return withAction(record, { ...rest, state });
}

/** The refunds made through the API, oldest first (the API's `refunds`). */
export function refundsOf(record: HasActions): RecordedAction[] {
  return record.actions.filter((action) => action.action === 'refund');
}
