// Where audit records go: append-only. The port has no update and no delete, and
// the DynamoDB adapter writes each record with a conditional put, so a record,
// once written, is never changed by this code (and no function's role may).
import type { AuditRecord } from '#functions/domain/audit-record.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

export interface AuditQuery extends PageRequest {
  /** Matches `actor.sub`. */
  actor?: string;
  resourceId?: string;
  action?: string;
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
