import * as z from 'zod/mini';
import type { AuditRecord } from '#functions/domain/audit-record.ts';
import { paymentProviderName } from '#functions/config.ts';
import { pageCursor, pageLimit } from './fields.ts';

const filter = (name: string) =>
  z.optional(z.string({ error: `${name} must be a string` }).check(z.minLength(1, { error: `${name} must not be empty` }), z.maxLength(1024, { error: `${name} must be at most 1024 characters` })));

export const listAuditEventsQuery = z.strictObject({
  actor: filter('actor').register(z.globalRegistry, { description: `Matches actor.sub: a user's sub, provider:${paymentProviderName}, system:reconciler or system:rotation` }),
  resource_id: filter('resource_id'),
  action: filter('action').register(z.globalRegistry, { description: 'A route id (e.g. checkouts.refund), checkouts.update or secrets.rotate' }),
  limit: pageLimit(),
  cursor: pageCursor(),
});

export const auditEventResponse = z
  .object({
    id: z.string(),
    at: z.string(),
    action: z.string(),
    actor: z.object({
      sub: z.nullable(z.string()),
      roles: z.array(z.string()),
      mandate_id: z.nullable(z.string()),
      ip: z.nullable(z.string()),
      user_agent: z.nullable(z.string()),
    }),
    resource: z.object({ type: z.string(), id: z.nullable(z.string()) }),
    request_id: z.nullable(z.string()),
    status: z.nullable(z.int()),
  })
  .register(z.globalRegistry, { id: 'AuditEvent' });

export const auditEventListResponse = z
  .object({ data: z.array(auditEventResponse), next_cursor: z.nullable(z.string()) })
  .register(z.globalRegistry, {
    id: 'AuditEventList',
    examples: [
      {
        data: [
          {
            id: 'aud_1f2e3d4c',
            at: '2026-12-01T10:05:00.000Z',
            action: 'checkouts.refund',
            actor: { sub: 'b1f0c3a2-0000-4000-8000-000000000001', roles: ['merchant'], mandate_id: null, ip: '203.0.113.7', user_agent: 'curl/8.5.0' },
            resource: { type: 'checkout', id: 'chk_5e6f7a8b' },
            request_id: 'req_0a1b2c3d',
            status: 200,
          },
        ],
        next_cursor: null,
      },
    ],
  });

/** The record as the API contract lists it, field for field (nothing else is stored but index keys). */
export function auditEventJson(record: AuditRecord): z.output<typeof auditEventResponse> {
  return {
    id: record.id,
    at: record.at,
    action: record.action,
    actor: { ...record.actor, roles: [...record.actor.roles] },
    resource: { ...record.resource },
    request_id: record.request_id,
    status: record.status,
  };
}
