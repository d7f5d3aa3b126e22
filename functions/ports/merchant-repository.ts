// Where merchants live: the provider user registered once per platform user, and
// that user's merchant accounts (each call to POST /v1/merchants adds one).
import type { Page, PageRequest } from '#functions/ports/checkout-repository.ts';

/** One per platform user (`sub`), registered with the provider exactly once. */
export interface ProviderUser {
  ownerSub: string;
  providerUserId: string;
  /** The provider access token sealed by the TokenVault (base64 ciphertext); never the plaintext. */
  sealedAccessToken: string;
  email: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

export interface MerchantAccount {
  /** 'acc_' + random. */
  id: string;
  ownerSub: string;
  name: string;
  description: string;
  /** `WPY*<name>`, as on card statements. */
  statementDescriptor: string;
  state: string;
  providerAccountId: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** `createAccount` found an account with this id. */
export class AccountAlreadyExistsError extends Error {
  override readonly name = 'AccountAlreadyExistsError';
  constructor(readonly existingAccountId: string) {
    super(`Merchant account ${existingAccountId} already exists`);
  }
}

export interface MerchantRepository {
  getProviderUser(ownerSub: string): Promise<ProviderUser | undefined>;
  /**
   * Stores the user unless one is already stored for `ownerSub` (conditional
   * write), and returns whichever is stored: on a race, the first one wins and
   * the loser gets the winner's record.
   */
  putProviderUserIfAbsent(user: ProviderUser): Promise<ProviderUser>;
  /**
   * Claims an email (compared case-insensitively) for `ownerSub` with a conditional
   * write. True when it is now, or already was, this user's; false when another user holds it.
   */
  claimEmail(email: string, ownerSub: string): Promise<boolean>;
  /**
   * Binds the provider's user id to `ownerSub` with a conditional write (one item keyed by the
   * provider user id). True when it is now, or already was, bound to this user; false when to another.
   */
  bindProviderUser(providerUserId: string, ownerSub: string): Promise<boolean>;

  /** @throws AccountAlreadyExistsError when the id is taken */
  createAccount(account: MerchantAccount): Promise<void>;
  getAccount(id: string): Promise<MerchantAccount | undefined>;
  /** The owner's accounts, newest first, a page at a time. Eventually consistent in AWS (an index). */
  listAccountsByOwner(ownerSub: string, page: PageRequest): Promise<Page<MerchantAccount>>;
  /** Every account, newest first, a page at a time (ops). */
  listAllAccounts(page: PageRequest): Promise<Page<MerchantAccount>>;
}
