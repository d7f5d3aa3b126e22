// The merchant use cases on in-memory ports: one provider registration per user,
// the access token stored only sealed (under the owner's context), the name
// rules before anything else, retries after a failure halfway, and who may see
// an account.
import {
  credentialOf,
  getMerchantAccount,
  listMerchantAccounts,
  onboardMerchant,
  tokenContextFor,
  type MerchantDeps,
  type OnboardMerchantInput,
} from '#functions/app/merchants.ts';
import { EmailInUseError, InvalidRequestError, NotFoundError, ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { Principal } from '#functions/domain/principal.ts';
import type { PageRequest } from '#functions/domain/page.ts';
import type { MerchantRepository } from '#functions/ports/merchant-repository.ts';
import type { MerchantAccount, ProviderUser } from '#functions/domain/merchant.ts';
import type { MerchantApplicant, MerchantCredential, OnboardMerchantInput as ProviderOnboardingInput, PaymentProvider } from '#functions/ports/payment-provider.ts';

type CreateAccountInput = ProviderOnboardingInput['account'];
import type { TokenContext, TokenVault } from '#functions/ports/token-vault.ts';

class InMemoryMerchants implements MerchantRepository {
  readonly users = new Map<string, ProviderUser>();
  readonly accounts = new Map<string, MerchantAccount>();
  readonly emailClaims = new Map<string, string>();
  readonly providerUserBindings = new Map<string, string>();
  accountReads = 0;
  /** Set to simulate a concurrent request storing its user between our read and our write. */
  racingUser: ProviderUser | undefined;

  async getProviderUser(ownerSub: string) {
    return this.users.get(ownerSub);
  }
  async putProviderUserIfAbsent(user: ProviderUser) {
    if (this.racingUser) {
      this.users.set(this.racingUser.ownerSub, this.racingUser);
      this.racingUser = undefined;
    }
    const existing = this.users.get(user.ownerSub);
    if (existing) return existing;
    this.users.set(user.ownerSub, user);
    return user;
  }
  async createAccount(account: MerchantAccount) {
    if (this.accounts.has(account.id)) throw new Error(`duplicate account id ${account.id}`);
    this.accounts.set(account.id, account);
  }
  async getAccount(id: string) {
    this.accountReads += 1;
    return this.accounts.get(id);
  }
  async claimEmail(email: string, ownerSub: string) {
    return this.claim(this.emailClaims, email.trim().toLowerCase(), ownerSub);
  }
  async bindProviderUser(provider: string, providerUserId: string, ownerSub: string) {
    return this.claim(this.providerUserBindings, `${provider}#${providerUserId}`, ownerSub);
  }
  private claim(held: Map<string, string>, key: string, ownerSub: string) {
    if (!held.has(key)) held.set(key, ownerSub);
    return held.get(key) === ownerSub;
  }
  async listAccountsByOwner(ownerSub: string, page: PageRequest) {
    return this.page([...this.accounts.values()].filter((a) => a.ownerSub === ownerSub), page);
  }
  async listAllAccounts(page: PageRequest) {
    return this.page([...this.accounts.values()], page);
  }
  private page(accounts: MerchantAccount[], page: PageRequest) {
    const start = page.cursor === undefined ? 0 : Number(page.cursor);
    const newestFirst = [...accounts].reverse();
    const items = newestFirst.slice(start, start + page.limit);
    return { items, nextCursor: start + page.limit < newestFirst.length ? String(start + page.limit) : null };
  }
}

/** Seals by reference: the "ciphertext" is an opaque id, and opening checks the context like KMS does. */
class RecordingVault implements TokenVault {
  private readonly sealed = new Map<string, { plaintext: string; context: TokenContext }>();
  readonly seals: { plaintext: string; context: TokenContext }[] = [];
  readonly opens: TokenContext[] = [];
  async seal(plaintext: string, context: TokenContext) {
    const ciphertext = Buffer.from(`sealed-${this.sealed.size + 1}`).toString('base64');
    this.sealed.set(ciphertext, { plaintext, context: { ...context } });
    this.seals.push({ plaintext, context: { ...context } });
    return ciphertext;
  }
  async open(ciphertext: string, context: TokenContext) {
    this.opens.push({ ...context });
    const entry = this.sealed.get(ciphertext);
    if (!entry || JSON.stringify(entry.context) !== JSON.stringify(context)) throw new Error('cannot open under this context');
    return entry.plaintext;
  }
}

/** Onboards as the WePay adapter does: registers unless given a credential, lets the app keep the identity, creates the account. */
class ScriptedProvider implements PaymentProvider {
  readonly name = 'wepay';
  readonly statementNaming = { descriptorPrefix: 'WPY*', reservedWord: 'wepay' };
  readonly registrations: MerchantApplicant[] = [];
  readonly accountCreates: { accessToken: string; input: CreateAccountInput }[] = [];
  /** Errors the next calls throw, in order, before the call "reaches" the provider. */
  readonly registerFailures: Error[] = [];
  readonly accountCreateFailures: Error[] = [];
  findCheckouts = async (): Promise<never> => {
    throw new Error('not used');
  };
  lookUpCard = async (): Promise<void> => {};
  getCheckouts = async (): Promise<never> => {
    throw new Error('not used');
  };

  /** Emails the provider takes for another (as its own matching may): alias → email. */
  readonly sameUserAs = new Map<string, string>();
  private readonly userIds = new Map<string, string>();

  async onboardMerchant(input: ProviderOnboardingInput) {
    let credential = input.credential;
    if (credential === undefined) {
      const user = await this.registerUser(input.applicant);
      credential = await input.keepIdentity({ providerUserId: user.userId, credential: user.accessToken as MerchantCredential });
    }
    return this.createAccount(credential, input.account);
  }
  parseNotification(): never {
    throw new Error('not used by onboarding');
  }

  /** Like WePay: an email it knows gets that user's id back, with a new token. */
  private async registerUser(input: MerchantApplicant) {
    const failure = this.registerFailures.shift();
    if (failure) throw failure;
    this.registrations.push(input);
    const n = this.registrations.length;
    const email = (this.sameUserAs.get(input.email) ?? input.email).toLowerCase();
    if (!this.userIds.has(email)) this.userIds.set(email, String(1000 + this.userIds.size + 1));
    return { userId: this.userIds.get(email)!, accessToken: `STAGE_token_of_user_${n}` };
  }
  private async createAccount(accessToken: string, input: CreateAccountInput) {
    const failure = this.accountCreateFailures.shift();
    if (failure) throw failure;
    this.accountCreates.push({ accessToken, input });
    return { accountId: String(5000 + this.accountCreates.length), name: input.name, state: 'active' };
  }
  createCheckout(): never {
    throw new Error('not used by onboarding');
  }
  getCheckout(): never {
    throw new Error('not used by onboarding');
  }
  captureCheckout(): never {
    throw new Error('not used by onboarding');
  }
  cancelCheckout(): never {
    throw new Error('not used by onboarding');
  }
  refundCheckout(): never {
    throw new Error('not used by onboarding');
  }
}

const now = Date.parse('2026-03-01T12:00:00.000Z');
let merchants: InMemoryMerchants;
let vault: RecordingVault;
let provider: ScriptedProvider;
let deps: MerchantDeps;

beforeEach(() => {
  merchants = new InMemoryMerchants();
  vault = new RecordingVault();
  provider = new ScriptedProvider();
  deps = { merchants, provider, vault, clock: { now: () => now } };
});

const merchant = (sub: string): Principal => ({ sub, roles: ['merchant'] });
const ada = merchant('sub-ada');
const input = (name = 'Blue Bottle Cafe', email = 'ada@example.com'): OnboardMerchantInput => ({
  email,
  firstName: 'Ada',
  lastName: 'Lovelace',
  account: { name, description: 'Coffee' },
  originalIp: '203.0.113.7',
  originalDevice: 'Mozilla/5.0',
});

describe('onboardMerchant', () => {
  it('registers the user with the provider, seals the token under the owner, creates the account with it, and stores the account', async () => {
    const account = await onboardMerchant(deps, ada, input());

    expect(provider.registrations).toEqual([
      { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', originalIp: '203.0.113.7', originalDevice: 'Mozilla/5.0', tosAcceptanceTime: now / 1000 },
    ]);
    expect(vault.seals).toEqual([{ plaintext: 'STAGE_token_of_user_1', context: { merchantId: 'sub-ada', purpose: 'provider_access_token' } }]);
    expect(provider.accountCreates).toEqual([
      { accessToken: 'STAGE_token_of_user_1', input: { name: 'Blue Bottle Cafe', description: 'Coffee', referenceId: account.id } },
    ]);
    expect(account).toEqual({
      id: expect.stringMatching(/^acc_[A-Za-z0-9_-]{16}$/),
      ownerSub: 'sub-ada',
      name: 'Blue Bottle Cafe',
      description: 'Coffee',
      statementDescriptor: 'WPY*Blue Bottle Cafe',
      state: 'active',
      providerAccountId: '5001',
      createdAt: '2026-03-01T12:00:00.000Z',
    });
    expect(merchants.accounts.get(account.id)).toEqual(account);
  });

  it('stores the provider user with the sealed token only: the plaintext is in no stored record', async () => {
    const account = await onboardMerchant(deps, ada, input());
    const user = merchants.users.get('sub-ada')!;
    expect(user).toEqual({
      ownerSub: 'sub-ada',
      providerUserId: '1001',
      sealedAccessToken: expect.any(String),
      email: 'ada@example.com',
      createdAt: '2026-03-01T12:00:00.000Z',
    });
    expect(await vault.open(user.sealedAccessToken, tokenContextFor('sub-ada'))).toBe('STAGE_token_of_user_1');
    const stored = JSON.stringify([...merchants.users.values(), ...merchants.accounts.values()]);
    expect(stored).not.toContain('STAGE_token_of_user_1');
    expect(JSON.stringify(account)).not.toContain('STAGE_token_of_user_1');
  });

  it('registers a user once: later calls by the same sub create more accounts with the same token, whatever email they give', async () => {
    const first = await onboardMerchant(deps, ada, input('Blue Bottle Cafe'));
    const second = await onboardMerchant(deps, ada, input('Blue Bottle Bakery', 'other@example.com'));
    expect(provider.registrations).toHaveLength(1);
    expect(vault.seals).toHaveLength(1);
    expect(provider.accountCreates.map((c) => c.accessToken)).toEqual(['STAGE_token_of_user_1', 'STAGE_token_of_user_1']);
    expect(second.id).not.toBe(first.id);
    expect((await merchants.listAccountsByOwner('sub-ada', { limit: 20 })).items).toHaveLength(2);
  });

  it('each merchant user gets their own registration, token and encryption context', async () => {
    await onboardMerchant(deps, ada, input());
    await onboardMerchant(deps, merchant('sub-grace'), input('Hopper Espresso', 'grace@example.com'));
    expect(provider.registrations.map((r) => r.email)).toEqual(['ada@example.com', 'grace@example.com']);
    expect(vault.seals.map((s) => s.context.merchantId)).toEqual(['sub-ada', 'sub-grace']);
    expect(provider.accountCreates.map((c) => c.accessToken)).toEqual(['STAGE_token_of_user_1', 'STAGE_token_of_user_2']);
  });

  it.each([
    ['account_name_unrecognizable', '550e8400-e29b Coffee'],
    ['account_name_unrecognizable', '12345678 Store'],
    ['account_name_unrecognizable', 'XY'],
    ['account_name_invalid', 'My WePay Shop'],
  ])('refuses with %s ("%s") before any provider call, seal or write', async (code, name) => {
    const error = await onboardMerchant(deps, ada, input(name)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ code, param: 'account.name' });
    expect(provider.registrations).toEqual([]);
    expect(provider.accountCreates).toEqual([]);
    expect(vault.seals).toEqual([]);
    expect(merchants.users.size + merchants.accounts.size).toBe(0);
  });

  it('sends and stores the name trimmed, with its statement descriptor', async () => {
    const account = await onboardMerchant(deps, ada, input('  Sightglass Coffee '));
    expect(account).toMatchObject({ name: 'Sightglass Coffee', statementDescriptor: 'WPY*Sightglass Coffee' });
    expect(provider.accountCreates[0]!.input.name).toBe('Sightglass Coffee');
  });

  it('after /account/create fails (user registered, no account), the retry creates the account and registers no second user', async () => {
    provider.accountCreateFailures.push(new ProviderUnavailableError('outcome unknown'));
    await expect(onboardMerchant(deps, ada, input())).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(provider.registrations).toHaveLength(1);
    expect(merchants.users.has('sub-ada')).toBe(true);
    expect(merchants.accounts.size).toBe(0);

    const account = await onboardMerchant(deps, ada, input());
    expect(provider.registrations).toHaveLength(1);
    expect(vault.seals).toHaveLength(1);
    expect(provider.accountCreates).toEqual([{ accessToken: 'STAGE_token_of_user_1', input: expect.objectContaining({ referenceId: account.id }) }]);
    expect([...merchants.accounts.keys()]).toEqual([account.id]);
  });

  it('after /user/register fails, nothing is stored and the retry registers', async () => {
    provider.registerFailures.push(new ProviderUnavailableError('outcome unknown'));
    await expect(onboardMerchant(deps, ada, input())).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(merchants.users.size + merchants.accounts.size).toBe(0);
    await onboardMerchant(deps, ada, input());
    expect(provider.registrations).toHaveLength(1);
    expect(merchants.accounts.size).toBe(1);
  });

  it('when a concurrent request stored the user first, uses the stored (winning) token, not its own', async () => {
    const winnerSealed = await vault.seal('STAGE_winner_token', tokenContextFor('sub-ada'));
    merchants.racingUser = { ownerSub: 'sub-ada', providerUserId: '999', sealedAccessToken: winnerSealed, email: 'ada@example.com', createdAt: '2026-03-01T11:59:59.000Z' };
    await onboardMerchant(deps, ada, input());
    expect(merchants.users.get('sub-ada')!.providerUserId).toBe('999');
    expect(provider.accountCreates.map((c) => c.accessToken)).toEqual(['STAGE_winner_token']);
  });

  it('opens the token under the owner context only', async () => {
    await onboardMerchant(deps, ada, input());
    expect(vault.opens).toEqual([tokenContextFor('sub-ada')]);
    const user = merchants.users.get('sub-ada')!;
    await expect(vault.open(user.sealedAccessToken, tokenContextFor('sub-grace'))).rejects.toThrow();
  });
});

describe('one provider user per user', () => {
  const grace = merchant('sub-grace');

  it('an email another user registered here is email_in_use, whatever its letter case, before any provider call', async () => {
    await onboardMerchant(deps, ada, input());
    const error = await onboardMerchant(deps, grace, input('Hopper Espresso', 'ADA@example.com')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailInUseError);
    expect(error).toMatchObject({ code: 'email_in_use', param: 'email' });
    expect(provider.registrations).toHaveLength(1);
    expect(merchants.users.has('sub-grace')).toBe(false);
    expect([...merchants.accounts.values()].map((a) => a.ownerSub)).toEqual(['sub-ada']);
  });

  it("a provider user already bound to another user is refused, and the token it came with is neither sealed nor stored", async () => {
    await onboardMerchant(deps, ada, input());
    provider.sameUserAs.set('a.lovelace@example.com', 'ada@example.com');
    const error = await onboardMerchant(deps, grace, input('Hopper Espresso', 'a.lovelace@example.com')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmailInUseError);
    expect(provider.registrations).toHaveLength(2);
    expect(vault.seals.map((s) => s.plaintext)).toEqual(['STAGE_token_of_user_1']);
    expect(merchants.users.has('sub-grace')).toBe(false);
    expect(provider.accountCreates).toHaveLength(1);
    expect(JSON.stringify([...merchants.users.values(), ...merchants.accounts.values()])).not.toContain('STAGE_token_of_user_2');
  });

  it('a user stored before the bindings existed gets them on their next onboarding, and then holds their identity', async () => {
    const sealed = await vault.seal('STAGE_legacy', tokenContextFor('sub-ada'));
    merchants.users.set('sub-ada', { ownerSub: 'sub-ada', providerUserId: '777', sealedAccessToken: sealed, email: 'ada@example.com', createdAt: '' });
    await onboardMerchant(deps, ada, input());
    expect(merchants.emailClaims.get('ada@example.com')).toBe('sub-ada');
    expect(merchants.providerUserBindings.get('wepay#777')).toBe('sub-ada');
    await expect(onboardMerchant(deps, grace, input('Hopper Espresso', 'ada@example.com'))).rejects.toBeInstanceOf(EmailInUseError);
  });

  it('the same user retrying after the provider failed keeps their claim and registers', async () => {
    provider.registerFailures.push(new ProviderUnavailableError('outcome unknown'));
    await expect(onboardMerchant(deps, ada, input())).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(onboardMerchant(deps, ada, input())).resolves.toMatchObject({ ownerSub: 'sub-ada' });
  });
});

describe('getMerchantAccount', () => {
  let account: MerchantAccount;
  beforeEach(async () => {
    account = await onboardMerchant(deps, ada, input());
  });

  it('the owner sees it', async () => {
    await expect(getMerchantAccount(deps, ada, account.id)).resolves.toEqual(account);
  });

  it('ops sees it', async () => {
    await expect(getMerchantAccount(deps, { sub: 'sub-ops', roles: ['ops'] }, account.id)).resolves.toEqual(account);
  });

  it('another merchant gets resource_missing, exactly as for an id that does not exist', async () => {
    const foreign = await getMerchantAccount(deps, merchant('sub-grace'), account.id).catch((e: unknown) => e);
    const missing = await getMerchantAccount(deps, merchant('sub-grace'), 'acc_missing').catch((e: unknown) => e);
    for (const error of [foreign, missing]) {
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'resource_missing', param: 'id' });
    }
    expect((foreign as Error).message.replace(account.id, '<id>')).toBe((missing as Error).message.replace('acc_missing', '<id>'));
  });

  it('a payer who does not own it gets resource_missing too', async () => {
    await expect(getMerchantAccount(deps, { sub: 'sub-payer', roles: ['payer'] }, account.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    ['too long', `acc_${'a'.repeat(65)}`],
    ['thousands of characters', 'x'.repeat(3000)],
    ['another prefix', 'chk_abcdefghijklmnop'],
    ['a slash', 'acc_a/b'],
    ['a prototype name', '__proto__'],
    ['empty', ''],
  ])('an id that cannot be an account id (%s) is resource_missing without a read', async (_what, id) => {
    const error = await getMerchantAccount(deps, { sub: 'sub-ops', roles: ['ops'] }, id).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'resource_missing', param: 'id' });
    expect(merchants.accountReads).toBe(0);
  });
});

