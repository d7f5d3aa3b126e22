// What the use cases need from the payment provider (WePay v2). Amounts here are
// minor units; the adapter converts to and from the provider's decimal dollars.
// Failures are the named errors of functions/domain/errors.ts:
//   CardDeclinedError, InvalidStateError (WePay 4004), RateLimitedError (1007, with
//   retryAfterSeconds), ProviderUnavailableError (timeouts, dropped connections,
//   1008 unknown error after the retry loop: outcome unknown, retry with the same
//   unique id), ProviderCredentialsRevokedError (1011), ProviderRejectedError (other).
import type { Currency } from '#functions/domain/money.ts';
import type { FeePayer } from '#functions/domain/fees.ts';
import type { CheckoutType } from '#functions/domain/checkout.ts';

export { providerStateNames as providerCheckoutStates, type ProviderStateName as ProviderCheckoutState } from '#functions/domain/checkout-state.ts';
import type { ProviderStateName as ProviderCheckoutState } from '#functions/domain/checkout-state.ts';


export interface ProviderCheckout {
  checkoutId: string;
  accountId: string;
  state: ProviderCheckoutState;
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
  /** Seconds since the epoch, as WePay's create_time. */
  createTime: number;
}

export interface RegisterUserInput {
  email: string;
  firstName: string;
  lastName: string;
  originalIp: string;
  originalDevice: string;
  /** Seconds since the epoch at which the user accepted the provider's terms. */
  tosAcceptanceTime: number;
}

export interface RegisteredUser {
  userId: string;
  /** The merchant's access token: seal it with the TokenVault at once, never log it. */
  accessToken: string;
}

export interface CreateAccountInput {
  name: string;
  description: string;
  referenceId: string;
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

/** One checkout to read in a batch, with the token of the merchant owning it. */
export interface CheckoutRead {
  accessToken: string;
  checkoutId: string;
}

export interface PaymentProvider {
  /** `/user/register` with the full scope list (the only chance to set it). Uses the platform's client credentials. */
  registerUser(input: RegisterUserInput): Promise<RegisteredUser>;
  /** `/account/create` with the merchant's access token. */
  createAccount(accessToken: string, input: CreateAccountInput): Promise<ProviderAccount>;
  createCheckout(accessToken: string, input: CreateCheckoutInput): Promise<ProviderCheckout>;
  getCheckout(accessToken: string, checkoutId: string): Promise<ProviderCheckout>;
  captureCheckout(accessToken: string, checkoutId: string): Promise<ProviderCheckout>;
  cancelCheckout(accessToken: string, checkoutId: string, reason: string): Promise<ProviderCheckout>;
  /** `/checkout/find`: the account's checkouts, oldest first, each with its unique_id. */
  findCheckouts(accessToken: string, input: FindCheckoutsInput): Promise<ProviderCheckout[]>;
  /**
   * Reads up to 50 checkouts in one `/batch/create` call (one call against the
   * provider's throttle). Each result is the checkout or the error its read got.
   */
  getCheckouts(reads: readonly CheckoutRead[]): Promise<(ProviderCheckout | Error)[]>;
  /**
   * `/credit_card` with the platform's client credentials: throws UnknownCardTokenError when the
   * provider holds no card for this token (a mandate names its card before any checkout).
   */
  lookUpCard(creditCardId: string): Promise<void>;
  /** Full refund when `amount` is omitted. */
  refundCheckout(accessToken: string, checkoutId: string, reason: string, amount?: number): Promise<ProviderCheckout>;
}
