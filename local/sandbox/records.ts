// The records the sandbox keeps, as they are persisted (amounts in integer
// cents). Access tokens are kept only as SHA-256 digests, card numbers not at all.
import { createHash } from 'node:crypto';
import type { FeePayer } from '#local/sandbox/wire-money.ts';

export const checkoutStates = [
  'new',
  'authorized',
  'captured',
  'released',
  'cancelled',
  'refunded',
  'charged back',
  'failed',
  'expired',
] as const;
export type CheckoutState = (typeof checkoutStates)[number];

export interface UserRecord {
  user_id: number;
  email: string;
  first_name: string;
  last_name: string;
  create_time: number;
}

export interface TokenRecord {
  user_id: number;
  revoked: boolean;
}

export interface AccountRecord {
  account_id: number;
  owner_user_id: number;
  name: string;
  description: string;
  reference_id: string | null;
  state: 'active';
  create_time: number;
}

export interface CardRecord {
  credit_card_id: number;
  brand: string;
  last_four: string;
  declines: boolean;
  expiration_month: number;
  expiration_year: number;
  user_name: string;
  create_time: number;
}

export type CheckoutPayment =
  | { kind: 'credit_card'; credit_card_id: number; auto_capture: boolean }
  | { kind: 'hosted' };

/** Amounts in integer cents. */
export interface CheckoutRecord {
  checkout_id: number;
  account_id: number;
  state: CheckoutState;
  short_description: string;
  long_description: string | null;
  type: string;
  currency: string;
  amount: number;
  app_fee: number;
  fee_payer: FeePayer;
  processing_fee: number;
  reference_id: string | null;
  unique_id: string | null;
  amount_refunded: number;
  amount_charged_back: number;
  refund_reason: string | null;
  cancel_reason: string | null;
  create_time: number;
  callback_uri: string | null;
  payment: CheckoutPayment;
  /** The next automatic move (capture, release, expiry), epoch ms; survives restarts. */
  next_transition: { to: CheckoutState; at: number } | null;
}

/** What a unique_id was used for: the checkout it created, or the decline it got. */
export interface UniqueIdRecord {
  /** A digest of the call's parameters (see parameterFingerprint): a repeat must match it. */
  fingerprint: string;
  checkout_id: number | null;
  declined: boolean;
}

/** An IPN waiting to be (re)sent: `attempt` tries have been made so far. */
export interface PendingIpn {
  checkout_id: number;
  attempt: number;
  due_at: number;
}

export type NextIds = { user: number; account: number; credit_card: number; checkout: number };

/** The version-1 document (`state.json`, one JSON object rewritten on every change): read once, to migrate it. */
export interface LegacyStateV1 {
  version: 1;
  next_id: NextIds;
  users: Record<string, UserRecord>;
  tokens: Record<string, TokenRecord>;
  accounts: Record<string, AccountRecord>;
  credit_cards: Record<string, CardRecord>;
  checkouts: Record<string, CheckoutRecord>;
  unique_ids: Record<string, UniqueIdRecord>;
  pending_ipns: Record<string, PendingIpn>;
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A unique_id's record keeps a digest of the parameters, not the parameters (they may be long). */
export function parameterFingerprint(parameters: string): string {
  return createHash('sha256').update(parameters).digest('base64url').slice(0, 22);
}
