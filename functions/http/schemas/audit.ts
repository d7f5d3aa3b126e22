import * as z from 'zod';
import type { AuditRecord } from '#functions/domain/audit-record.ts';
import { paymentProviderName } from '#functions/config.ts';

const filter = (name: string) =>
  z.string({ error: `${name} must be a string` }).min(1, { error: `${name} must not be empty` }).max(1024, { error: `${name} must be at most 1024 characters` }).optional();

const limitError = { error: 'limit must be an integer from 1 to 100' };

export const listAuditEventsQuery = z.strictObject({
  actor: filter('actor').meta({ description: `Matches actor.sub: a user's sub, provider:${paymentProviderName}, system:reconciler or system:rotation` }),
  resource_id: filter('resource_id'),
  action: filter('action').meta({ description: 'A route id (e.g. checkouts.refund), checkouts.update or secrets.rotate' }),
  limit: z.coerce.number(limitError).int(limitError).min(1, limitError).max(100, limitError).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

export const auditEventResponse = z
  .object({
    id: z.string(),
    at: z.string(),
    action: z.string(),
    actor: z.object({
      sub: z.string().nullable(),
      roles: z.array(z.string()),
      mandate_id: z.string().nullable(),
      ip: z.string().nullable(),
      user_agent: z.string().nullable(),
    }),
    resource: z.object({ type: z.string(), id: z.string().nullable() }),
    request_id: z.string().nullable(),
    status: z.int().nullable(),
  })
  .meta({ id: 'AuditEvent' });

export const auditEventListResponse = z
  .object({ data: z.array(auditEventResponse), next_cursor: z.string().nullable() })
  .meta({
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
