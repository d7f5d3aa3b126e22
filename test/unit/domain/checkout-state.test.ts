import fc from 'fast-check';
import { InvalidRequestError, InvalidStateError } from '#functions/domain/errors.ts';
import {
  assertActionAllowed,
  checkoutActions,
  checkoutStates,
  isFinal,
  isReachable,
  lifecycle,
  mayBeAllowedAfterRefresh,
  reconcile,
  type CheckoutState,
  type CheckoutStatus,
} from '#functions/domain/checkout-state.ts';

const status = (state: CheckoutState, amountRefunded = 0, amountChargedBack = 0): CheckoutStatus => ({
  state,
  amountRefunded,
  amountChargedBack,
});

/** A real history: a walk from `new` along the lifecycle, choosing among the moves with the given numbers. */
const lifecyclePath = fc.array(fc.nat(), { maxLength: 8 }).map((choices) => {
  const path: CheckoutState[] = ['new'];
  for (const choice of choices) {
    const moves = lifecycle[path[path.length - 1]!];
    if (moves.length === 0) break;
    path.push(moves[choice % moves.length]!);
  }
  return path;
});

/** Observations of a history: each a position on the path, with amounts that grew along it. */
const historyWithObservations = lifecyclePath.chain((path) =>
  fc
    .array(fc.tuple(fc.nat(5_000), fc.nat(5_000)), { minLength: path.length, maxLength: path.length })
    .chain((increments) => {
      let refunded = 0;
      let chargedBack = 0;
      const timeline = path.map((state, i) => {
        refunded += increments[i]![0];
        chargedBack += increments[i]![1];
        return status(state, refunded, chargedBack);
      });
      return fc
        .array(fc.nat(path.length - 1), { minLength: 1, maxLength: 12 })
        .chain((positions) => fc.shuffledSubarray(positions, { minLength: positions.length }))
        .map((positions) => ({ timeline, positions }));
    }),
);

describe('the lifecycle graph', () => {
  it('is acyclic: no state is reachable from itself', () => {
    for (const state of checkoutStates) expect(isReachable(state, state)).toBe(false);
  });

  it('reaches every state from new', () => {
    for (const state of checkoutStates.filter((s) => s !== 'new')) expect(isReachable('new', state)).toBe(true);
  });

  it('has the documented moves', () => {
    expect(isReachable('new', 'released')).toBe(true);
    expect(isReachable('authorized', 'cancelled')).toBe(true);
    expect(isReachable('authorized', 'expired')).toBe(false);
    expect(isReachable('captured', 'cancelled')).toBe(false);
    expect(isReachable('released', 'refunded')).toBe(true);
    expect(isReachable('captured', 'authorized')).toBe(false);
    expect(isReachable('refunded', 'charged_back')).toBe(false);
  });

  it('marks cancelled, refunded, charged_back, failed and expired as final', () => {
    expect(checkoutStates.filter(isFinal)).toEqual(['cancelled', 'refunded', 'charged_back', 'failed', 'expired']);
  });
});

describe('reconcile', () => {
  it('takes a newer state from the provider', () => {
    expect(reconcile(status('authorized'), status('captured'))).toEqual({ ...status('captured'), changed: true });
  });

  it('keeps the stored state when an older read arrives', () => {
    expect(reconcile(status('captured'), status('authorized'))).toEqual({ ...status('captured'), changed: false });
  });

  it('keeps the stored state when the observation is off its branch', () => {
    expect(reconcile(status('cancelled'), status('captured')).state).toBe('cancelled');
  });

  it('never lowers the refunded or charged-back amounts', () => {
    expect(reconcile(status('captured', 500, 100), status('captured', 200, 0))).toEqual({
      ...status('captured', 500, 100),
      changed: false,
    });
    expect(reconcile(status('captured', 500, 100), status('captured', 700, 100))).toEqual({
      ...status('captured', 700, 100),
      changed: true,
    });
  });

  it('ends where the history ends, whatever order the observations arrive in (monotonicity)', () => {
    fc.assert(
      fc.property(historyWithObservations, ({ timeline, positions }) => {
        let current = timeline[0]!;
        for (const position of positions) {
          const next = reconcile(current, timeline[position]!);
          // never backwards: same state or one ahead of it
          expect(next.state === current.state || isReachable(current.state, next.state)).toBe(true);
          expect(next.amountRefunded).toBeGreaterThanOrEqual(current.amountRefunded);
          expect(next.amountChargedBack).toBeGreaterThanOrEqual(current.amountChargedBack);
          current = { state: next.state, amountRefunded: next.amountRefunded, amountChargedBack: next.amountChargedBack };
        }
        // applying them in lifecycle order: the latest observed position wins
        const latest = timeline[Math.max(0, ...positions)]!;
        expect(current).toEqual(latest);
      }),
    );
  });

  it('is idempotent: reconciling the same observation twice changes nothing the second time', () => {
    const anyStatus = fc.record({
      state: fc.constantFrom(...checkoutStates),
      amountRefunded: fc.nat(10_000),
      amountChargedBack: fc.nat(10_000),
    });
    fc.assert(
      fc.property(anyStatus, anyStatus, (stored, observed) => {
        const { changed: _changed, ...once } = reconcile(stored, observed);
        expect(reconcile(once, observed).changed).toBe(false);
      }),
    );
  });
});

describe('actions', () => {
  const checkout = (state: CheckoutState, amountRefunded = 0) => ({ ...status(state, amountRefunded), amount: 10_000 });

  it.each([
    ['capture', ['authorized']],
    ['cancel', ['new', 'authorized']],
    ['refund', ['captured', 'released']],
  ] as const)('allows %s only in %j', (action, allowing) => {
    for (const state of checkoutStates) {
      const attempt = () => assertActionAllowed(checkout(state), action);
      if ((allowing as readonly string[]).includes(state)) expect(attempt).not.toThrow();
      else expect(attempt).toThrow(InvalidStateError);
    }
  });

  it('refuses a refund larger than amount minus amount_refunded', () => {
    expect(() => assertActionAllowed(checkout('captured', 4_000), 'refund', 6_000)).not.toThrow();
    const tooMuch = () => assertActionAllowed(checkout('captured', 4_000), 'refund', 6_001);
    expect(tooMuch).toThrow(InvalidRequestError);
    expect(tooMuch).toThrow(expect.objectContaining({ code: 'parameter_invalid', param: 'amount' }));
  });

  it('asks the provider first only when a state ahead of ours would allow the action', () => {
    expect(mayBeAllowedAfterRefresh('new', 'capture')).toBe(true);
    expect(mayBeAllowedAfterRefresh('authorized', 'refund')).toBe(true);
    expect(mayBeAllowedAfterRefresh('authorized', 'capture')).toBe(false); // already allowed
    expect(mayBeAllowedAfterRefresh('captured', 'cancel')).toBe(false);
    for (const state of checkoutStates.filter(isFinal)) {
      for (const action of checkoutActions) expect(mayBeAllowedAfterRefresh(state, action)).toBe(false);
    }
  });
});
