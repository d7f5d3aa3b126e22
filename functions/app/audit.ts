// The audit trail's use cases: one record per write request (built by the HTTP
// pipeline and the authorizer, functions/http/audit.ts) and one per change made
// without a request (IPN processing, the reconciler, the secret's rotation), and
// the ops listing.
//
// A failed audit write never changes an answer. The record is written once the
// outcome is known (it carries the status and the created id), when the change is
// already committed: failing the request then would not undo the change, only
// make the client retry a change that happened. Instead the failure is reported
// (`onWriteFailure`: an ERROR log line holding the whole record, which holds no
// secret, in a log group kept a year, and the `AuditWriteFailed` metric, alarmed),
// so nothing is lost and on-call hears of it. docs/audit.md says the same.
import { randomBytes } from 'node:crypto';
import { maskCardNumbers } from '#functions/domain/card-data.ts';
import { PermissionDeniedError } from '#functions/domain/errors.ts';
import { hasRole, type Principal } from '#functions/domain/principal.ts';
import type { AuditLog, AuditQuery } from '#functions/ports/audit-log.ts';
import type { AuditActor, AuditRecord, SystemActor } from '#functions/domain/audit-record.ts';
import type { Page } from '#functions/domain/page.ts';
import type { Clock } from '#functions/ports/clock.ts';

export interface AuditDeps {
  log: AuditLog;
  clock: Clock;
  /** Told about a record that could not be written: must keep it (log it whole) and raise the alarm. */
  onWriteFailure: (error: unknown, record: AuditRecord) => void;
  /** Tests inject ids; 'aud_' + 128 random bits otherwise. */
  newId?: () => string;
}

export const newAuditId = () => `aud_${randomBytes(16).toString('base64url')}`;

/** Longest id, IP or user agent kept: hostile input may be any length, a record is not. */
const maxFieldLength = 256;
const jwtLike = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g;
const opaqueToken = /\b(agt|whsec)_[\w-]{8,}/g;
const bearer = /\b(Bearer)\s+\S+/gi;

/**
 * A request-supplied string made safe to keep: no card number, bearer token or
 * agent token survives, and it is cut to a bounded length.
 */
export function scrubbed(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const clean = maskCardNumbers(text).replace(jwtLike, '[REDACTED JWT]').replace(opaqueToken, '$1_[REDACTED]').replace(bearer, '$1 [REDACTED]');
  return clean.length > maxFieldLength ? clean.slice(0, maxFieldLength) : clean;
}

export interface RequestAuditInput {
  /** The route id. */
  action: string;
  actor: AuditActor;
  resource: { type: string; id: string | null };
  requestId: string;
  status: number;
}

/** One record for one write request, whatever its answer. Never throws. */
export async function recordRequest(deps: AuditDeps, input: RequestAuditInput): Promise<AuditRecord> {
  return append(deps, {
    action: input.action,
    actor: {
      sub: input.actor.sub,
      roles: [...input.actor.roles],
      mandate_id: input.actor.mandate_id,
      ip: scrubbed(input.actor.ip),
      user_agent: scrubbed(input.actor.user_agent),
    },
    resource: { type: input.resource.type, id: scrubbed(input.resource.id) },
    request_id: input.requestId,
    status: input.status,
  });
}

export interface SystemChange {
  /** `provider:<the provider's name>` for IPN processing, `system:reconciler`, `system:rotation`. */
  actor: SystemActor;
  /** `checkouts.update` for a checkout's change, `secrets.rotate` for the platform secret's rotation. */
  action: 'checkouts.update' | 'secrets.rotate';
  resource: { type: string; id: string };
}

/**
 * One record for a change made without a request: call it once the change is
 * committed (e.g. the reconciler, after it recorded a checkout's new state).
 * Never throws: a failed write is reported through `onWriteFailure`.
 */
export async function recordSystemChange(deps: AuditDeps, change: SystemChange): Promise<AuditRecord> {
  return append(deps, {
    action: change.action,
    actor: { sub: change.actor, roles: [], mandate_id: null, ip: null, user_agent: null },
    resource: { type: change.resource.type, id: change.resource.id },
    request_id: null,
    status: null,
  });
}

async function append(deps: AuditDeps, fields: Omit<AuditRecord, 'id' | 'at'>): Promise<AuditRecord> {
  const record: AuditRecord = { id: (deps.newId ?? newAuditId)(), at: new Date(deps.clock.now()).toISOString(), ...fields };
  try {
    await deps.log.append(record);
  } catch (error) {
    deps.onWriteFailure(error, record);
  }
  return record;
}

/** The ops listing, newest first; the route admits only `ops`, and so does this. */
export async function listAuditEvents(deps: Pick<AuditDeps, 'log'>, principal: Principal, query: AuditQuery): Promise<Page<AuditRecord>> {
  if (!hasRole(principal, 'ops')) throw new PermissionDeniedError('The audit trail is for the ops role');
  return deps.log.list(query);
}
