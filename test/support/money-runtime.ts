// The setup every money-movement test file shares: its settings (short provider
// timeouts and intent leases, set before the runtime reads them), one checkout
// runtime for the file, started in beforeAll and closed in afterAll, the money
// helpers over it, and faults cleared after each test.
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { startCheckoutHarness, type CheckoutHarness } from '../integration/checkouts/checkout-harness.ts';
import { moneyHelpers } from '../integration/checkouts/money-harness.ts';

export type MoneyHelpers = ReturnType<typeof moneyHelpers>;

/** Forwards every property to the value `current()` returns at the time of use (started in beforeAll). */
function lateBound<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get: (_, key) => {
      const value = current();
      if (value === undefined) throw new Error(`${what} is used before beforeAll started it`);
      const property = Reflect.get(value, key);
      return typeof property === 'function' ? property.bind(value) : property;
    },
  });
}

/**
 * Call at a test file's top level: `const { h, m } = moneyRuntime({ IDEMPOTENCY_LOCK_SECONDS: '1' })`.
 * `h` and `m` can be used from the first hook or test on.
 */
export function moneyRuntime(settings: Record<string, string>, options: { clearFaultsAfterEach?: boolean } = {}): { h: CheckoutHarness; m: MoneyHelpers } {
  Object.assign(process.env, settings);
  let harness: CheckoutHarness | undefined;
  let money: MoneyHelpers | undefined;
  beforeAll(async () => {
    harness = await startCheckoutHarness();
    money = moneyHelpers(harness);
  });
  afterAll(async () => {
    await harness?.close();
  });
  if (options.clearFaultsAfterEach !== false) {
    afterEach(async () => {
      await harness?.sandbox.clearFaults();
    });
  }
  return { h: lateBound(() => harness, 'the checkout runtime'), m: lateBound(() => money, 'the money helpers') };
}
