// Field schemas with the messages the API contract shows ("amount must be a positive integer").
// zod/mini throughout functions/: its functions tree-shake, where classic zod's methods (and its
// JSON Schema generator, on every schema's prototype) land in every bundle. Descriptions and
// examples are registered on the schema itself (`.register(z.globalRegistry, ...)`, classic's `.meta`).
import * as z from 'zod/mini';
import { currencies } from '#functions/domain/money.ts';
import { feePayers } from '#functions/domain/fees.ts';

/** Largest amount accepted: keeps every sum of amounts and fees a safe integer. */
export const maxMinorUnits = 1_000_000_000_000;

export const positiveMinorUnits = (name: string) =>
  z
    .int({ error: `${name} must be a positive integer` })
    .check(z.minimum(1, { error: `${name} must be a positive integer` }), z.maximum(maxMinorUnits, { error: `${name} must be at most ${maxMinorUnits}` }))
    .register(z.globalRegistry, { description: 'Integer minor units (cents), at least 1.' });

export const nonNegativeMinorUnits = (name: string) =>
  z
    .int({ error: `${name} must be a non-negative integer` })
    .check(z.minimum(0, { error: `${name} must be a non-negative integer` }), z.maximum(maxMinorUnits, { error: `${name} must be at most ${maxMinorUnits}` }))
    .register(z.globalRegistry, { description: 'Integer minor units (cents), 0 or more.' });

export const basisPoints = (name: string) =>
  z
    .int({ error: `${name} must be an integer number of basis points` })
    .check(z.minimum(0, { error: `${name} must be between 0 and 10000` }), z.maximum(10_000, { error: `${name} must be between 0 and 10000` }))
    .register(z.globalRegistry, { description: 'Basis points: 100 bps = 1%.' });

export const currency = z
  .enum(currencies, { error: `currency must be one of ${currencies.join(', ')}` })
  .register(z.globalRegistry, { description: 'ISO 4217 currency code.' });
export const feePayer = z.enum(feePayers, { error: `fee_payer must be one of ${feePayers.join(', ')}` }).register(z.globalRegistry, {
  description: 'Who pays the app fee and the processing fee (see the fee quote).',
});

export const feeRate = z
  .strictObject({
    bps: basisPoints('processing_fee_rate.bps'),
    fixed: nonNegativeMinorUnits('processing_fee_rate.fixed'),
  })
  .register(z.globalRegistry, { description: 'The processing fee: round(amount * bps / 10000) + fixed. Defaults to the configured rate (290 bps + 30).' });

/** `limit` of every list: an integer from 1 to 100, 20 when absent. */
export const pageLimit = () => {
  const error = 'limit must be an integer from 1 to 100';
  return z._default(z.coerce.number({ error }).check(z.int({ error }), z.minimum(1, { error }), z.maximum(100, { error })), 20);
};
/** `cursor` of every list: the previous page's opaque next_cursor. */
export const pageCursor = () => z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));
