// Where merchants live: the provider user registered once per platform user, and
// that user's merchant accounts (each call to POST /v1/merchants adds one).
import type { MerchantAccount, ProviderUser } from '#functions/domain/merchant.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

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
   * provider's name and user id). True when it is now, or already was, bound to this user; false when to another.
   */
  bindProviderUser(provider: string, providerUserId: string, ownerSub: string): Promise<boolean>;

  /** @throws AccountAlreadyExistsError when the id is taken */
  createAccount(account: MerchantAccount): Promise<void>;
  getAccount(id: string): Promise<MerchantAccount | undefined>;
  /** The owner's accounts, newest first, a page at a time. Eventually consistent in AWS (an index). */
  listAccountsByOwner(ownerSub: string, page: PageRequest): Promise<Page<MerchantAccount>>;
  /** Every account, newest first, a page at a time (ops). */
  listAllAccounts(page: PageRequest): Promise<Page<MerchantAccount>>;
}
