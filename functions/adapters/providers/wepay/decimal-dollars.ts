// WePay speaks decimal dollars (104.00); we speak integer cents (10400). Both
// directions go through decimal text and BigInt, never float arithmetic, so
// every safe-integer number of cents converts exactly and round-trips.

const decimal = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** 10400 → "104.00": the exact decimal text, to be sent as a JSON number literal. */
export function toDecimalDollars(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError('An amount must be a safe integer number of cents');
  const sign = cents < 0 ? '-' : '';
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * 104.5 or "104.50" → 10450. A number is read through its shortest decimal form
 * (what String() gives), which is exact for any amount that came from a JSON
 * literal of up to 15 significant digits; pass the literal's text for more.
 * Throws a RangeError for fractions of a cent or amounts beyond safe integers.
 */
export function fromDecimalDollars(value: number | string): number {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('An amount must be finite');
  const match = decimal.exec(typeof value === 'number' ? String(value) : value.trim());
  if (!match) throw new RangeError('An amount must be a decimal number of dollars');
  const [, minus, whole = '', fraction = '', exponent = '0'] = match;
  // digits × 10^(exponent − fraction length) dollars = digits × 10^(shift) cents
  const shift = Number(exponent) - fraction.length + 2;
  const digits = whole + fraction;
  let cents = BigInt(digits);
  // Bound the powers of ten so that a hostile exponent (1e999999999) costs nothing.
  if (cents === 0n) return 0;
  if (shift > 16) throw new RangeError('An amount must be a safe integer number of cents');
  if (-shift > digits.length) throw new RangeError('An amount may not hold a fraction of a cent');
  if (shift >= 0) {
    cents *= 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    if (cents % divisor !== 0n) throw new RangeError('An amount may not hold a fraction of a cent');
    cents /= divisor;
  }
  if (minus) cents = -cents;
  if (cents > BigInt(Number.MAX_SAFE_INTEGER) || cents < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('An amount must be a safe integer number of cents');
  }
  return Number(cents);
}
