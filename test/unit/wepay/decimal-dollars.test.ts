import fc from 'fast-check';
import { fromDecimalDollars, toDecimalDollars } from '#functions/adapters/providers/wepay/decimal-dollars.ts';
import { JsonNumberLiteral, parseExactJson, stringifyExactJson } from '#functions/adapters/providers/wepay/exact-json.ts';

const safeCents = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
// Up to 15 significant digits a JSON number survives JSON.parse as its exact decimal.
const doubleExactCents = fc.integer({ min: 0, max: 999_999_999_999_999 });

describe('decimal dollars', () => {
  it('converts cents to decimal dollars and back on the worked examples', () => {
    expect(toDecimalDollars(10400)).toBe('104.00');
    expect(Number(toDecimalDollars(10400))).toBe(104);
    expect(toDecimalDollars(1)).toBe('0.01');
    expect(toDecimalDollars(0)).toBe('0.00');
    expect(fromDecimalDollars(104)).toBe(10400);
    expect(fromDecimalDollars(104.5)).toBe(10450);
    expect(fromDecimalDollars('104.00')).toBe(10400);
    expect(fromDecimalDollars(0.29)).toBe(29); // 0.29 * 100 is 28.999999999999996 in floats
    expect(fromDecimalDollars(1.1e2)).toBe(11000);
    expect(fromDecimalDollars('1.045e1')).toBe(1045);
  });

  it('round-trips every safe integer number of cents through the decimal text', () => {
    fc.assert(fc.property(safeCents, (cents) => fromDecimalDollars(toDecimalDollars(cents)) === cents));
  });

  it('writes the decimal text with exactly two decimals and the same value', () => {
    fc.assert(
      fc.property(safeCents, (cents) => {
        const text = toDecimalDollars(cents);
        return /^-?\d+\.\d{2}$/.test(text) && BigInt(text.replace('.', '')) === BigInt(cents);
      }),
    );
  });

  it('reads back a JSON-parsed number exactly, as the provider sends it', () => {
    fc.assert(
      fc.property(doubleExactCents, (cents) => {
        const parsed = JSON.parse(`{"amount":${toDecimalDollars(cents)}}`) as { amount: number };
        return fromDecimalDollars(parsed.amount) === cents;
      }),
    );
  });

  it('refuses fractions of a cent, non-numbers and amounts beyond safe integers rather than rounding', () => {
    expect(() => fromDecimalDollars(1.005)).toThrow(RangeError);
    expect(() => fromDecimalDollars('1e-5')).toThrow(RangeError);
    expect(() => fromDecimalDollars('abc')).toThrow(RangeError);
    expect(() => fromDecimalDollars(Number.NaN)).toThrow(RangeError);
    expect(() => fromDecimalDollars('1e999999999')).toThrow(RangeError);
    expect(() => fromDecimalDollars('90071992547409.92')).toThrow(RangeError);
    expect(() => toDecimalDollars(1.5)).toThrow(RangeError);
    expect(() => toDecimalDollars(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});

describe('exact JSON', () => {
  it('puts amounts on the wire as number literals with their exact digits', () => {
    const text = stringifyExactJson({
      amount: new JsonNumberLiteral(toDecimalDollars(9_007_199_254_740_991)),
      fee: { app_fee: new JsonNumberLiteral('4.00') },
      skipped: undefined,
      list: [1, 'a', null],
    });
    expect(text).toBe('{"amount":90071992547409.91,"fee":{"app_fee":4.00},"list":[1,"a",null]}');
  });

  it('reads every number as its source text and leaves strings untouched', () => {
    expect(parseExactJson('{"amount": 90071992547409.91, "id": 12345678901234567890, "s": "a \\" 1.5", "n": [-1.5e3, true]}')).toEqual({
      amount: '90071992547409.91',
      id: '12345678901234567890',
      s: 'a " 1.5',
      n: ['-1.5e3', true],
    });
  });

  it('round-trips any JSON value, numbers becoming their text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const numbersAsText = JSON.parse(text, (_key, v: unknown) => (typeof v === 'number' ? JSON.stringify(v) : v));
        expect(parseExactJson(text)).toEqual(numbersAsText);
      }),
    );
  });

  it('rejects malformed numbers', () => {
    expect(() => parseExactJson('{"a": 01}')).toThrow(SyntaxError);
    expect(() => parseExactJson('{"a": 1.}')).toThrow(SyntaxError);
  });
});
