// The checkout use cases against in-memory ports: deterministic ids, what reaches
// the provider, the API's visibility and action rules, refresh-before-refuse, and
// that an older read never moves a checkout backwards.
import {
  checkoutIdFor,
  createCheckout,
  getCheckout,
  listCheckouts,
  performCheckoutAction,
  providerUniqueIdFor,
  type CheckoutActionInput,
  type CheckoutDeps,
  type CreateCheckoutInput,
} from '#functions/app/checkouts.ts';
import { CardDeclinedError, InvalidRequestError, InvalidStateError, NotFoundError, PermissionDeniedError, ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { MemoryCheckouts } from '../../support/memory-checkouts.ts';
import { accountFixture } from '../../support/checkout-fixture.ts';
import type { MerchantRepository } from '#functions/ports/merchant-repository.ts';
import type { MerchantAccount } from '#functions/domain/merchant.ts';
import type { CheckoutState } from '#functions/domain/checkout-state.ts';
import type { PaymentProvider, ProviderCheckout } from '#functions/ports/payment-provider.ts';

const payer: Principal = { sub: 'payer-1', roles: ['payer'] };
const payer2: Principal = { sub: 'payer-2', roles: ['payer'] };
const owner: Principal = { sub: 'owner-1', roles: ['merchant'] };
const otherMerchant: Principal = { sub: 'owner-2', roles: ['merchant'] };
const ops: Principal = { sub: 'ops-1', roles: ['ops'] };

const account = accountFixture({ ownerSub: owner.sub });
const otherAccount: MerchantAccount = { ...account, id: 'acc_two', ownerSub: otherMerchant.sub, providerAccountId: '5678' };

const merchants: MerchantRepository = {
  getAccount: async (id) => [account, otherAccount].find((a) => a.id === id),
  getProviderUser: async (ownerSub) => ({ ownerSub, providerUserId: `u-${ownerSub}`, sealedAccessToken: `sealed:${ownerSub}`, email: 'x@example.com', createdAt: '' }),
  putProviderUserIfAbsent: async (user) => user,
  createAccount: async () => undefined,
  claimEmail: async () => true,
  bindProviderUser: async () => true,
  listAccountsByOwner: async () => ({ items: [], nextCursor: null }),
  listAllAccounts: async () => ({ items: [], nextCursor: null }),
};

/** The provider as a state machine over one checkout at a time, recording every call. */
class FakeProvider implements PaymentProvider {
  readonly calls: { method: string; accessToken: string; args: unknown[] }[] = [];
  readonly checkouts = new Map<string, ProviderCheckout>();
  /** What getCheckout answers instead of the truth (an older or lagging read). */
  readOverride: Partial<ProviderCheckout> | undefined;
  createError: Error | undefined;
  /** The next refund's answer is lost: after the provider applied it, or before. */
  refundLost: 'after_commit' | 'before_commit' | undefined;
  private next = 9000;

  private record(method: string, accessToken: string, ...args: unknown[]) {
    this.calls.push({ method, accessToken, args });
  }
  callsTo(method: string) {
    return this.calls.filter((c) => c.method === method);
  }
  readonly name = 'wepay';
  readonly statementNaming = { descriptorPrefix: 'WPY*', reservedWord: 'wepay' };
  async onboardMerchant(): Promise<never> {
    throw new Error('not used');
  }
  parseNotification(): never {
    throw new Error('not used');
  }
  async findCheckouts(_accessToken: string, input: { accountId: string }) {
    return [...this.checkouts.values()].filter((c) => c.accountId === input.accountId).map((c) => ({ ...c }));
  }
  async lookUpCard(): Promise<void> {}
  async getCheckouts(reads: readonly { credential: string; checkoutId: string }[]) {
    return Promise.all(reads.map((read) => this.getCheckout(read.credential, read.checkoutId)));
  }
  async createCheckout(accessToken: string, input: Parameters<PaymentProvider['createCheckout']>[1]) {
    this.record('createCheckout', accessToken, input);
    if (this.createError) throw this.createError;
    const checkout: ProviderCheckout = {
      checkoutId: String(this.next++),
      accountId: input.accountId,
      state: 'authorized',
      amount: input.amount,
      currency: input.currency,
      shortDescription: input.shortDescription,
      type: input.type,
      appFee: input.fee.appFee,
      feePayer: input.fee.feePayer,
      processingFee: Math.round(input.amount * 0.029) + 30,
      amountRefunded: 0,
      amountChargedBack: 0,
      uniqueId: input.uniqueId,
      createTime: 1_735_689_600,
    };
    this.checkouts.set(checkout.checkoutId, checkout);
    return { ...checkout };
  }
  setState(checkoutId: string, state: CheckoutState, changes: Partial<ProviderCheckout> = {}) {
    Object.assign(this.checkouts.get(checkoutId)!, { state, ...changes });
  }
  async getCheckout(accessToken: string, checkoutId: string) {
    this.record('getCheckout', accessToken, checkoutId);
    return { ...this.checkouts.get(checkoutId)!, ...this.readOverride };
  }
  private move(checkoutId: string, from: CheckoutState[], to: CheckoutState, changes: Partial<ProviderCheckout> = {}) {
    const checkout = this.checkouts.get(checkoutId)!;
    if (!from.includes(checkout.state)) throw new InvalidStateError('The checkout state does not allow this action');
    Object.assign(checkout, { state: to, ...changes });
    return { ...checkout };
  }
  async captureCheckout(accessToken: string, checkoutId: string) {
    this.record('captureCheckout', accessToken, checkoutId);
    return this.move(checkoutId, ['authorized'], 'captured');
  }
  async cancelCheckout(accessToken: string, checkoutId: string, reason: string) {
    this.record('cancelCheckout', accessToken, checkoutId, reason);
    return this.move(checkoutId, ['new', 'authorized'], 'cancelled');
  }
  async refundCheckout(accessToken: string, checkoutId: string, reason: string, amount?: number) {
    this.record('refundCheckout', accessToken, checkoutId, reason, amount);
    const lost = this.refundLost;
    this.refundLost = undefined;
    if (lost === 'before_commit') throw new ProviderUnavailableError();
    if (lost === 'after_commit') {
      await this.refundCheckout(accessToken, checkoutId, reason, amount);
      this.calls.pop();
      throw new ProviderUnavailableError();
    }
    const checkout = this.checkouts.get(checkoutId)!;
    const refunded = checkout.amountRefunded + (amount ?? checkout.amount - checkout.amountRefunded);
    const state = refunded >= checkout.amount ? 'refunded' : checkout.state;
    return this.move(checkoutId, ['captured', 'released'], state, { amountRefunded: refunded });
  }
}

let checkouts: MemoryCheckouts;
let provider: FakeProvider;
let deps: CheckoutDeps;
let clockMs: number;

beforeEach(() => {
  checkouts = new MemoryCheckouts();
  provider = new FakeProvider();
  clockMs = Date.UTC(2025, 0, 1, 12);
  deps = {
    checkouts,
    merchants,
    provider,
    vault: { seal: async (plain) => `sealed:${plain}`, open: async (sealed, context) => `${sealed.replace('sealed:', 'token-of:')}|${context.merchantId}` },
    clock: { now: () => (clockMs += 1) },
  };
});

const input = (uniqueId: string, overrides: Partial<CreateCheckoutInput> = {}): CreateCheckoutInput => ({
  uniqueId,
  accountId: account.id,
  amount: 10_400,
  currency: 'USD',
  shortDescription: 'Two coffees',
  type: 'goods',
  fee: { appFee: 400, feePayer: 'payee_from_app' },
  creditCardId: '777',
  autoCapture: false,
  referenceId: 'order-7f3a',
  ...overrides,
});

describe('deterministic ids', () => {
  test('the provider unique_id and our checkout id depend on (sub, unique_id) alone', () => {
    expect(providerUniqueIdFor('payer-1', 'order-1')).toBe(providerUniqueIdFor('payer-1', 'order-1'));
    expect(checkoutIdFor('payer-1', 'order-1')).toBe(checkoutIdFor('payer-1', 'order-1'));
    for (const [sub, uniqueId] of [['payer-2', 'order-1'], ['payer-1', 'order-2'], ['payer-1order-', '1']] as const) {
      expect(providerUniqueIdFor(sub, uniqueId)).not.toBe(providerUniqueIdFor('payer-1', 'order-1'));
      expect(checkoutIdFor(sub, uniqueId)).not.toBe(checkoutIdFor('payer-1', 'order-1'));
    }
  });

  test('they fit the provider (≤255) and the API contract (chk_...), and do not reveal the sub', () => {
    const sub = '3f1c2a9e-5b7d-4e0f-9a8b-1c2d3e4f5a6b';
    const uniqueId = 'x'.repeat(128);
    expect(providerUniqueIdFor(sub, uniqueId).length).toBeLessThanOrEqual(255);
    expect(checkoutIdFor(sub, uniqueId)).toMatch(/^chk_[\w-]{24}$/);
    expect(providerUniqueIdFor(sub, uniqueId)).not.toContain(sub);
  });
});

describe('createCheckout', () => {
  test("asks the provider once, under the derived unique_id, on the account's provider id with its owner's token, and stores what it answered", async () => {
    const checkout = await createCheckout(deps, payer, input('order-1'));
    expect(provider.callsTo('createCheckout')).toEqual([
      {
        method: 'createCheckout',
        accessToken: `token-of:${owner.sub}|${owner.sub}`,
        args: [
          {
            accountId: '1234',
            uniqueId: providerUniqueIdFor(payer.sub, 'order-1'),
            amount: 10_400,
            currency: 'USD',
            shortDescription: 'Two coffees',
            type: 'goods',
            fee: { appFee: 400, feePayer: 'payee_from_app' },
            creditCardId: '777',
            autoCapture: false,
            referenceId: 'order-7f3a',
          },
        ],
      },
    ]);
    expect(checkout).toMatchObject({
      id: checkoutIdFor(payer.sub, 'order-1'),
      uniqueId: 'order-1',
      payerSub: payer.sub,
      accountId: account.id,
      ownerSub: owner.sub,
      state: 'authorized',
      fee: { appFee: 400, feePayer: 'payee_from_app', processingFee: 332 },
      provider: { name: 'wepay', checkoutId: '9000' },
      providerUniqueId: providerUniqueIdFor(payer.sub, 'order-1'),
      version: 1,
    });
    expect(await checkouts.get(checkout.id)).toEqual(checkout);
  });

  test('an unknown account is 404 (param account_id) and the provider is not called', async () => {
    const error = await createCheckout(deps, payer, input('order-1', { accountId: 'acc_nope' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).param).toBe('account_id');
    expect(provider.calls).toEqual([]);
  });

  test('an app fee over 20% of the amount is refused before the provider is called', async () => {
    const error = await createCheckout(deps, payer, input('order-1', { amount: 1_000, fee: { appFee: 201, feePayer: 'payer' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).code).toBe('app_fee_too_high');
    expect(provider.calls).toEqual([]);
  });

  test('a checkout already recorded under the derived id (a crash after recording) is returned without asking the provider', async () => {
    const first = await createCheckout(deps, payer, input('order-1'));
    const again = await createCheckout(deps, payer, input('order-1'));
    expect(again).toEqual(first);
    expect(provider.callsTo('createCheckout')).toHaveLength(1);
  });

  test('when a concurrent request recorded it first, the stored checkout is returned', async () => {
    checkouts.createRaces = true;
    const result = await createCheckout(deps, payer, input('order-1'));
    expect(result.createdAt).toBe('raced');
  });

  test('a decline is thrown and nothing is stored', async () => {
    provider.createError = new CardDeclinedError('The card was declined');
    await expect(createCheckout(deps, payer, input('order-1'))).rejects.toBeInstanceOf(CardDeclinedError);
    expect(checkouts.items.size).toBe(0);
  });
});

describe('getCheckout', () => {
  test('the payer, the owner of its account and ops see it; anyone else, and a missing id, get NotFoundError', async () => {
    const created = await createCheckout(deps, payer, input('order-1'));
    for (const principal of [payer, owner, ops]) expect(await getCheckout(deps, principal, created.id)).toEqual(created);
    for (const principal of [payer2, otherMerchant]) {
      await expect(getCheckout(deps, principal, created.id)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(getCheckout(deps, ops, 'chk_missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('a merchant who is also the payer of a checkout at another account sees it as its payer', async () => {
    const both: Principal = { sub: otherMerchant.sub, roles: ['merchant', 'payer'] };
    const created = await createCheckout(deps, both, input('order-1'));
    expect((await getCheckout(deps, both, created.id)).id).toBe(created.id);
  });
});

let uniqueIds = 0;
/** An action as its handler runs it: each call a new request (a new unique_id). */
const act = (principal: Principal, id: string, action: Omit<CheckoutActionInput, 'uniqueId'>) =>
  performCheckoutAction(deps, principal, id, { uniqueId: `action-${++uniqueIds}`, ...action });

describe('performCheckoutAction', () => {
  const authorized = () => createCheckout(deps, payer, input(`order-${Math.random()}`));

  test('the owner merchant and ops may act; its own payer is refused; a second payer and other merchants are told it does not exist', async () => {
    const created = await authorized();
    for (const principal of [payer2, otherMerchant]) {
      await expect(act(principal, created.id, { action: 'capture' })).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(act(payer, created.id, { action: 'capture' })).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(provider.callsTo('captureCheckout')).toEqual([]);
    expect((await act(ops, created.id, { action: 'capture' })).state).toBe('captured');
  });

  test("capture moves an authorized checkout to captured with the owner's token: one write for the intent, one for the outcome", async () => {
    const created = await authorized();
    const captured = await act(owner, created.id, { action: 'capture' });
    expect(captured).toMatchObject({ state: 'captured', version: 3 });
    expect(captured.actions).toEqual([expect.objectContaining({ action: 'capture', state: 'succeeded' })]);
    expect(provider.callsTo('captureCheckout')[0]!.accessToken).toBe(`token-of:${owner.sub}|${owner.sub}`);
    expect((await checkouts.get(created.id))!.state).toBe('captured');
  });

  test('cancel passes the reason; a partial refund keeps the state and adds up; the rest ends refunded', async () => {
    const toCancel = await authorized();
    await act(owner, toCancel.id, { action: 'cancel', reason: 'Out of stock' });
    expect(provider.callsTo('cancelCheckout')[0]!.args).toEqual([toCancel.provider.checkoutId, 'Out of stock']);

    const created = await authorized();
    await act(owner, created.id, { action: 'capture' });
    const partial = await act(owner, created.id, { action: 'refund', reason: 'Spilled', amount: 4_000 });
    expect(partial).toMatchObject({ state: 'captured', amountRefunded: 4_000 });
    const rest = await act(owner, created.id, { action: 'refund', reason: 'All' });
    expect(rest).toMatchObject({ state: 'refunded', amountRefunded: 10_400 });
    expect(provider.callsTo('refundCheckout').map((c) => c.args)).toEqual([
      [created.provider.checkoutId, 'Spilled', 4_000],
      [created.provider.checkoutId, 'All', undefined],
    ]);
  });

  test('an over-refund is refused (parameter_invalid, param amount) without calling the provider', async () => {
    const created = await authorized();
    await act(owner, created.id, { action: 'capture' });
    await act(owner, created.id, { action: 'refund', reason: 'Part', amount: 8_000 });
    const error = await act(owner, created.id, { action: 'refund', reason: 'Too much', amount: 2_401 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ code: 'parameter_invalid', param: 'amount' });
    expect(provider.callsTo('refundCheckout')).toHaveLength(1);
  });

  test('a partial refund whose answer was lost after the provider applied it is settled by a fetch: success, no second refund', async () => {
    const created = await authorized();
    await act(owner, created.id, { action: 'capture' });
    await act(owner, created.id, { action: 'refund', reason: 'First', amount: 1_000 });
    provider.refundLost = 'after_commit';
    const settled = await act(owner, created.id, { action: 'refund', reason: 'Second', amount: 1_000 });
    expect(settled).toMatchObject({ state: 'captured', amountRefunded: 2_000 });
    expect(provider.callsTo('refundCheckout')).toHaveLength(2);
    expect(provider.checkouts.get(created.provider.checkoutId)!.amountRefunded).toBe(2_000);
  });

  test('a partial refund whose call never reached the provider stays unavailable (503), and nothing is recorded', async () => {
    const created = await authorized();
    await act(owner, created.id, { action: 'capture' });
    provider.refundLost = 'before_commit';
    await expect(act(owner, created.id, { action: 'refund', reason: 'x', amount: 1_000 })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await checkouts.get(created.id)).toMatchObject({ amountRefunded: 0 });
  });

  test('a partial refund reads the provider first, so amounts refunded elsewhere count against it', async () => {
    const created = await authorized();
    await act(owner, created.id, { action: 'capture' });
    provider.setState(created.provider.checkoutId, 'captured', { amountRefunded: 10_000 });
    const error = await act(owner, created.id, { action: 'refund', reason: 'x', amount: 500 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'parameter_invalid', param: 'amount' });
    expect(provider.callsTo('refundCheckout')).toEqual([]);
  });

  test('stored authorized but captured at the provider: a refund fetches first, records captured, then refunds', async () => {
    const created = await authorized();
    provider.setState(created.provider.checkoutId, 'captured');
    const refunded = await act(owner, created.id, { action: 'refund', reason: 'Asked', amount: 1_000 });
    expect(refunded).toMatchObject({ state: 'captured', amountRefunded: 1_000 });
    expect(provider.calls.map((c) => c.method)).toEqual(['createCheckout', 'getCheckout', 'refundCheckout']);
  });

  test('stored authorized and authorized at the provider: a refund fetches, then refuses with InvalidStateError without refunding', async () => {
    const created = await authorized();
    await expect(act(owner, created.id, { action: 'refund', reason: 'Early' })).rejects.toBeInstanceOf(InvalidStateError);
    expect(provider.callsTo('getCheckout')).toHaveLength(1);
    expect(provider.callsTo('refundCheckout')).toEqual([]);
  });

  test('stored authorized but captured at the provider: capture is refused by the provider, and the refresh records captured', async () => {
    const created = await authorized();
    provider.setState(created.provider.checkoutId, 'captured');
    await expect(act(owner, created.id, { action: 'capture' })).rejects.toBeInstanceOf(InvalidStateError);
    expect((await checkouts.get(created.id))!.state).toBe('captured');
  });

  test('a final or passed state is refused at once, without asking the provider', async () => {
    const created = await authorized();
    await act(owner, created.id, { action: 'cancel', reason: 'No' });
    const before = provider.calls.length;
    for (const action of ['capture', 'cancel', 'refund'] as const) {
      await expect(act(owner, created.id, { action, reason: 'x' })).rejects.toBeInstanceOf(InvalidStateError);
    }
    expect(provider.calls.length).toBe(before);
  });

  test('an older read never moves a checkout backwards: stored captured, the fetch after a refusal says authorized', async () => {
    const created = await authorized();
    await act(owner, created.id, { action: 'capture' });
    // The provider refuses the refund (its own state went back, as an out-of-order read would show it).
    provider.setState(created.provider.checkoutId, 'authorized');
    await expect(act(owner, created.id, { action: 'refund', reason: 'x' })).rejects.toBeInstanceOf(InvalidStateError);
    expect(await checkouts.get(created.id)).toMatchObject({ state: 'captured', amountRefunded: 0 });
  });

  test('amounts never decrease: a read with a smaller amount_refunded keeps the stored one', async () => {
    const created = await authorized();
    await act(owner, created.id, { action: 'capture' });
    await act(owner, created.id, { action: 'refund', reason: 'Part', amount: 3_000 });
    provider.readOverride = { state: 'authorized', amountRefunded: 0 };
    provider.setState(created.provider.checkoutId, 'authorized');
    await expect(act(owner, created.id, { action: 'refund', reason: 'x', amount: 1 })).rejects.toBeInstanceOf(InvalidStateError);
    expect(await checkouts.get(created.id)).toMatchObject({ state: 'captured', amountRefunded: 3_000 });
  });

  test('a concurrent writer between our read and our intent: the intent is decided again on the fresh copy', async () => {
    const created = await authorized();
    checkouts.concurrentWritesPending = 2;
    const captured = await act(owner, created.id, { action: 'capture' });
    expect(captured).toMatchObject({ state: 'captured', version: 5 });
    expect(provider.callsTo('captureCheckout')).toHaveLength(1);
  });

  test('concurrent writers after the provider acted: the outcome is re-applied on each fresh copy, never given up', async () => {
    const created = await authorized();
    const captured = await performCheckoutAction(deps, owner, created.id, { action: 'capture', uniqueId: 'cap-raced' }, {
      afterProviderCall: async () => {
        checkouts.concurrentWritesPending = 12;
      },
    });
    expect(captured.state).toBe('captured');
    expect(captured.actions[0]).toMatchObject({ state: 'succeeded' });
    expect(provider.callsTo('captureCheckout')).toHaveLength(1);
  });
});

describe('listCheckouts', () => {
  test('ops list everything, or one account', async () => {
    await listCheckouts(deps, ops, { limit: 20 });
    await listCheckouts(deps, ops, { limit: 5, accountId: otherAccount.id, cursor: 'c' });
    expect(checkouts.listCalls).toEqual([
      { method: 'listAll', page: { limit: 20 } },
      { method: 'listByAccount', key: otherAccount.id, page: { limit: 5, cursor: 'c' } },
    ]);
  });

  test("a merchant lists the checkouts of accounts they own; another's account, or an unknown one, is 404 (param account_id)", async () => {
    await listCheckouts(deps, owner, { limit: 20 });
    await listCheckouts(deps, owner, { limit: 20, accountId: account.id });
    expect(checkouts.listCalls.map((c) => [c.method, c.key])).toEqual([['listByOwner', owner.sub], ['listByAccount', account.id]]);
    for (const accountId of [otherAccount.id, 'acc_nope']) {
      const error = await listCheckouts(deps, owner, { limit: 20, accountId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).param).toBe('account_id');
    }
  });

  test("a payer lists their own; narrowed to an account, pages of the payer's index are filtered and the cursor carries on", async () => {
    for (let i = 0; i < 6; i++) {
      await createCheckout(deps, payer, input(`order-${i}`, { accountId: i % 2 === 0 ? account.id : otherAccount.id }));
    }
    await createCheckout(deps, payer2, input('theirs'));
    const own = await listCheckouts(deps, payer, { limit: 20 });
    expect(own.items.map((c) => c.uniqueId)).toEqual(['order-5', 'order-4', 'order-3', 'order-2', 'order-1', 'order-0']);

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listCheckouts(deps, payer, { limit: 2, accountId: account.id, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((c) => c.uniqueId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages.flat()).toEqual(['order-4', 'order-2', 'order-0']);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
  });
});
