// WePay's /checkout/find: an account's checkouts, each with its unique_id (how a
// platform finds a checkout whose creation's answer was lost). Parameters as
// WePay documents them: account_id (required), start, limit (default 50, at most
// 50), reference_id, state, start_time, end_time (epoch seconds, inclusive),
// sort_order (DESC by default, newest first; ASC).
import { invalidParameter } from '#local/sandbox/wepay-errors.ts';

type Params = Record<string, unknown>;

const maxLimit = 50;

function optionalInteger(params: Params, name: string, min: number): number | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min) throw invalidParameter(`${name} must be an integer of at least ${min}`);
  return number;
}

function optionalText(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string`);
  return value;
}

/** What find filters and sorts on: the checkout store's index entries carry it. */
export interface FindableCheckout {
  checkout_id: number;
  state: string;
  reference_id: string | null;
  create_time: number;
}

/** The matching checkouts among one account's, in the order and page asked for. */
export function findCheckouts<T extends FindableCheckout>(ofAccount: readonly T[], params: Params): T[] {
  const start = optionalInteger(params, 'start', 0) ?? 0;
  const limit = optionalInteger(params, 'limit', 1) ?? maxLimit;
  if (limit > maxLimit) throw invalidParameter(`limit may be at most ${maxLimit}`);
  const referenceId = optionalText(params, 'reference_id');
  const state = optionalText(params, 'state');
  const startTime = optionalInteger(params, 'start_time', 0);
  const endTime = optionalInteger(params, 'end_time', 0);
  const sortOrder = optionalText(params, 'sort_order') ?? 'DESC';
  if (sortOrder !== 'ASC' && sortOrder !== 'DESC') throw invalidParameter('sort_order must be ASC or DESC');
  const matching = ofAccount.filter(
    (c) =>
      (referenceId === undefined || c.reference_id === referenceId) &&
      (state === undefined || c.state === state) &&
      (startTime === undefined || c.create_time >= startTime) &&
      (endTime === undefined || c.create_time <= endTime),
  );
  // Ids grow with creation, so they break ties between checkouts created in the same second.
  matching.sort((a, b) => a.create_time - b.create_time || a.checkout_id - b.checkout_id);
  if (sortOrder === 'DESC') matching.reverse();
  return matching.slice(start, start + limit);
}
