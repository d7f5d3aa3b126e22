// Money is an integer number of minor units (cents); never a float.
export const currencies = ['USD', 'CAD'] as const;
export type Currency = (typeof currencies)[number];

/** A rate as basis points of an amount plus a fixed number of minor units. */
export interface FeeRate {
  bps: number;
  fixed: number;
}

/**
 * round(amount * bps / 10000), half-up, in integer arithmetic. BigInt keeps the
 * product exact for any safe-integer amount.
 */
export function applyBasisPoints(amount: number, bps: number): number {
  const product = BigInt(amount) * BigInt(bps);
  const quotient = product / 10_000n;
  const remainder = product % 10_000n;
  return Number(remainder * 2n >= 10_000n ? quotient + 1n : quotient);
}
