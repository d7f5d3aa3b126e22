// `POST /v1/fees/quote` and the integration guide's three use cases, at the
// domain level: both modes, the four fee_payer rows, half-up integer rounding,
// the 20% cap, and the identities each mode must keep.
import fc from 'fast-check';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { feePayers, processingFee, quoteFees, quoteFeesFromPolicy, type FeePayer, type FeeQuote } from '#functions/domain/fees.ts';
import type { Currency } from '#functions/domain/money.ts';

const threePercent = { bps: 300, fixed: 0 };

function refusal(quote: () => unknown): InvalidRequestError {
  try {
    quote();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('expected the quote to be refused');
}

/** Half-up rounding of amount * bps / 10000 by an independent route: floor((2ab + 10000) / 20000). */
function referenceBasisPoints(amount: number, bps: number): number {
  return Number((2n * BigInt(amount) * BigInt(bps) + 10_000n) / 20_000n);
}

describe('the API contract examples', () => {
  it('quotes the explicit-mode example: 104.00 with a 4.00 app fee paid from the merchant side', () => {
    expect(quoteFees({ currency: 'USD', amount: 10400, appFee: 400, feePayer: 'payee_from_app', processingFeeRate: threePercent })).toEqual({
      currency: 'USD',
      feePayer: 'payee_from_app',
      amount: 10400,
      appFee: 400,
      processingFee: 312,
      payerTotal: 10400,
      merchantNet: 10000,
      platformNet: 88,
    });
  });

  it('quotes the policy-mode example exactly as the documented response', () => {
    const quote = quoteFeesFromPolicy({
      currency: 'USD',
      price: 10000,
      policy: { appFeeBps: 400, payerShareBps: 100 },
      processingFeeRate: threePercent,
    });
    expect(quote).toEqual({
      currency: 'USD',
      feePayer: 'payee_from_app',
      amount: 10100,
      appFee: 400,
      processingFee: 303,
      payerTotal: 10100,
      merchantNet: 9700,
      platformNet: 97,
    });
  });
});

describe("the integration guide's use cases: a $100 purchase, 4% platform fee, 3% processing", () => {
  const useCase = (payerShareBps: number) =>
    quoteFeesFromPolicy({ currency: 'USD', price: 10000, policy: { appFeeBps: 400, payerShareBps }, processingFeeRate: threePercent });

  it('fee paid by the merchant: merchant nets $96.00, processing $3.00', () => {
    expect(useCase(0)).toMatchObject({ amount: 10000, appFee: 400, payerTotal: 10000, merchantNet: 9600, processingFee: 300, platformNet: 100 });
  });

  it('fee paid by the payer: merchant nets $100.00, processing $3.12', () => {
    expect(useCase(400)).toMatchObject({ amount: 10400, appFee: 400, payerTotal: 10400, merchantNet: 10000, processingFee: 312, platformNet: 88 });
  });

  it('fee split 3% merchant / 1% payer: merchant nets $97.00, processing $3.03', () => {
    expect(useCase(100)).toMatchObject({ amount: 10100, appFee: 400, payerTotal: 10100, merchantNet: 9700, processingFee: 303, platformNet: 97 });
  });
});

describe('every fee_payer row of the table', () => {
  // amount 10000, app fee 400, processing 3% + 0.30 = 330.
  const quote = (feePayer: FeePayer) =>
    quoteFees({ currency: 'CAD', amount: 10000, appFee: 400, feePayer, processingFeeRate: { bps: 300, fixed: 30 } });

  it.each([
    ['payee_from_app', { payerTotal: 10000, merchantNet: 9600, platformNet: 70 }],
    ['payer_from_app', { payerTotal: 10400, merchantNet: 10000, platformNet: 70 }],
    ['payer', { payerTotal: 10730, merchantNet: 10000, platformNet: 400 }],
    ['payee', { payerTotal: 10000, merchantNet: 9270, platformNet: 400 }],
  ] as const)('%s', (feePayer, expected) => {
    expect(quote(feePayer)).toEqual({ currency: 'CAD', feePayer, amount: 10000, appFee: 400, processingFee: 330, ...expected });
  });
});

describe('currencies', () => {
  it.each(['USD', 'CAD'] as const)('quotes %s and answers in the same currency', (currency) => {
    expect(quoteFees({ currency, amount: 5000, appFee: 100, feePayer: 'payer', processingFeeRate: threePercent }).currency).toBe(currency);
    expect(quoteFeesFromPolicy({ currency, price: 5000, policy: { appFeeBps: 200, payerShareBps: 0 }, processingFeeRate: threePercent }).currency).toBe(
      currency,
    );
  });
});

describe('defaults', () => {
  it('policy mode always quotes fee_payer payee_from_app', () => {
    const quote = quoteFeesFromPolicy({ currency: 'USD', price: 2500, policy: { appFeeBps: 1000, payerShareBps: 1000 }, processingFeeRate: threePercent });
    expect(quote.feePayer).toBe('payee_from_app');
  });

  it('the configured processing rate 290 bps + 30 gives $3.20 on $100.00', () => {
    expect(processingFee(10000, { bps: 290, fixed: 30 })).toBe(320);
  });
});

describe('half-up rounding to the minor unit', () => {
  it.each([
    [50, 100, 1], // 0.5 rounds up
    [49, 100, 0], // 0.49 rounds down
    [250, 100, 3], // 2.5 rounds up (not to even)
    [10050, 290, 291], // 291.45
    [10017, 300, 301], // 300.51
    [1, 5000, 1], // 0.5
    [1, 4999, 0],
  ])('processing fee of %i at %i bps is %i', (amount, bps, expected) => {
    expect(processingFee(amount, { bps, fixed: 0 })).toBe(expected);
  });

  it('policy mode rounds the payer share and the app fee half-up from the price', () => {
    // price 1250: 1% share = 12.5 → 13; 4% fee = 50.
    expect(quoteFeesFromPolicy({ currency: 'USD', price: 1250, policy: { appFeeBps: 400, payerShareBps: 100 }, processingFeeRate: threePercent })).toMatchObject({
      amount: 1263,
      appFee: 50,
    });
    // price 1250 at 2% = 25; at 0.2% = 2.5 → 3.
    expect(quoteFeesFromPolicy({ currency: 'USD', price: 1250, policy: { appFeeBps: 20, payerShareBps: 0 }, processingFeeRate: threePercent }).appFee).toBe(3);
  });
});

describe('the 20% app fee cap', () => {
  it('accepts an app fee of exactly 20% of the amount', () => {
    expect(quoteFees({ currency: 'USD', amount: 10000, appFee: 2000, feePayer: 'payee', processingFeeRate: threePercent }).appFee).toBe(2000);
  });

  it.each(feePayers)('refuses one cent more with app_fee_too_high on app_fee (%s)', (feePayer) => {
    const error = refusal(() => quoteFees({ currency: 'USD', amount: 10000, appFee: 2001, feePayer, processingFeeRate: threePercent }));
    expect(error.code).toBe('app_fee_too_high');
    expect(error.param).toBe('app_fee');
  });

  it('compares exactly where 20% is not a whole number of cents', () => {
    // 20% of 10003 is 2000.6: 2000 is within, 2001 is over.
    expect(() => quoteFees({ currency: 'USD', amount: 10003, appFee: 2000, feePayer: 'payee', processingFeeRate: threePercent })).not.toThrow();
    expect(refusal(() => quoteFees({ currency: 'USD', amount: 10003, appFee: 2001, feePayer: 'payee', processingFeeRate: threePercent })).code).toBe(
      'app_fee_too_high',
    );
  });

  it('policy mode: 20% of the price is within the cap, 20.01% is not', () => {
    const policy = (appFeeBps: number) => () =>
      quoteFeesFromPolicy({ currency: 'USD', price: 10000, policy: { appFeeBps, payerShareBps: 0 }, processingFeeRate: threePercent });
    expect(policy(2000)().appFee).toBe(2000);
    const error = refusal(policy(2001));
    expect(error.code).toBe('app_fee_too_high');
    expect(error.param).toBe('policy.app_fee_bps');
  });

  it('policy mode caps against the amount, which includes the payer share', () => {
    // 21% of 100.00 is 21.00, exactly 20% of the amount 105.00.
    const quote = quoteFeesFromPolicy({ currency: 'USD', price: 10000, policy: { appFeeBps: 2100, payerShareBps: 500 }, processingFeeRate: threePercent });
    expect(quote).toMatchObject({ amount: 10500, appFee: 2100 });
  });
});

describe('properties', () => {
  const currency = fc.constantFrom<Currency>('USD', 'CAD');
  const rate = fc.record({ bps: fc.integer({ min: 0, max: 10_000 }), fixed: fc.integer({ min: 0, max: 1_000 }) });
  const feePayer = fc.constantFrom(...feePayers);
  // An amount and an app fee within the cap (app_fee ≤ amount / 5).
  const amountAndFee = fc
    .integer({ min: 1, max: 1_000_000_000_000 })
    .chain((amount) => fc.tuple(fc.constant(amount), fc.integer({ min: 0, max: Math.floor(amount / 5) })));
  const explicit = fc
    .record({ currency, amountAndFee, feePayer, rate })
    .map(({ currency, amountAndFee: [amount, appFee], feePayer, rate }) => ({ currency, amount, appFee, feePayer, processingFeeRate: rate }));

  const everyFigure = (q: FeeQuote) => [q.amount, q.appFee, q.processingFee, q.payerTotal, q.merchantNet, q.platformNet];

  it('conservation: what the payer pays is what the merchant, the platform and the processor receive', () => {
    fc.assert(
      fc.property(explicit, (input) => {
        const q = quoteFees(input);
        expect(q.payerTotal).toBe(q.merchantNet + q.platformNet + q.processingFee);
      }),
    );
  });

  it('every figure is a safe integer', () => {
    fc.assert(fc.property(explicit, (input) => everyFigure(quoteFees(input)).every(Number.isSafeInteger)));
  });

  it('the processing fee is round-half-up(amount × bps / 10000) + fixed, whoever pays and whatever the app fee', () => {
    fc.assert(
      fc.property(explicit, feePayer, (input, otherPayer) => {
        const q = quoteFees(input);
        const expected = referenceBasisPoints(input.amount, input.processingFeeRate.bps) + input.processingFeeRate.fixed;
        expect(q.processingFee).toBe(expected);
        expect(quoteFees({ ...input, feePayer: otherPayer, appFee: 0 }).processingFee).toBe(expected);
      }),
    );
  });

  it('each fee_payer mode keeps its row of the table', () => {
    fc.assert(
      fc.property(explicit, (input) => {
        const q = quoteFees(input);
        const { amount, appFee, processingFee: fee } = q;
        const rows: Record<FeePayer, [number, number, number]> = {
          payee_from_app: [amount, amount - appFee, appFee - fee],
          payer_from_app: [amount + appFee, amount, appFee - fee],
          payer: [amount + appFee + fee, amount, appFee],
          payee: [amount, amount - appFee - fee, appFee],
        };
        expect([q.payerTotal, q.merchantNet, q.platformNet]).toEqual(rows[input.feePayer]);
      }),
    );
  });

  it('modes relate: moving the processing fee to the payer adds exactly it to their total and to the platform', () => {
    fc.assert(
      fc.property(explicit, (input) => {
        const byPlatform = quoteFees({ ...input, feePayer: 'payer_from_app' });
        const byPayer = quoteFees({ ...input, feePayer: 'payer' });
        expect(byPayer.payerTotal - byPlatform.payerTotal).toBe(byPlatform.processingFee);
        expect(byPayer.platformNet - byPlatform.platformNet).toBe(byPlatform.processingFee);
        const fromMerchantViaPlatform = quoteFees({ ...input, feePayer: 'payee_from_app' });
        const fromMerchant = quoteFees({ ...input, feePayer: 'payee' });
        expect(fromMerchantViaPlatform.merchantNet - fromMerchant.merchantNet).toBe(fromMerchant.processingFee);
      }),
    );
  });

  it('the cap: a quote is refused with app_fee_too_high exactly when app_fee > 20% of amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 0, max: 1_000_000_000 }), feePayer, (amount, appFee, fp) => {
        const over = appFee * 5 > amount;
        const attempt = () => quoteFees({ currency: 'USD', amount, appFee, feePayer: fp, processingFeeRate: threePercent });
        if (over) expect(refusal(attempt).code).toBe('app_fee_too_high');
        else expect(attempt().appFee).toBe(appFee);
      }),
    );
  });

  const policyInput = fc.record({
    currency,
    price: fc.integer({ min: 1, max: 1_000_000_000_000 }),
    payerShareBps: fc.integer({ min: 0, max: 10_000 }),
    appFeeBps: fc.integer({ min: 0, max: 2_000 }),
    rate,
  });

  /** Rounding up can put a small price's app fee just over 20% of the amount; those are refused (see below). */
  const withinCap = ({ price, payerShareBps, appFeeBps }: { price: number; payerShareBps: number; appFeeBps: number }) =>
    referenceBasisPoints(price, appFeeBps) * 5 <= price + referenceBasisPoints(price, payerShareBps);

  it('policy mode is refused with app_fee_too_high exactly when its rounded app fee exceeds 20% of the amount', () => {
    fc.assert(
      fc.property(policyInput, (input) => {
        const attempt = () =>
          quoteFeesFromPolicy({ currency: 'USD', price: input.price, policy: input, processingFeeRate: input.rate });
        if (withinCap(input)) expect(attempt().appFee).toBe(referenceBasisPoints(input.price, input.appFeeBps));
        else expect(refusal(attempt).param).toBe('policy.app_fee_bps');
      }),
    );
    // 20% of a 28-cent price is 5.6, rounded to 6: over 20% of 28.
    expect(refusal(() => quoteFeesFromPolicy({ currency: 'USD', price: 28, policy: { appFeeBps: 2000, payerShareBps: 0 }, processingFeeRate: threePercent })).code).toBe(
      'app_fee_too_high',
    );
  });

  it('policy mode is the explicit quote of amount = price + share and app_fee = app_fee_bps of the price, paid payee_from_app', () => {
    fc.assert(
      fc.property(policyInput, ({ currency, price, payerShareBps, appFeeBps, rate }) => {
        fc.pre(withinCap({ price, payerShareBps, appFeeBps }));
        const q = quoteFeesFromPolicy({ currency, price, policy: { appFeeBps, payerShareBps }, processingFeeRate: rate });
        expect(q.amount).toBe(price + referenceBasisPoints(price, payerShareBps));
        expect(q.appFee).toBe(referenceBasisPoints(price, appFeeBps));
        expect(q).toEqual(quoteFees({ currency, amount: q.amount, appFee: q.appFee, feePayer: 'payee_from_app', processingFeeRate: rate }));
        expect(q.payerTotal).toBe(q.merchantNet + q.platformNet + q.processingFee);
      }),
    );
  });

  it('policy mode: when the payer bears the whole advertised fee, the merchant nets the price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000_000_000 }), fc.integer({ min: 0, max: 2_000 }), rate, (price, bps, processingFeeRate) => {
        fc.pre(withinCap({ price, payerShareBps: bps, appFeeBps: bps }));
        const q = quoteFeesFromPolicy({ currency: 'USD', price, policy: { appFeeBps: bps, payerShareBps: bps }, processingFeeRate });
        expect(q.merchantNet).toBe(price);
      }),
    );
  });

  it('policy mode: the merchant gives up exactly the part of the advertised fee the payer does not cover', () => {
    fc.assert(
      fc.property(policyInput, ({ price, payerShareBps, appFeeBps, rate }) => {
        fc.pre(withinCap({ price, payerShareBps, appFeeBps }));
        const q = quoteFeesFromPolicy({ currency: 'USD', price, policy: { appFeeBps, payerShareBps }, processingFeeRate: rate });
        expect(price - q.merchantNet).toBe(q.appFee - (q.amount - price));
      }),
    );
  });
});
