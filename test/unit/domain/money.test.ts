import fc from 'fast-check';
import { applyBasisPoints } from '#functions/domain/money.ts';

describe('applyBasisPoints', () => {
  it('rounds half up to the minor unit', () => {
    expect(applyBasisPoints(10_100, 300)).toBe(303);
    expect(applyBasisPoints(50, 100)).toBe(1); // 0.5 rounds up
    expect(applyBasisPoints(49, 100)).toBe(0); // 0.49 rounds down
    expect(applyBasisPoints(10_400, 290)).toBe(302); // 301.6
  });

  it('matches exact rational rounding for any amount and rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const result = applyBasisPoints(amount, bps);
        // result is the integer nearest amount*bps/10000, ties up: 2*(exact - result) in [-1, 1)
        const twiceError = 2n * (BigInt(amount) * BigInt(bps) - BigInt(result) * 10_000n);
        return twiceError >= -10_000n && twiceError < 10_000n;
      }),
    );
  });
});
