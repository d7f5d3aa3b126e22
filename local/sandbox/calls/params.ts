// Reading a call's parameters as WePay does: a missing one is 1004, a malformed
// one 1003. Ids may be numbers or strings of digits; money is decimal dollars.
import { timingSafeEqual } from 'node:crypto';
import type { Params } from '#local/sandbox/calls/context.ts';
import { invalidParameter, missingParameter } from '#local/sandbox/wepay-errors.ts';
import { parseDollars } from '#local/sandbox/wire-money.ts';

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function requiredString(params: Params, name: string, maxLength: number): string {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidParameter(`${name} must be a string`);
  const text = String(value);
  if (text.length > maxLength) throw invalidParameter(`${name} must be at most ${maxLength} characters`);
  return text;
}

export function optionalString(params: Params, name: string, maxLength: number): string | null {
  const value = params[name];
  if (value === undefined || value === null || value === '') return null;
  return requiredString(params, name, maxLength);
}

export function requiredId(params: Params, name: string): number {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw invalidParameter(`${name} must be a positive integer`);
  return id;
}

export function requiredDollars(params: Params, name: string): number {
  const value = params[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  const cents = parseDollars(value);
  if (cents === undefined) throw invalidParameter(`${name} must be a decimal amount with at most 2 decimal places`);
  return cents;
}

export function objectParam(params: Params, name: string): Params | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${name} must be an object`);
  return value as Params;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
