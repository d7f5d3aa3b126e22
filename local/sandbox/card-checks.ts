// Checks a card number the way a processor would before tokenizing it. The
// number itself never leaves this module: callers keep only brand, last four
// and whether the sandbox declines it.
import { invalidParameter, missingParameter } from '#local/sandbox/wepay-errors.ts';

/** The test card that is declined at checkout with "general decline"; every other valid number succeeds. */
const DECLINING_TEST_CARD = '4000000000000002';

export interface CheckedCard {
  brand: 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';
  lastFour: string;
  declines: boolean;
  expirationMonth: number;
  expirationYear: number;
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): CheckedCard['brand'] {
  if (digits.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^6(011|5)/.test(digits)) return 'discover';
  return 'unknown';
}

function integerParam(params: Record<string, unknown>, name: string): number {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(parsed)) throw invalidParameter(`${name} must be an integer`);
  return parsed;
}

/**
 * What /checkout/create answers for a `payment_method.credit_card.id` it holds no card for, whatever
 * the value (unknown number, not a number at all): error 1003, as WePay answers an invalid parameter
 * value. WePay documents no exact wording; the sandbox's names the parameter.
 */
export const UNKNOWN_CREDIT_CARD_DESCRIPTION = 'Invalid credit_card_id: no such credit card';

/** The stored card a checkout's `credit_card.id` names, or 1003 invalid parameter. */
export function storedCardFor<T>(cards: Readonly<Record<string, T>> | { get(id: number): T | undefined }, id: unknown): T {
  const key = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : typeof id === 'string' && /^[1-9]\d{0,14}$/.test(id) ? id : undefined;
  const card =
    key === undefined ? undefined : typeof cards.get === 'function' ? (cards.get as (id: number) => T | undefined)(Number(key)) : Object.hasOwn(cards, key) ? (cards as Record<string, T>)[key] : undefined;
  if (card === undefined) throw invalidParameter(UNKNOWN_CREDIT_CARD_DESCRIPTION);
  return card;
}

/** Validates cc_number, cvv and expiration; `now` decides what "expired" means. */
export function checkCard(params: Record<string, unknown>, now: Date): CheckedCard {
  const rawNumber = params['cc_number'];
  if (rawNumber === undefined || rawNumber === null || rawNumber === '') throw missingParameter('cc_number');
  const digits = String(rawNumber).replace(/[\s-]/g, '');
  // The description never echoes the number.
  if (!/^\d{13,19}$/.test(digits) || !passesLuhn(digits)) throw invalidParameter('cc_number is not a valid card number');
  const brand = brandOf(digits);

  const rawCvv = params['cvv'];
  if (rawCvv === undefined || rawCvv === null || rawCvv === '') throw missingParameter('cvv');
  const cvvLength = brand === 'amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvvLength}}$`).test(String(rawCvv))) throw invalidParameter('cvv is invalid for this card');

  const expirationMonth = integerParam(params, 'expiration_month');
  const expirationYear = integerParam(params, 'expiration_year');
  if (expirationMonth < 1 || expirationMonth > 12) throw invalidParameter('expiration_month must be 1 to 12');
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (expirationYear < year || (expirationYear === year && expirationMonth < month)) {
    throw invalidParameter('the card has expired');
  }
  if (expirationYear > year + 20) throw invalidParameter('expiration_year is too far in the future');

  return {
    brand,
    lastFour: digits.slice(-4),
    declines: digits === DECLINING_TEST_CARD,
    expirationMonth,
    expirationYear,
  };
}
