// Fee quotes (`POST /v1/fees/quote`: its fee payers and app-fee cap are
// the API's, which the provider's adapter passes on as they are). Integer minor
// units throughout; rounding is half-up, done once per computed fee.
import { InvalidRequestError } from './errors.ts';
import { applyBasisPoints, type Currency, type FeeRate } from './money.ts';

export const feePayers = ['payee_from_app', 'payer_from_app', 'payer', 'payee'] as const;
export type FeePayer = (typeof feePayers)[number];

/** The API caps the app fee at 20% of the amount (400 app_fee_too_high). */
export const maxAppFeeBps = 2_000;

export interface FeeQuote {
  currency: Currency;
  feePayer: FeePayer;
  amount: number;
  appFee: number;
  processingFee: number;
  /** What the payer's card is charged. */
  payerTotal: number;
  /** What lands in the merchant's account. */
  merchantNet: number;
  /** What the platform keeps after paying any processing fee it bears. */
  platformNet: number;
}

export interface ExplicitQuoteInput {
  currency: Currency;
  amount: number;
  appFee: number;
  feePayer: FeePayer;
  processingFeeRate: FeeRate;
}

export interface PolicyQuoteInput {
  currency: Currency;
  price: number;
  /** The platform's advertised fee, and the part of the price added to what the payer pays. */
  policy: { appFeeBps: number; payerShareBps: number };
  processingFeeRate: FeeRate;
}

export function processingFee(amount: number, rate: FeeRate): number {
  return applyBasisPoints(amount, rate.bps) + rate.fixed;
}

/** Throws app_fee_too_high when appFee exceeds 20% of amount (exact integer comparison). */
export function assertAppFeeWithinCap(amount: number, appFee: number, param = 'app_fee'): void {
  if (appFee * 10_000 > amount * maxAppFeeBps) {
    throw new InvalidRequestError('app_fee_too_high', `${param} may not exceed 20% of amount`, { param });
  }
}

export function quoteFees(input: ExplicitQuoteInput): FeeQuote {
  const { amount, appFee, feePayer } = input;
  assertAppFeeWithinCap(amount, appFee);
  const fee = processingFee(amount, input.processingFeeRate);
  const split: Record<FeePayer, Pick<FeeQuote, 'payerTotal' | 'merchantNet' | 'platformNet'>> = {
    payee_from_app: { payerTotal: amount, merchantNet: amount - appFee, platformNet: appFee - fee },
    payer_from_app: { payerTotal: amount + appFee, merchantNet: amount, platformNet: appFee - fee },
    payer: { payerTotal: amount + appFee + fee, merchantNet: amount, platformNet: appFee },
    payee: { payerTotal: amount, merchantNet: amount - appFee - fee, platformNet: appFee },
  };
  return { currency: input.currency, feePayer, amount, appFee, processingFee: fee, ...split[feePayer] };
}

/** Policy mode: amount = price + payer share, app fee = app_fee_bps of the price, fee payer payee_from_app. */
export function quoteFeesFromPolicy(input: PolicyQuoteInput): FeeQuote {
  const amount = input.price + applyBasisPoints(input.price, input.policy.payerShareBps);
  const appFee = applyBasisPoints(input.price, input.policy.appFeeBps);
  if (appFee * 10_000 > amount * maxAppFeeBps) {
    throw new InvalidRequestError('app_fee_too_high', 'policy.app_fee_bps gives an app fee over 20% of amount', {
      param: 'policy.app_fee_bps',
    });
  }
  return quoteFees({
    currency: input.currency,
    amount,
    appFee,
    feePayer: 'payee_from_app',
    processingFeeRate: input.processingFeeRate,
  });
}
