// The WePay v2 calls the sandbox implements. Each call takes the parsed JSON
// body and the Authorization header and returns a status and a body; errors are
// WePay's {"error", "error_description", "error_code"}. No I/O here besides the
// store, the throttle, the lifecycle timers and the IPN dispatcher it is given.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { checkCard, storedCardFor } from '#local/sandbox/card-checks.ts';
import { findCheckouts } from '#local/sandbox/checkout-find.ts';
import type { CheckoutLifecycle } from '#local/sandbox/checkout-lifecycle.ts';
import type { IpnDispatcher } from '#local/sandbox/ipn-dispatcher.ts';
import {
  tokenDigest,
  type AccountRecord,
  type CheckoutPayment,
  type CheckoutRecord,
  type CheckoutState,
  type SandboxStore,
} from '#local/sandbox/state-store.ts';
import type { Throttle } from '#local/sandbox/throttle.ts';
import {
  WepayError,
  generalDecline,
  invalidClient,
  invalidParameter,
  invalidState,
  invalidToken,
  missingAuthorization,
  missingParameter,
  notYourAccount,
  revokedToken,
  throttled,
  unknownCall,
} from '#local/sandbox/wepay-errors.ts';
import {
  appFeeWithinCap,
  feePayers,
  grossCents,
  parseDollars,
  processingFeeCents,
  toDollars,
  type FeePayer,
} from '#local/sandbox/wire-money.ts';

export interface SandboxAppCredentials {
  clientId: string;
  clientSecret: string;
  accessToken: string;
}

