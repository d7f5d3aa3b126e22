import { listAuditEvents } from '#functions/app/audit.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { auditEventJson } from '#functions/http/schemas/audit.ts';
import { auditDeps } from '#functions/wiring/audit.ts';
import { opsRoutes } from '#functions/routes/ops.ts';

export const handler = httpHandler(opsRoutes, 'audit_events.list', async ({ principal, query }) => {
  const page = await listAuditEvents(auditDeps(), principal, {
    limit: query.limit,
    ...(query.actor === undefined ? {} : { actor: query.actor }),
    ...(query.resource_id === undefined ? {} : { resourceId: query.resource_id }),
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  return { statusCode: 200, body: { data: page.items.map(auditEventJson), next_cursor: page.nextCursor } };
});
