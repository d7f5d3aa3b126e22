// Operations: an on-demand reconciliation pass and the audit trail.
import { auditEventListResponse, listAuditEventsQuery } from '#functions/http/schemas/audit.ts';
import { createReconciliationRequest, reconciliationReport } from '#functions/http/schemas/reconciliations.ts';
import type { RouteDefinition } from './route-definition.ts';

export const opsRoutes = [
  {
    id: 'reconciliations.create',
    method: 'POST',
    path: '/v1/reconciliations',
    handler: 'reconciliations-create',
    access: ['ops'],
    // Reads and settles checkouts and creation intents, holds the pass lease (payments table);
    // opens merchants' credentials to read from the provider; its batched read needs the platform's client credentials.
    uses: ['payments:read-write', 'token-key:decrypt', 'platform-secret', 'audit:write'],
    summary: 'Run one reconciliation pass now (never replayed); 409 while one runs',
    bodyType: 'json',
    body: createReconciliationRequest,
    success: { status: 200, schema: reconciliationReport },
    errors: ['invalid_state', 'provider_error', 'provider_unavailable'],
  },
  {
    id: 'audit_events.list',
    method: 'GET',
    path: '/v1/audit_events',
    handler: 'audit-events-list',
    access: ['ops'],
    uses: ['audit:read'],
    summary: 'The audit trail, newest first, filtered by actor, resource id or action (ops)',
    bodyType: 'none',
    query: listAuditEventsQuery,
    success: { status: 200, schema: auditEventListResponse },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
