// Where audit records go: append-only. The port has no update and no delete, and
// the DynamoDB adapter writes each record with a conditional put, so a record,
// once written, is never changed by this code (and no function's role may).
import type { Page, PageRequest } from '#functions/ports/checkout-repository.ts';

/** `actor.sub` of a change made without a request. */
export const systemActors = ['provider:wepay', 'system:reconciler', 'system:rotation'] as const;
export type SystemActor = (typeof systemActors)[number];

export interface AuditActor {
  /** The user's `sub` (for an agent, its payer's), a system actor, or null without a valid token. */
  sub: string | null;
  roles: string[];
  mandate_id: string | null;
  ip: string | null;
  user_agent: string | null;
}

/** The API's audit event, exactly as listed; holds no request body, token or card data. */
export interface AuditRecord {
  /** 'aud_' + random. */
  id: string;
  /** ISO-8601 UTC. */
  at: string;
  /** The route id (e.g. `checkouts.refund`), or `checkouts.update` / `secrets.rotate` for a change without a request. */
  action: string;
  actor: AuditActor;
  resource: { type: string; id: string | null };
  request_id: string | null;
  status: number | null;
}

export interface AuditQuery extends PageRequest {
  /** Matches `actor.sub`. */
  actor?: string;
  resourceId?: string;
  action?: string;
}

export class AuditRecordExistsError extends Error {
  override readonly name = 'AuditRecordExistsError';
  constructor(readonly recordId: string) {
    super(`Audit record ${recordId} already exists`);
  }
}

export interface AuditLog {
  /**
   * Writes a new record; never replaces one.
   * @throws AuditRecordExistsError when a record with its id exists
   */
  append(record: AuditRecord): Promise<void>;
  /** Newest first; records past their retention are never returned (expiry checked in code). */
  list(query: AuditQuery): Promise<Page<AuditRecord>>;
}
