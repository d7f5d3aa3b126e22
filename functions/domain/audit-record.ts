// The audit record (docs/audit.md): who changed what, when, with what outcome.

/** `actor.sub` of a change made without a request: the provider (`provider:<its name>`), the reconciler, the rotation. */
export type SystemActor = `provider:${string}` | 'system:reconciler' | 'system:rotation';

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

export class AuditRecordExistsError extends Error {
  override readonly name = 'AuditRecordExistsError';
  constructor(readonly recordId: string) {
    super(`Audit record ${recordId} already exists`);
  }
}
