// WePay's platform-credential calls: registering a merchant user (the one call
// whose client credentials go in the body), creating an account with the user's
// token, and looking up a tokenized card.
import type { MerchantApplicant, ProviderAccount } from '#functions/ports/payment-provider.ts';
import { optionalText, providerId, requiredText } from './checkout-object.ts';
import { JsonNumberLiteral } from './exact-json.ts';
import type { WePayTransport } from './transport.ts';

/** Custom scopes are gone and onboarding is the only chance to set them: ask for all of them. */
export const WEPAY_USER_SCOPES = [
  'manage_accounts',
  'collect_payments',
  'view_user',
  'preapprove_payments',
  'send_money',
] as const;

/** What `/user/register` answers: WePay's user id and that user's access token (the merchant credential). */
export interface RegisteredUser {
  userId: string;
  accessToken: string;
}

export interface CreateAccountInput {
  name: string;
  description: string;
  referenceId: string;
}

/** `/user/register` with the full scope list. WePay answers an email it knows with that user's id and a new token. */
export async function registerUser(wire: WePayTransport, input: MerchantApplicant): Promise<RegisteredUser> {
  const app = await wire.credentials();
  const body = await wire.call('/user/register', app.appAccessToken, {
    client_id: providerId(app.clientId),
    client_secret: app.clientSecret,
    email: input.email,
    scope: WEPAY_USER_SCOPES.join(','),
    first_name: input.firstName,
    last_name: input.lastName,
    original_ip: input.originalIp,
    original_device: input.originalDevice,
    tos_acceptance_time: new JsonNumberLiteral(String(Math.trunc(input.tosAcceptanceTime))),
  }, { kind: 'once' }, [app.clientSecret]);
  return { userId: requiredText(body, 'user_id'), accessToken: requiredText(body, 'access_token') };
}

/** `/account/create` with the merchant's access token. The name is printed on statements as `WPY*<name>`. */
export async function createAccount(wire: WePayTransport, accessToken: string, input: CreateAccountInput): Promise<ProviderAccount> {
  const body = await wire.call('/account/create', accessToken, {
    name: input.name,
    description: input.description,
    reference_id: input.referenceId,
  }, { kind: 'once' });
  return {
    accountId: requiredText(body, 'account_id'),
    name: requiredText(body, 'name'),
    state: optionalText(body, 'state') ?? 'active',
  };
}

/** `/credit_card` with the platform's client credentials. A read: safe to repeat, so it is retried like any idempotent call. */
export async function lookUpCard(wire: WePayTransport, creditCardId: string): Promise<void> {
  const app = await wire.credentials();
  await wire.call('/credit_card', app.appAccessToken, {
    client_id: providerId(app.clientId),
    client_secret: app.clientSecret,
    credit_card_id: providerId(creditCardId),
  }, { kind: 'idempotent' }, [app.clientSecret]);
}
