// The WePay v2 adapter behind the PaymentProvider port. The wire format lives
// next to it: transport.ts (the POST and the integration guide's retry loop),
// errors.ts (WePay's errors → the named domain errors), checkout-object.ts
// (decimal dollars, numeric ids, `charged back`), checkouts.ts, users.ts,
// batch.ts and notifications.ts (the IPN form).
import type { Config } from '#functions/config.ts';
import type {
  CheckoutRead,
  CreateCheckoutInput,
  FindCheckoutsInput,
  MerchantApplicant,
  MerchantCredential,
  OnboardMerchantInput,
  PaymentProvider,
  ProviderAccount,
  ProviderCheckout,
  ProviderNotification,
} from '#functions/ports/payment-provider.ts';
import type { PlatformSecrets } from '#functions/ports/secrets.ts';
import { getCheckouts } from './batch.ts';
import { cancelCheckout, captureCheckout, createCheckout, findCheckouts, getCheckout, refundCheckout } from './checkouts.ts';
import { parseWePayNotification } from './notifications.ts';
import { WePayTransport, type WePayClientOptions } from './transport.ts';
import { createAccount, lookUpCard, registerUser, type CreateAccountInput, type RegisteredUser } from './users.ts';
import { WEPAY_PROVIDER_NAME } from './provider-name.ts';

export { WEPAY_MAX_BATCH_CALLS } from './checkouts.ts';
export { WEPAY_THROTTLE_WINDOW_SECONDS, WEPAY_UNKNOWN_ERROR_MESSAGE } from './errors.ts';
export type { ProviderClientCredentials, WePayClientOptions } from './transport.ts';
export { WEPAY_USER_SCOPES, type CreateAccountInput, type RegisteredUser } from './users.ts';


/**
 * The merchant credential is the WePay user's access token. Its methods take it as
 * a plain string (wider than the port's MerchantCredential), so WePay-level code and
 * tests can call them with a token in hand.
 */
export class WePayClient implements PaymentProvider {
  readonly name = WEPAY_PROVIDER_NAME;
  /** WePay prints `WPY*<name>` on card statements and refuses names containing "wepay". */
  readonly statementNaming = { descriptorPrefix: 'WPY*', reservedWord: 'wepay' };
  private readonly wire: WePayTransport;

  constructor(options: WePayClientOptions) {
    this.wire = new WePayTransport(options);
  }

  /**
   * `/user/register` unless the merchant's token is given, then `/account/create` with
   * it. `keepIdentity` runs between the two, so a failure of the second leaves the
   * registration stored and a retry skips it (neither call may be repeated blindly).
   */
  async onboardMerchant(input: OnboardMerchantInput): Promise<ProviderAccount> {
    let credential = input.credential;
    if (credential === undefined) {
      const user = await this.registerUser(input.applicant);
      // The app's opaque credential is exactly the access token.
      credential = await input.keepIdentity({ providerUserId: user.userId, credential: user.accessToken as MerchantCredential });
    }
    return this.createAccount(credential, input.account);
  }

  /** `/user/register` with the full scope list (the only chance to set it), using the platform's client credentials. */
  registerUser(input: MerchantApplicant): Promise<RegisteredUser> {
    return registerUser(this.wire, input);
  }

  /** `/account/create` with the merchant's access token. */
  createAccount(accessToken: string, input: CreateAccountInput): Promise<ProviderAccount> {
    return createAccount(this.wire, accessToken, input);
  }

  lookUpCard(creditCardId: string): Promise<void> {
    return lookUpCard(this.wire, creditCardId);
  }

  createCheckout(accessToken: string, input: CreateCheckoutInput): Promise<ProviderCheckout> {
    return createCheckout(this.wire, accessToken, input);
  }

  getCheckout(accessToken: string, checkoutId: string): Promise<ProviderCheckout> {
    return getCheckout(this.wire, accessToken, checkoutId);
  }

  findCheckouts(accessToken: string, input: FindCheckoutsInput): Promise<ProviderCheckout[]> {
    return findCheckouts(this.wire, accessToken, input);
  }

  getCheckouts(reads: readonly CheckoutRead[]): Promise<(ProviderCheckout | Error)[]> {
    return getCheckouts(this.wire, reads.map((read) => ({ accessToken: read.credential, checkoutId: read.checkoutId })));
  }

  captureCheckout(accessToken: string, checkoutId: string): Promise<ProviderCheckout> {
    return captureCheckout(this.wire, accessToken, checkoutId);
  }

  cancelCheckout(accessToken: string, checkoutId: string, reason: string): Promise<ProviderCheckout> {
    return cancelCheckout(this.wire, accessToken, checkoutId, reason);
  }

  refundCheckout(accessToken: string, checkoutId: string, reason: string, amount?: number): Promise<ProviderCheckout> {
    return refundCheckout(this.wire, accessToken, checkoutId, reason, amount);
  }

  parseNotification(body: Readonly<Record<string, unknown>>): ProviderNotification {
    return parseWePayNotification(body);
  }
}

/** Wires the client from the one configuration module and the platform's secrets. */
export function wepayClientFromConfig(
  cfg: Config,
  secrets: PlatformSecrets,
  overrides: Partial<Pick<WePayClientOptions, 'fetch' | 'sleep' | 'random' | 'onAttempt'>> = {},
): WePayClient {
  return new WePayClient({
    baseUrl: cfg.provider.baseUrl,
    timeoutMs: cfg.provider.timeoutMs,
    maxAttempts: cfg.provider.maxAttempts,
    credentials: () => secrets.platformCredentials(),
    ...overrides,
  });
}