describe('listMerchantAccounts', () => {
  it('a merchant sees the accounts they own, newest first; ops see all', async () => {
    const first = await onboardMerchant(deps, ada, input('Blue Bottle Cafe'));
    const other = await onboardMerchant(deps, merchant('sub-grace'), input('Hopper Espresso', 'grace@example.com'));
    const second = await onboardMerchant(deps, ada, input('Blue Bottle Bakery'));
    expect((await listMerchantAccounts(deps, ada, { limit: 20 })).items.map((a) => a.id)).toEqual([second.id, first.id]);
    const all = await listMerchantAccounts(deps, { sub: 'sub-ops', roles: ['ops'] }, { limit: 2 });
    expect(all.items.map((a) => a.id)).toEqual([second.id, other.id]);
    const rest = await listMerchantAccounts(deps, { sub: 'sub-ops', roles: ['ops'] }, { limit: 2, cursor: all.nextCursor! });
    expect(rest).toEqual({ items: [first], nextCursor: null });
  });
});

describe('credentialOf', () => {
  it("opens the owner's token for calls on their behalf", async () => {
    await onboardMerchant(deps, ada, input());
    await expect(credentialOf(deps, 'sub-ada')).resolves.toBe('STAGE_token_of_user_1');
  });

  it('fails, without naming any token, for a user who was never registered', async () => {
    const error = (await credentialOf(deps, 'sub-nobody').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).not.toMatch(/STAGE_/);
  });
});
