// Field schemas with the messages the API contract shows ("amount must be a positive integer").
import * as z from 'zod';
import { currencies } from '#functions/domain/money.ts';
import { feePayers } from '#functions/domain/fees.ts';

/** Largest amount accepted: keeps every sum of amounts and fees a safe integer. */
export const maxMinorUnits = 1_000_000_000_000;

export const positiveMinorUnits = (name: string) =>
  z.int({ error: `${name} must be a positive integer` }).min(1, { error: `${name} must be a positive integer` }).max(maxMinorUnits, {
    error: `${name} must be at most ${maxMinorUnits}`,
  }).meta({ description: 'Integer minor units (cents), at least 1.' });

export const nonNegativeMinorUnits = (name: string) =>
  z.int({ error: `${name} must be a non-negative integer` }).min(0, { error: `${name} must be a non-negative integer` }).max(maxMinorUnits, {
    error: `${name} must be at most ${maxMinorUnits}`,
  }).meta({ description: 'Integer minor units (cents), 0 or more.' });

export const basisPoints = (name: string) =>
  z.int({ error: `${name} must be an integer number of basis points` }).min(0, { error: `${name} must be between 0 and 10000` }).max(10_000, {
    error: `${name} must be between 0 and 10000`,
  }).meta({ description: 'Basis points: 100 bps = 1%.' });

export const currency = z
  .enum(currencies, { error: `currency must be one of ${currencies.join(', ')}` })
  .meta({ description: 'ISO 4217 currency code.' });
export const feePayer = z.enum(feePayers, { error: `fee_payer must be one of ${feePayers.join(', ')}` }).meta({
  description: 'Who pays the app fee and the processing fee (see the fee quote).',
});

export const feeRate = z
  .strictObject({
    bps: basisPoints('processing_fee_rate.bps'),
    fixed: nonNegativeMinorUnits('processing_fee_rate.fixed'),
  })
  .meta({ description: 'The processing fee: round(amount * bps / 10000) + fixed. Defaults to the configured rate (290 bps + 30).' });
