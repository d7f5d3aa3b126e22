// What the use cases need from the payment provider, in our own terms: amounts in
// minor units (cents), our checkout states (domain/checkout-state.ts), the API's
// checkout types and fee payers (domain/), and one opaque credential per merchant.
// Each provider's adapter (functions/adapters/providers/<name>/) converts to and
// from its wire format; nothing outside it knows the provider's spellings
// (docs/providers.md says how a second provider is added).
// Failures are the named errors of functions/domain/errors.ts:
//   CardDeclinedError, UnknownCardTokenError, InvalidStateError (the provider
//   refuses the action in the checkout's current state), RateLimitedError (with
//   retryAfterSeconds), ProviderUnavailableError (timeouts, dropped connections,
//   unknown errors after the retry loop: outcome unknown, retry with the same
//   unique id), ProviderCredentialsRevokedError, ProviderRejectedError (other).
import type { StatementNaming } from '#functions/domain/account-name.ts';
import type { CheckoutType } from '#functions/domain/checkout.ts';
import type { CheckoutState } from '#functions/domain/checkout-state.ts';
import type { FeePayer } from '#functions/domain/fees.ts';
import type { Currency } from '#functions/domain/money.ts';

declare const merchantCredentialBrand: unique symbol;

/**
 * What the provider hands out for a merchant at onboarding and takes back on
 * every call made for that merchant. Opaque to the app: it seals it with the
 * TokenVault at once, stores only the sealed form, and never logs it.
 */
export type MerchantCredential = string & { readonly [merchantCredentialBrand]: true };

export interface ProviderCheckout {
  checkoutId: string;
  accountId: string;
  state: CheckoutState;
  amount: number;
  currency: Currency;
  shortDescription: string;
  type: CheckoutType;
  appFee: number;
  feePayer: FeePayer;
  processingFee: number;
  amountRefunded: number;
  amountChargedBack: number;
  uniqueId?: string;
  referenceId?: string;
  /** Seconds since the epoch: when the provider created it. */
  createTime: number;
}

/** The person onboarding, as the provider registers them (once per platform user). */
export interface MerchantApplicant {
  email: string;
  firstName: string;
  lastName: string;
  /** The caller's IP and user agent: the provider records them with the terms acceptance. */
  originalIp: string;
  originalDevice: string;
  /** Seconds since the epoch at which the user accepted the provider's terms. */
  tosAcceptanceTime: number;
}

/** A newly registered merchant user: the provider's id for them and the credential acting for them. */
export interface MerchantIdentity {
  providerUserId: string;
  credential: MerchantCredential;
}

export interface OnboardMerchantInput {
  /**
   * The credential of a merchant user registered before (an earlier onboarding, or an
   * earlier try of this one that got past registration): no second registration, the
   * account is created with it.
   */
  credential?: MerchantCredential;
  /** Registered when `credential` is absent. */
  applicant: MerchantApplicant;
  account: { name: string; description: string; referenceId: string };
  /**
   * Called after a registration and before the account is created. The app binds the
   * identity to its user and stores the credential sealed, so that a retry after a
   * failure further on registers no second user; it returns the credential to create
   * the account with (the stored one: on a race, the first registration's), or throws
   * to stop the onboarding, and the new credential is then dropped unstored.
   */
  keepIdentity(identity: MerchantIdentity): Promise<MerchantCredential>;
}

export interface ProviderAccount {
  accountId: string;
  name: string;
  state: string;
}

export interface CreateCheckoutInput {
  accountId: string;
  /** Deterministic per (principal, unique_id): every retry asks for the same checkout. */
  uniqueId: string;
  amount: number;
  currency: Currency;
  shortDescription: string;
  type: CheckoutType;
  fee: { appFee: number; feePayer: FeePayer };
  creditCardId: string;
  autoCapture: boolean;
  referenceId?: string;
  callbackUri?: string;
}

export interface FindCheckoutsInput {
  accountId: string;
  /** Epoch seconds, inclusive. */
  startTime?: number;
  start?: number;
  /** At most 50. */
  limit?: number;
}

/** One checkout to read in a batch, with the credential of the merchant owning it. */
export interface CheckoutRead {
  credential: MerchantCredential;
  checkoutId: string;
}

/**
 * What a notification says: only which checkout changed. It is a hint, never
 * trusted for a state: the checkout is always fetched (getCheckout) before anything
 * changes. The app checks the route token of the callback URI it handed out before
 * queueing the hint (app/ipn.ts).
 */
export interface ProviderNotification {
  checkoutId: string;
}

export interface PaymentProvider {
  /** The provider's name as it appears in the API (`provider.name`), the IPN route, audit actors and stored keys. */
  readonly name: string;
  /** How it prints account names on card statements, and the word it refuses in them. */
  readonly statementNaming: StatementNaming;
  /**
   * Registers the applicant unless `credential` is given (with every permission the
   * platform needs: the provider may allow setting them only once), calls
   * `keepIdentity`, then creates one more account for the merchant.
   */
  onboardMerchant(input: OnboardMerchantInput): Promise<ProviderAccount>;
  createCheckout(credential: MerchantCredential, input: CreateCheckoutInput): Promise<ProviderCheckout>;
  getCheckout(credential: MerchantCredential, checkoutId: string): Promise<ProviderCheckout>;
  captureCheckout(credential: MerchantCredential, checkoutId: string): Promise<ProviderCheckout>;
  cancelCheckout(credential: MerchantCredential, checkoutId: string, reason: string): Promise<ProviderCheckout>;
  /** Full refund when `amount` is omitted. */
  refundCheckout(credential: MerchantCredential, checkoutId: string, reason: string, amount?: number): Promise<ProviderCheckout>;
  /** The account's checkouts, oldest first, each with its unique id: how a creation whose answer was lost is found. */
  findCheckouts(credential: MerchantCredential, input: FindCheckoutsInput): Promise<ProviderCheckout[]>;
  /**
   * Reads up to 50 checkouts, as few calls against the provider's throttle as it
   * allows. Each result is the checkout or the error its read got.
   */
  getCheckouts(reads: readonly CheckoutRead[]): Promise<(ProviderCheckout | Error)[]>;
  /**
   * Throws UnknownCardTokenError when the provider holds no card for this token
   * (a mandate names its card before any checkout).
   */
  lookUpCard(creditCardId: string): Promise<void>;
  /**
   * Reads a notification's body (the form the provider POSTs to the callback URI).
   * @throws InvalidRequestError when it names no checkout the provider could have sent
   */
  parseNotification(body: Readonly<Record<string, unknown>>): ProviderNotification;
}