export interface CallOutcome {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type Params = Record<string, unknown>;

/** Who a bearer token speaks for: the platform's app, or one registered user (a merchant). */
type Caller = { kind: 'app' } | { kind: 'user'; userId: number };

export const REQUIRED_SCOPES = [
  'manage_accounts',
  'collect_payments',
  'view_user',
  'preapprove_payments',
  'send_money',
] as const;
const checkoutTypes = ['goods', 'service', 'donation', 'event', 'personal'];
const currencies = ['USD', 'CAD'];
const MAX_BATCH_CALLS = 50;

export interface WepayApiOptions {
  store: SandboxStore;
  app: SandboxAppCredentials;
  throttle: Throttle;
  lifecycle: () => CheckoutLifecycle;
  ipn: IpnDispatcher;
  /** The sandbox's own URL, for hosted checkout links. */
  baseUrl: () => string;
  /** Every call made inside /batch/create is recorded like a top-level one. */
  recordBatchedCall: (path: string, params: Params, outcome: CallOutcome) => void;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requiredString(params: Params, name: string, maxLength: number): string {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidParameter(`${name} must be a string`);
  const text = String(value);
  if (text.length > maxLength) throw invalidParameter(`${name} must be at most ${maxLength} characters`);
  return text;
}

function optionalString(params: Params, name: string, maxLength: number): string | null {
  const value = params[name];
  if (value === undefined || value === null || value === '') return null;
  return requiredString(params, name, maxLength);
}

function requiredId(params: Params, name: string): number {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw invalidParameter(`${name} must be a positive integer`);
  return id;
}

function requiredDollars(params: Params, name: string): number {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  const cents = parseDollars(value);
  if (cents === undefined) throw invalidParameter(`${name} must be a decimal amount with at most 2 decimal places`);
  return cents;
}

function objectParam(params: Params, name: string): Params | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${name} must be an object`);
  return value as Params;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export class WepayApi {
  constructor(private readonly options: WepayApiOptions) {}

  /** Runs one call; `path` is the part after /v2 (e.g. "/checkout/create"). */
  call(path: string, params: unknown, authorization: string | undefined): CallOutcome {
    try {
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw invalidParameter('the request body must be a JSON object');
      }
      return { status: 200, body: this.route(path, params as Params, authorization), headers: {} };
    } catch (error) {
      if (error instanceof WepayError) return { status: error.status, body: error.body, headers: error.headers };
      throw error;
    }
  }

  /** Moves a checkout to a state as WePay's back office would (lifecycle timers, /__sandbox/.../state). */
  moveCheckout(checkoutId: number, to: CheckoutState): CheckoutRecord | undefined {
    const checkout = this.options.store.state.checkouts[checkoutId];
    if (!checkout) return undefined;
    if (to === 'refunded') checkout.amount_refunded = checkout.amount;
    if (to === 'charged back') checkout.amount_charged_back = checkout.amount - checkout.amount_refunded;
    this.changeState(checkout, to);
    return checkout;
  }

  /**
   * Changes the amounts as a refund or chargeback made outside the platform would
   * (WePay's dashboard, the card network): reaching the amount moves the state.
   */
  moveAmounts(checkoutId: number, amounts: { amount_refunded?: number; amount_charged_back?: number }): CheckoutRecord | undefined {
    const checkout = this.options.store.state.checkouts[checkoutId];
    if (!checkout) return undefined;
    if (amounts.amount_refunded !== undefined) checkout.amount_refunded = Math.min(checkout.amount, amounts.amount_refunded);
    if (amounts.amount_charged_back !== undefined) checkout.amount_charged_back = Math.min(checkout.amount, amounts.amount_charged_back);
    const refundable = checkout.state === 'captured' || checkout.state === 'released';
    if (refundable && checkout.amount_refunded >= checkout.amount) this.changeState(checkout, 'refunded');
    else if (refundable && checkout.amount_charged_back > 0 && checkout.amount_charged_back + checkout.amount_refunded >= checkout.amount) this.changeState(checkout, 'charged back');
    else {
      this.options.ipn.notifyChange(checkout.checkout_id);
      this.options.store.changed();
    }
    return checkout;
  }

  checkoutView(checkout: CheckoutRecord): Record<string, unknown> {
    const account = this.options.store.state.accounts[checkout.account_id];
    const payment = checkout.payment;
    return {
      checkout_id: checkout.checkout_id,
      account_id: checkout.account_id,
      type: checkout.type,
      short_description: checkout.short_description,
      long_description: checkout.long_description,
      currency: checkout.currency,
      amount: toDollars(checkout.amount),
      state: checkout.state,
      soft_descriptor: `WPY*${account?.name ?? ''}`,
      create_time: checkout.create_time,
      fee: {
        app_fee: toDollars(checkout.app_fee),
        processing_fee: toDollars(checkout.processing_fee),
        fee_payer: checkout.fee_payer,
      },
      gross: toDollars(grossCents(checkout.amount, checkout.app_fee, checkout.processing_fee, checkout.fee_payer)),
      reference_id: checkout.reference_id,
      unique_id: checkout.unique_id,
      callback_uri: checkout.callback_uri,
      amount_refunded: toDollars(checkout.amount_refunded),
      amount_charged_back: toDollars(checkout.amount_charged_back),
      refund: { amount_refunded: toDollars(checkout.amount_refunded), refund_reason: checkout.refund_reason },
      chargeback: { amount_charged_back: toDollars(checkout.amount_charged_back), dispute_uri: null },
      cancel_reason: checkout.cancel_reason,
      payment_method:
        payment.kind === 'credit_card'
          ? { type: 'credit_card', credit_card: { id: payment.credit_card_id, auto_capture: payment.auto_capture } }
          : null,
      hosted_checkout:
        payment.kind === 'hosted'
          ? { checkout_uri: `${this.options.baseUrl()}/__sandbox/checkouts/${checkout.checkout_id}`, mode: 'regular' }
          : null,
      in_review: false,
    };
  }

  private route(path: string, params: Params, authorization: string | undefined): unknown {
    switch (path) {
      case '/user/register':
        return this.registerUser(params, authorization);
      case '/user':
        return this.user(this.authenticate(authorization));
      case '/account/create':
        return this.createAccount(params, this.authenticate(authorization));
      case '/account':
        return this.accountView(this.accountFor(this.authenticate(authorization), params));
      case '/credit_card/create':
        return this.createCreditCard(params);
      case '/credit_card':
        return this.creditCardView(params);
      case '/checkout/create':
        return this.createCheckout(params, this.authenticate(authorization));
      case '/checkout/find': {
        const account = this.accountFor(this.authenticate(authorization), params);
        return findCheckouts(Object.values(this.options.store.state.checkouts), account.account_id, params).map((c) => this.checkoutView(c));
      }
      case '/checkout':
        return this.checkoutView(this.checkoutFor(this.authenticate(authorization), params));
      case '/checkout/capture':
        return this.capture(this.checkoutFor(this.authenticate(authorization), params));
      case '/checkout/cancel':
        return this.cancel(params, this.checkoutFor(this.authenticate(authorization), params));
      case '/checkout/refund':
        return this.refund(params, this.checkoutFor(this.authenticate(authorization), params));
      case '/batch/create':
        return this.batch(params);
      default:
        throw unknownCall(path);
    }
  }

  private authenticate(authorization: string | undefined): Caller {
    if (!authorization) throw missingAuthorization();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw invalidToken();
    const token = match[1];
    if (sameSecret(token, this.options.app.accessToken)) return { kind: 'app' };
    const record = this.options.store.state.tokens[tokenDigest(token)];
    if (!record) throw invalidToken();
    if (record.revoked) throw revokedToken();
    return { kind: 'user', userId: record.user_id };
  }

  private checkClient(params: Params): void {
    const clientId = requiredString(params, 'client_id', 255);
    if (clientId !== String(this.options.app.clientId)) throw invalidClient();
  }

  private checkClientSecret(params: Params): void {
    this.checkClient(params);
    const secret = requiredString(params, 'client_secret', 255);
    if (!sameSecret(secret, this.options.app.clientSecret)) throw invalidClient();
  }

  /**
   * The app token may act on every account (it is the platform's); a user's
   * token only on that user's accounts. Another user's account is access_denied.
   */
  private accountFor(caller: Caller, params: Params): AccountRecord {
    const accountId = requiredId(params, 'account_id');
    const account = this.options.store.state.accounts[accountId];
    if (!account) throw invalidParameter(`account ${accountId} does not exist`);
    if (caller.kind === 'user' && account.owner_user_id !== caller.userId) throw notYourAccount();
    return account;
  }

  private checkoutFor(caller: Caller, params: Params): CheckoutRecord {
    const checkoutId = requiredId(params, 'checkout_id');
    const checkout = this.options.store.state.checkouts[checkoutId];
    if (!checkout) throw invalidParameter(`checkout ${checkoutId} does not exist`);
    const account = this.options.store.state.accounts[checkout.account_id];
    if (caller.kind === 'user' && account?.owner_user_id !== caller.userId) throw notYourAccount();
    return checkout;
  }

  /**
   * One user per email: registering an email again returns the same user_id and
   * a new access token (earlier tokens stay valid until revoked).
   */
  private registerUser(params: Params, authorization: string | undefined): unknown {
    // No bearer token is needed (client credentials are), but one that is sent must be the app's.
    if (authorization !== undefined && this.authenticate(authorization).kind !== 'app') throw invalidToken();
    this.checkClientSecret(params);
    const email = requiredString(params, 'email', 255);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalidParameter('email is not a valid email address');
    const scope = requiredString(params, 'scope', 1000);
    const granted = new Set(scope.split(',').map((s) => s.trim()));
    const missing = REQUIRED_SCOPES.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      throw new WepayError(400, 'invalid_scope', 1003, `scope must include all of ${REQUIRED_SCOPES.join(',')}`);
    }
    const firstName = requiredString(params, 'first_name', 255);
    const lastName = requiredString(params, 'last_name', 255);
    requiredString(params, 'original_ip', 100);
    requiredString(params, 'original_device', 1000);
    const tosTime = params['tos_acceptance_time'];
    if (tosTime === undefined || tosTime === null) throw missingParameter('tos_acceptance_time');
    if (typeof tosTime !== 'number' || !Number.isInteger(tosTime) || tosTime <= 0) {
      throw invalidParameter('tos_acceptance_time must be seconds since the epoch');
    }

    const { store } = this.options;
    let user = Object.values(store.state.users).find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
    if (!user) {
      user = { user_id: store.nextId('user'), email, first_name: firstName, last_name: lastName, create_time: nowSeconds() };
      store.state.users[user.user_id] = user;
    }
    const accessToken = `STAGE_${randomBytes(32).toString('hex')}`;
    store.state.tokens[tokenDigest(accessToken)] = { user_id: user.user_id, revoked: false };
    store.changed();
    return { user_id: user.user_id, access_token: accessToken, token_type: 'BEARER', expires_in: null };
  }

  private user(caller: Caller): unknown {
    if (caller.kind !== 'user') throw new WepayError(401, 'access_denied', 1006, '/user needs a user access_token');
    const user = this.options.store.state.users[caller.userId];
    return { user_id: caller.userId, email: user?.email, first_name: user?.first_name, last_name: user?.last_name, state: 'registered' };
  }

  /** reference_id is stored as given; the sandbox does not deduplicate accounts by it. */
  private createAccount(params: Params, caller: Caller): unknown {
    if (caller.kind !== 'user') {
      throw new WepayError(401, 'access_denied', 1006, '/account/create needs the access_token of the user who will own the account');
    }
    const name = requiredString(params, 'name', 255);
    if (/wepay/i.test(name)) throw invalidParameter('account name may not contain "wepay"');
    const description = requiredString(params, 'description', 65_535);
    const referenceId = optionalString(params, 'reference_id', 255);
    const { store } = this.options;
    const account: AccountRecord = {
      account_id: store.nextId('account'),
      owner_user_id: caller.userId,
      name,
      description,
      reference_id: referenceId,
      state: 'active',
      create_time: nowSeconds(),
    };
    store.state.accounts[account.account_id] = account;
    store.changed();
    return this.accountView(account);
  }

  private accountView(account: AccountRecord): unknown {
    return {
      account_id: account.account_id,
      name: account.name,
      state: account.state,
      description: account.description,
      reference_id: account.reference_id,
      owner_user_id: account.owner_user_id,
      type: 'personal',
      create_time: account.create_time,
      country: 'US',
      currencies: ['USD'],
      statement_descriptor: `WPY*${account.name}`,
    };
  }

  /** `/credit_card`: the app's client credentials; an unknown id is the same 1003 as on /checkout/create. */
  private creditCardView(params: Params): unknown {
    this.checkClientSecret(params);
    const card = storedCardFor(this.options.store.state.credit_cards, params['credit_card_id']);
    return { credit_card_id: Number(card.credit_card_id), credit_card_name: `${card.brand} xxxxxx${card.last_four}`, state: 'authorized', user_name: card.user_name, create_time: card.create_time };
  }

  /** Called by the browser's tokenization library: client_id, no bearer token. */
  private createCreditCard(params: Params): unknown {
    this.checkClient(params);
    const userName = requiredString(params, 'user_name', 255);
    requiredString(params, 'email', 255);
    const card = checkCard(params, new Date());
    const { store } = this.options;
    const creditCardId = store.nextId('credit_card');
    store.state.credit_cards[creditCardId] = {
      credit_card_id: creditCardId,
      brand: card.brand,
      last_four: card.lastFour,
      declines: card.declines,
      expiration_month: card.expirationMonth,
      expiration_year: card.expirationYear,
      user_name: userName,
      create_time: nowSeconds(),
    };
    store.changed();
    return { credit_card_id: creditCardId, state: 'new' };
  }

  /**
   * unique_id: a repeat with the same parameters returns the checkout as it is
   * now; a repeat with other parameters is 1003 and creates nothing. A declined
   * card uses the unique_id too (WePay's rule: any error but the unknown one
   * means it is used): its repeats get the same decline, and nothing is created.
   */
  private createCheckout(params: Params, caller: Caller): unknown {
    const account = this.accountFor(caller, params);
    const admitted = this.options.throttle.admit(['app', `merchant:${account.account_id}`], Date.now());
    if (!admitted.allowed) throw throttled(admitted.retryAfterSeconds);

    const shortDescription = requiredString(params, 'short_description', 255);
    const longDescription = optionalString(params, 'long_description', 2047);
    const type = requiredString(params, 'type', 20);
    if (!checkoutTypes.includes(type)) throw invalidParameter(`type must be one of ${checkoutTypes.join(', ')}`);
    const amount = requiredDollars(params, 'amount');
    if (amount <= 0) throw invalidParameter('amount must be greater than 0');
    const currency = requiredString(params, 'currency', 3);
    if (!currencies.includes(currency)) throw invalidParameter(`currency must be one of ${currencies.join(', ')}`);

    const fee = objectParam(params, 'fee') ?? {};
    const appFee = fee['app_fee'] === undefined ? 0 : requiredDollars(fee, 'app_fee');
    if (!appFeeWithinCap(appFee, amount)) throw invalidParameter('fee.app_fee may not exceed 20% of amount');
    const feePayer = (fee['fee_payer'] ?? 'payer') as FeePayer;
    if (!feePayers.includes(feePayer)) throw invalidParameter(`fee.fee_payer must be one of ${feePayers.join(', ')}`);

    const callbackUri = optionalString(params, 'callback_uri', 2083);
    // WePay refuses localhost callbacks; the sandbox accepts them, as its receivers are local.
    if (callbackUri !== null && !/^https?:\/\/[^\s]+$/i.test(callbackUri)) throw invalidParameter('callback_uri must be an http(s) URL');
    const referenceId = optionalString(params, 'reference_id', 255);
    const uniqueId = optionalString(params, 'unique_id', 255);

    const paymentMethod = objectParam(params, 'payment_method');
    const hostedCheckout = objectParam(params, 'hosted_checkout');
    if (paymentMethod && hostedCheckout) throw invalidParameter('pass payment_method or hosted_checkout, not both');
    let payment: CheckoutPayment = { kind: 'hosted' };
    let declines = false;
    if (paymentMethod) {
      if (paymentMethod['type'] !== 'credit_card') throw invalidParameter('payment_method.type must be credit_card');
      const creditCard = objectParam(paymentMethod, 'credit_card');
      if (!creditCard) throw missingParameter('payment_method.credit_card');
      if (creditCard['id'] === undefined || creditCard['id'] === null || creditCard['id'] === '') throw missingParameter('payment_method.credit_card.id');
      const card = storedCardFor(this.options.store.state.credit_cards, creditCard['id']);
      const creditCardId = card.credit_card_id;
      const autoCapture = creditCard['auto_capture'] ?? true;
      if (typeof autoCapture !== 'boolean') throw invalidParameter('payment_method.credit_card.auto_capture must be a boolean');
      payment = { kind: 'credit_card', credit_card_id: creditCardId, auto_capture: autoCapture };
      declines = card.declines;
    }

    const fingerprint = JSON.stringify([
      account.account_id,
      shortDescription,
      longDescription,
      type,
      amount,
      currency,
      appFee,
      feePayer,
      callbackUri,
      referenceId,
      payment,
    ]);
    const { store } = this.options;
    if (uniqueId !== null) {
      const used = store.state.unique_ids[uniqueId];
      if (used) {
        if (used.fingerprint !== fingerprint) {
          throw invalidParameter(`unique_id ${uniqueId} was already used with other parameters`);
        }
        if (used.declined) throw generalDecline();
        const original = used.checkout_id === null ? undefined : store.state.checkouts[used.checkout_id];
        if (original) return this.checkoutView(original);
      }
    }
    if (declines) {
      if (uniqueId !== null) {
        store.state.unique_ids[uniqueId] = { fingerprint, checkout_id: null, declined: true };
        store.changed();
      }
      throw generalDecline();
    }

    const checkout: CheckoutRecord = {
      checkout_id: store.nextId('checkout'),
      account_id: account.account_id,
      state: payment.kind === 'credit_card' ? 'authorized' : 'new',
      short_description: shortDescription,
      long_description: longDescription,
      type,
      currency,
      amount,
      app_fee: appFee,
      fee_payer: feePayer,
      processing_fee: processingFeeCents(amount),
      reference_id: referenceId,
      unique_id: uniqueId,
      amount_refunded: 0,
      amount_charged_back: 0,
      refund_reason: null,
      cancel_reason: null,
      create_time: nowSeconds(),
      callback_uri: callbackUri,
      payment,
      next_transition: null,
    };
    store.state.checkouts[checkout.checkout_id] = checkout;
    if (uniqueId !== null) store.state.unique_ids[uniqueId] = { fingerprint, checkout_id: checkout.checkout_id, declined: false };
    this.options.lifecycle().plan(checkout);
    this.options.ipn.notifyChange(checkout.checkout_id);
    store.changed();
    return this.checkoutView(checkout);
  }

  private capture(checkout: CheckoutRecord): unknown {
    if (checkout.state !== 'authorized') throw invalidState('captured', checkout.state);
    this.changeState(checkout, 'captured');
    return this.checkoutView(checkout);
  }

  private cancel(params: Params, checkout: CheckoutRecord): unknown {
    const reason = requiredString(params, 'cancel_reason', 255);
    if (checkout.state !== 'new' && checkout.state !== 'authorized') throw invalidState('cancelled', checkout.state);
    checkout.cancel_reason = reason;
    this.changeState(checkout, 'cancelled');
    return this.checkoutView(checkout);
  }

  /** Full refund without `amount`; a partial one keeps the state and adds to amount_refunded. */
  private refund(params: Params, checkout: CheckoutRecord): unknown {
    const reason = requiredString(params, 'refund_reason', 255);
    if (checkout.state !== 'captured' && checkout.state !== 'released') throw invalidState('refunded', checkout.state);
    const remaining = checkout.amount - checkout.amount_refunded;
    const amount = params['amount'] === undefined || params['amount'] === null ? remaining : requiredDollars(params, 'amount');
    if (amount <= 0 || amount > remaining) {
      throw invalidParameter(`amount must be greater than 0 and at most ${toDollars(remaining)}`);
    }
    checkout.amount_refunded += amount;
    checkout.refund_reason = reason;
    if (checkout.amount_refunded === checkout.amount) {
      this.changeState(checkout, 'refunded');
    } else {
      this.options.ipn.notifyChange(checkout.checkout_id);
      this.options.store.changed();
    }
    return this.checkoutView(checkout);
  }

  /** Up to 50 calls, each with its own `authorization` (an access token); batches do not nest. */
  private batch(params: Params): unknown {
    this.checkClientSecret(params);
    const calls = params['calls'];
    if (calls === undefined || calls === null) throw missingParameter('calls');
    if (!Array.isArray(calls)) throw invalidParameter('calls must be an array');
    if (calls.length > MAX_BATCH_CALLS) throw invalidParameter(`a batch holds at most ${MAX_BATCH_CALLS} calls`);
    const results = calls.map((entry: unknown) => {
      const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Params;
      const rawCall = typeof item['call'] === 'string' ? item['call'] : '';
      const path = `/${rawCall.replace(/^\/+/, '').replace(/^v2\//, '')}`;
      const parameters = item['parameters'] ?? {};
      const token = typeof item['authorization'] === 'string' ? item['authorization'] : undefined;
      const outcome =
        path === '/batch/create'
          ? { status: 400, body: invalidParameter('batches do not nest').body, headers: {} }
          : this.call(path, parameters, token === undefined ? undefined : `Bearer ${token}`);
      this.options.recordBatchedCall(`/v2${path}`, (typeof parameters === 'object' && parameters !== null ? parameters : {}) as Params, outcome);
      return { call: rawCall, reference_id: item['reference_id'] ?? null, response: outcome.body };
    });
    return { calls: results };
  }

  private changeState(checkout: CheckoutRecord, to: CheckoutState): void {
    checkout.state = to;
    this.options.lifecycle().plan(checkout);
    this.options.ipn.notifyChange(checkout.checkout_id);
    this.options.store.changed();
  }
}
