// The DynamoDB audit log on dynalite: append-only puts, the TTL past the retention
// and its check in code, and filtered listings that fill their pages and page on
// with an opaque cursor bound to the listing it came from.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuditLog } from '#functions/adapters/dynamodb/audit-log.ts';
import { newAuditId } from '#functions/app/audit.ts';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { AuditRecordExistsError, type AuditRecord } from '#functions/domain/audit-record.ts';
import { startLocalPaymentsTable, tableNames, type LocalPaymentsTable } from './local-payments-table.ts';

let table: LocalPaymentsTable;
const now = Date.parse('2026-12-01T00:00:00Z');
const log = () => new DynamoDbAuditLog({ client: table.documentClient, tableName: tableNames.audit, retentionDays: 400, now: () => now });

beforeAll(async () => {
  table = await startLocalPaymentsTable();
});
afterAll(() => table.stop());

let sequence = 0;
function record(fields: { sub?: string | null; resource?: string | null; action?: string; atMs?: number } = {}): AuditRecord {
  sequence += 1;
  return {
    id: newAuditId(),
    at: new Date((fields.atMs ?? now) + sequence).toISOString(),
    action: fields.action ?? 'checkouts.capture',
    actor: { sub: fields.sub === undefined ? 'merchant-1' : fields.sub, roles: ['merchant'], mandate_id: null, ip: '203.0.113.7', user_agent: 'ua' },
    resource: { type: 'checkout', id: fields.resource === undefined ? 'chk_1' : fields.resource },
    request_id: `req_${sequence}`,
    status: 200,
  };
}

async function listAll(query: { actor?: string; resourceId?: string; action?: string }, limit: number): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await log().list({ ...query, limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    if (page.nextCursor === null) return all;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
}

test('a record is written once: a second put of its id is refused and changes nothing', async () => {
  const first = record({ resource: 'chk_once' });
  await log().append(first);
  await expect(log().append({ ...first, status: 500 })).rejects.toBeInstanceOf(AuditRecordExistsError);
  const stored = (await table.documentClient.send(new GetCommand({ TableName: tableNames.audit, Key: { id: first.id } }))).Item!;
  expect(stored.status).toBe(200);
  // The TTL attribute: the retention (400 days) after the record's time.
  expect(stored.expires_at).toBe(Math.floor(Date.parse(first.at) / 1000) + 400 * 86_400);
  expect((await log().list({ resourceId: 'chk_once', limit: 10 })).items).toEqual([first]);
});

test('a record past its retention is never listed, even where no TTL has removed it', async () => {
  const old = record({ resource: 'chk_old', atMs: now - 401 * 86_400_000 });
  const recent = record({ resource: 'chk_old' });
  await log().append(old);
  await log().append(recent);
  expect((await log().list({ resourceId: 'chk_old', limit: 10 })).items.map((r) => r.id)).toEqual([recent.id]);
});

test('combined filters fill each page from the most selective index, newest first, across records that do not match', async () => {
  const wanted: AuditRecord[] = [];
  for (let i = 0; i < 12; i++) {
    const match = i % 3 === 0;
    const r = record({ resource: 'chk_mixed', sub: match ? 'ops-1' : 'merchant-2', action: match ? 'checkouts.refund' : 'checkouts.capture' });
    await log().append(r);
    if (match) wanted.push(r);
  }
  const newestFirst = [...wanted].reverse().map((r) => r.id);
  expect((await listAll({ resourceId: 'chk_mixed', actor: 'ops-1', action: 'checkouts.refund' }, 1)).map((r) => r.id)).toEqual(newestFirst);
  expect((await listAll({ resourceId: 'chk_mixed', action: 'checkouts.refund' }, 3)).map((r) => r.id)).toEqual(newestFirst);
  expect((await listAll({ actor: 'ops-1' }, 2)).map((r) => r.id)).toEqual(newestFirst);
  expect((await listAll({ resourceId: 'chk_mixed' }, 5))).toHaveLength(12);
  expect((await listAll({}, 100)).length).toBeGreaterThanOrEqual(14);
});

test('a record without an actor or resource is listed overall and by action, not under a null', async () => {
  const anonymous = record({ sub: null, resource: null, action: 'merchants.create' });
  await log().append(anonymous);
  expect((await log().list({ action: 'merchants.create', limit: 10 })).items).toEqual([anonymous]);
  expect((await log().list({ limit: 1 })).items).toEqual([anonymous]);
});

test('a cursor is accepted only by the listing it came from; a forged or garbled one is parameter_invalid', async () => {
  const page = await log().list({ resourceId: 'chk_mixed', limit: 1 });
  expect(page.nextCursor).toEqual(expect.any(String));
  const refused = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).code).toBe('parameter_invalid');
  };
  await refused(log().list({ resourceId: 'chk_other', limit: 1, cursor: page.nextCursor! }));
  await refused(log().list({ actor: 'ops-1', limit: 1, cursor: page.nextCursor! }));
  await refused(log().list({ limit: 1, cursor: 'garbage!' }));
  await refused(log().list({ limit: 1, cursor: Buffer.from('{"id":"x"}').toString('base64url') }));
  await refused(log().list({ limit: 0 }));
});

test('retention must exceed a year', () => {
  expect(() => new DynamoDbAuditLog({ client: table.documentClient, tableName: tableNames.audit, retentionDays: 365 })).toThrow();
});
