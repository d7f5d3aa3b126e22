// Ids of any length never produce a 5xx, and an id that cannot name a
// resource is 404 resource_missing. A value that cannot be one of our ids is
// refused before any port is touched (DynamoDB refuses keys over 2,048 bytes).
import fc from 'fast-check';
import { createCheckout, getCheckout, performCheckoutAction, type CheckoutDeps } from '#functions/app/checkouts.ts';
import { getMerchantAccount } from '#functions/app/merchants.ts';
import { NotFoundError } from '#functions/domain/errors.ts';
import { couldBeAccountId, couldBeCheckoutId } from '#functions/domain/ids.ts';
import type { Principal } from '#functions/domain/principal.ts';

/** A port whose every method fails the test: nothing may be read or called. */
function untouchable<T>(name: string): T {
  return new Proxy({} as object, {
    get: (_target, method) => () => {
      throw new Error(`${name}.${String(method)} was called`);
    },
  }) as T;
}

const deps: CheckoutDeps = {
  checkouts: untouchable('checkouts'),
  merchants: untouchable('merchants'),
  provider: untouchable('provider'),
  vault: untouchable('vault'),
  clock: { now: () => 0 },
};
const ops: Principal = { sub: 'sub-ops', roles: ['ops'] };
const payer: Principal = { sub: 'sub-payer', roles: ['payer'] };

const notOurs = [
  ['2,100 characters', `chk_${'a'.repeat(2100)}`],
  ['65 characters after the prefix', `chk_${'a'.repeat(65)}`],
  ['no prefix', 'a'.repeat(24)],
  ['a slash', 'chk_ab/cd'],
  ['a percent sign', 'chk_%ZZ'],
  ['a prototype name', '__proto__'],
  ['non-ASCII', 'chk_ünïcode'],
  ['empty', ''],
];

async function refusal(promise: Promise<unknown>): Promise<NotFoundError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NotFoundError);
  return error as NotFoundError;
}

it.each(notOurs)('a checkout id with %s is resource_missing for a read and every action, without touching a port', async (_what, id) => {
  expect((await refusal(getCheckout(deps, ops, id))).param).toBe('id');
  for (const action of ['capture', 'cancel', 'refund'] as const) {
    expect((await refusal(performCheckoutAction(deps, ops, id, { action, uniqueId: 'u-1', reason: 'r' }))).param).toBe('id');
  }
});

it.each(notOurs.map(([what, id]) => [what, id!.replace(/^chk_/, 'acc_')]))('an account id with %s is resource_missing, without touching a port', async (_what, id) => {
  expect((await refusal(getMerchantAccount(deps, ops, id))).param).toBe('id');
  const create = createCheckout(deps, payer, {
    accountId: id,
    uniqueId: 'order-1',
    amount: 1000,
    currency: 'USD',
    shortDescription: 'x',
    type: 'goods',
    fee: { appFee: 0, feePayer: 'payee_from_app' },
    creditCardId: '1',
    autoCapture: true,
  });
  expect((await refusal(create)).param).toBe('account_id');
});

it('a refused id is echoed in the message only when it could be one of ours', async () => {
  expect((await refusal(getCheckout(deps, ops, `chk_${'a'.repeat(3000)}`))).message).toBe('No checkout with this id');
  expect((await refusal(getMerchantAccount(deps, ops, '/etc/passwd'))).message).toBe('No merchant account with this id');
});

it('the ids we mint fit the shapes, and any string outside the alphabet or the bound does not', () => {
  expect(couldBeCheckoutId(`chk_${'A1_-'.repeat(6)}`)).toBe(true);
  expect(couldBeAccountId(`acc_${'Zz09'.repeat(4)}`)).toBe(true);
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (tail) => {
      const fits = /^[A-Za-z0-9_-]{1,64}$/.test(tail);
      expect(couldBeCheckoutId(`chk_${tail}`)).toBe(fits);
      expect(couldBeAccountId(`acc_${tail}`)).toBe(fits);
      expect(couldBeAccountId(`chk_${tail}`)).toBe(false);
    }),
  );
});
