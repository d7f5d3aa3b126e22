// Mandates: a payer lets an agent create checkouts within
// limits. Pure rules: validation of a new mandate, the status derived with a
// clock, and which rule an agent's checkout breaks. Spending itself is one
// conditional write in the repository (ports/mandate-repository.ts).
import { InvalidRequestError } from './errors.ts';
import type { Currency } from './money.ts';

export const mandateStatuses = ['active', 'revoked', 'expired'] as const;
export type MandateStatus = (typeof mandateStatuses)[number];

export const maxMandateDays = 90;
export const maxMandateAccounts = 20;

export interface Mandate {
  /** 'mdt_' + random. */
  id: string;
  /** The `sub` of the payer who created it: the agent's checkouts are this payer's. */
  payerSub: string;
  agent: { name: string; reference?: string };
  currency: Currency;
  perCheckoutMax: number;
  totalMax: number;
  /** Undefined: unlimited. */
  maxCheckouts?: number;
  accountIds: string[];
  creditCardId: string;
  /** ISO-8601 UTC. */
  expiresAt: string;
  spent: number;
  checkoutsCount: number;
  createdAt: string;
  revokedAt?: string;
}

export interface NewMandate {
  agent: { name: string; reference?: string };
  currency: Currency;
  perCheckoutMax: number;
  totalMax: number;
  maxCheckouts?: number | null;
  accountIds: string[];
  creditCardId: string;
  expiresAt: string;
}

/** Revocation wins over expiry: a revoked token stays revoked. */
export function mandateStatus(mandate: Pick<Mandate, 'revokedAt' | 'expiresAt'>, nowMs: number): MandateStatus {
  if (mandate.revokedAt !== undefined) return 'revoked';
  return Date.parse(mandate.expiresAt) <= nowMs ? 'expired' : 'active';
}

/** The rules a schema cannot state alone (relations between fields and the clock). */
export function assertValidNewMandate(input: NewMandate, nowMs: number): void {
  if (input.perCheckoutMax > input.totalMax) {
    throw new InvalidRequestError('parameter_invalid', 'per_checkout_max must not exceed total_max', { param: 'per_checkout_max' });
  }
  if (new Set(input.accountIds).size !== input.accountIds.length) {
    throw new InvalidRequestError('parameter_invalid', 'account_ids must be distinct', { param: 'account_ids' });
  }
  if (input.accountIds.length < 1 || input.accountIds.length > maxMandateAccounts) {
    throw new InvalidRequestError('parameter_invalid', `account_ids must hold 1 to ${maxMandateAccounts} accounts`, { param: 'account_ids' });
  }
  const expires = Date.parse(input.expiresAt);
  if (!Number.isFinite(expires)) {
    throw new InvalidRequestError('parameter_invalid', 'expires_at must be an ISO-8601 timestamp', { param: 'expires_at' });
  }
  if (expires <= nowMs) throw new InvalidRequestError('parameter_invalid', 'expires_at must be in the future', { param: 'expires_at' });
  if (expires > nowMs + maxMandateDays * 86_400_000) {
    throw new InvalidRequestError('parameter_invalid', `expires_at must be at most ${maxMandateDays} days ahead`, { param: 'expires_at' });
  }
}

/** Which scope rule an agent's checkout breaks, if any (403 mandate_scope). */
export function scopeViolation(mandate: Pick<Mandate, 'currency' | 'accountIds'>, checkout: { currency: string; accountId: string }): string | undefined {
  if (checkout.currency !== mandate.currency) return `This mandate allows ${mandate.currency} checkouts only`;
  if (!mandate.accountIds.includes(checkout.accountId)) return 'This mandate does not allow checkouts at this account';
  return undefined;
}

/** Why a spend was refused by the conditional write, from a fresh read (403 mandate_exceeded, or the status). */
export type SpendRefusal = 'revoked' | 'expired' | 'per_checkout_max' | 'total_max' | 'max_checkouts' | 'missing';

export function spendRefusal(mandate: Mandate | undefined, amount: number, nowMs: number): SpendRefusal | undefined {
  if (!mandate) return 'missing';
  const status = mandateStatus(mandate, nowMs);
  if (status !== 'active') return status;
  if (amount > mandate.perCheckoutMax) return 'per_checkout_max';
  if (mandate.spent + amount > mandate.totalMax) return 'total_max';
  if (mandate.maxCheckouts !== undefined && mandate.checkoutsCount >= mandate.maxCheckouts) return 'max_checkouts';
  return undefined;
}
