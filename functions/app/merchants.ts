// Merchant onboarding: register the calling user with the provider once, keep the
// credential it hands out sealed, and create one more provider account per call.
// One provider user belongs to exactly one of our users: the email and the
// provider's user id are each bound to one `sub` by a conditional write before
// any credential is stored.
import { randomBytes } from 'node:crypto';
import { acceptAccountName } from '#functions/domain/account-name.ts';
import { EmailInUseError, NotFoundError } from '#functions/domain/errors.ts';
import { couldBeAccountId, idInMessage } from '#functions/domain/ids.ts';
import { hasRole, type Principal } from '#functions/domain/principal.ts';
import type { Page } from '#functions/domain/page.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { MerchantRepository } from '#functions/ports/merchant-repository.ts';
import type { MerchantAccount, ProviderUser } from '#functions/domain/merchant.ts';
import type { MerchantCredential, MerchantIdentity, PaymentProvider } from '#functions/ports/payment-provider.ts';
import type { TokenContext, TokenVault } from '#functions/ports/token-vault.ts';

export interface MerchantDeps {
  merchants: MerchantRepository;
  provider: PaymentProvider;
  vault: TokenVault;
  clock: Clock;
}

export interface OnboardMerchantInput {
  email: string;
  firstName: string;
  lastName: string;
  account: { name: string; description: string };
  /** The caller's IP and user agent: the provider records them with the terms acceptance. */
  originalIp: string;
  originalDevice: string;
}

/**
 * The provider credential belongs to the merchant user (one per `sub`) and acts for
 * every account that user owns, so the encryption context binds it to that
 * merchant user and to its purpose.
 */
export function tokenContextFor(ownerSub: string): TokenContext {
  return { merchantId: ownerSub, purpose: 'provider_access_token' };
}

export function newAccountId(): string {
  return `acc_${randomBytes(12).toString('base64url')}`;
}

/** Opens under the caller's context only. The vault gives back exactly what was sealed: the credential the provider handed out. */
async function openCredential(deps: Pick<MerchantDeps, 'vault'>, ownerSub: string, user: ProviderUser): Promise<MerchantCredential> {
  return (await deps.vault.open(user.sealedAccessToken, tokenContextFor(ownerSub))) as MerchantCredential;
}

/**
 * The user registered earlier, if any. Users stored before the bindings existed get them
 * now (both writes are no-ops for a user who has them).
 */
async function registeredUser(deps: MerchantDeps, principal: Principal): Promise<ProviderUser | undefined> {
  const existing = await deps.merchants.getProviderUser(principal.sub);
  if (!existing) return undefined;
  if (!(await deps.merchants.claimEmail(existing.email, principal.sub))) throw new EmailInUseError();
  if (!(await deps.merchants.bindProviderUser(deps.provider.name, existing.providerUserId, principal.sub))) throw new EmailInUseError();
  return existing;
}

/**
 * Keeps a new registration: binds the provider's user to this user and stores the
 * credential sealed, before any account is created, so that a retry after a failure
 * further on finds it and registers no second user. Answers the stored credential
 * (on a race, the first request's).
 */
async function keepIdentity(deps: MerchantDeps, principal: Principal, email: string, identity: MerchantIdentity): Promise<MerchantCredential> {
  // The provider may match users on more than our email claim does (another spelling of the email, a
  // user registered before the claims existed): a provider user bound to someone else is refused, and
  // the credential it came with is dropped unsealed and unstored.
  if (!(await deps.merchants.bindProviderUser(deps.provider.name, identity.providerUserId, principal.sub))) throw new EmailInUseError();
  const sealed = await deps.vault.seal(identity.credential, tokenContextFor(principal.sub));
  const stored = await deps.merchants.putProviderUserIfAbsent({
    ownerSub: principal.sub,
    providerUserId: identity.providerUserId,
    sealedAccessToken: sealed,
    email,
    createdAt: new Date(deps.clock.now()).toISOString(),
  });
  return openCredential(deps, principal.sub, stored);
}

export async function onboardMerchant(deps: MerchantDeps, principal: Principal, input: OnboardMerchantInput): Promise<MerchantAccount> {
  const { name, statementDescriptor } = acceptAccountName(input.account.name, deps.provider.statementNaming);
  const existing = await registeredUser(deps, principal);
  // The provider answers an email it knows with that user's id and a fresh credential: claim the
  // email first, so that no one can register as someone else here.
  if (!existing && !(await deps.merchants.claimEmail(input.email, principal.sub))) throw new EmailInUseError();
  const id = newAccountId();
  const providerAccount = await deps.provider.onboardMerchant({
    ...(existing ? { credential: await openCredential(deps, principal.sub, existing) } : {}),
    applicant: {
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      originalIp: input.originalIp,
      originalDevice: input.originalDevice,
      tosAcceptanceTime: Math.floor(deps.clock.now() / 1000),
    },
    account: { name, description: input.account.description, referenceId: id },
    keepIdentity: (identity) => keepIdentity(deps, principal, input.email, identity),
  });
  const account: MerchantAccount = {
    id,
    ownerSub: principal.sub,
    name,
    description: input.account.description,
    statementDescriptor,
    state: providerAccount.state,
    providerAccountId: providerAccount.accountId,
    createdAt: new Date(deps.clock.now()).toISOString(),
  };
  await deps.merchants.createAccount(account);
  return account;
}

/** The owner and ops see an account; anyone else, whatever their role, is told it does not exist. */
export async function getMerchantAccount(deps: Pick<MerchantDeps, 'merchants'>, principal: Principal, id: string): Promise<MerchantAccount> {
  // A value that cannot be an id costs no read (domain/ids.ts).
  const account = couldBeAccountId(id) ? await deps.merchants.getAccount(id) : undefined;
  if (!account || !(account.ownerSub === principal.sub || hasRole(principal, 'ops'))) {
    throw new NotFoundError(`No merchant account ${idInMessage(id, couldBeAccountId)}`, { param: 'id' });
  }
  return account;
}

/** Newest first: ops see every account, a merchant the accounts they own. */
export async function listMerchantAccounts(
  deps: Pick<MerchantDeps, 'merchants'>,
  principal: Principal,
  page: { limit: number; cursor?: string },
): Promise<Page<MerchantAccount>> {
  if (hasRole(principal, 'ops')) return deps.merchants.listAllAccounts(page);
  return deps.merchants.listAccountsByOwner(principal.sub, page);
}

/** Opens the provider credential of the merchant user owning an account, for calls on its behalf. */
export async function credentialOf(deps: Pick<MerchantDeps, 'merchants' | 'vault'>, ownerSub: string): Promise<MerchantCredential> {
  const user = await deps.merchants.getProviderUser(ownerSub);
  if (!user) throw new Error(`merchant user has no provider registration`);
  return openCredential(deps, ownerSub, user);
}
