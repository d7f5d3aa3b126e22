// WePay puts decimal dollars on the wire (104.00); the sandbox keeps integer cents
// inside so that sums and fees are exact, and converts only at the edge.

/** Parses a wire amount (number or string of decimal dollars) into cents; undefined when it is not one. */
export function parseDollars(value: unknown): number | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // String(104) is "104", String(0.1) is "0.1": both read back exactly below.
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  // More than two decimals is rejected rather than rounded: money is never guessed.
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + fraction;
}

/** Cents to the wire's decimal dollars: 10400 → 104, 1010 → 10.1. */
export function toDollars(cents: number): number {
  return Number((cents / 100).toFixed(2));
}

/** round(amount * bps / 10000) half-up, in integer arithmetic. */
function applyBasisPoints(amountCents: number, bps: number): number {
  const product = BigInt(amountCents) * BigInt(bps);
  const quotient = product / 10_000n;
  return Number((product % 10_000n) * 2n >= 10_000n ? quotient + 1n : quotient);
}

/** WePay's standard US rate, always computed on the checkout's amount: 2.9% + $0.30. */
export function processingFeeCents(amountCents: number): number {
  return applyBasisPoints(amountCents, 290) + 30;
}

/** The app fee may be at most 20% of the amount. */
export function appFeeWithinCap(appFeeCents: number, amountCents: number): boolean {
  return appFeeCents * 5 <= amountCents;
}

export const feePayers = ['payer', 'payee', 'payer_from_app', 'payee_from_app'] as const;
export type FeePayer = (typeof feePayers)[number];

/** What the payer is charged (WePay's `gross`), by who pays which fee. */
export function grossCents(amountCents: number, appFeeCents: number, processingFee: number, feePayer: FeePayer): number {
  switch (feePayer) {
    case 'payer':
      return amountCents + appFeeCents + processingFee;
    case 'payer_from_app':
      return amountCents + appFeeCents;
    case 'payee':
    case 'payee_from_app':
      return amountCents;
  }
}
