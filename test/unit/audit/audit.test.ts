// The audit trail's use cases and middleware with an in-memory log: record shapes,
// what is scrubbed, and that a failed audit write keeps the answer and is reported
// (ERROR line holding the record, AuditWriteFailed metric).
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { listAuditEvents, recordRequest, recordSystemChange, scrubbed, type AuditDeps } from '#functions/app/audit.ts';
import { PermissionDeniedError, InvalidRequestError } from '#functions/domain/errors.ts';
import { actorOf, auditTrail, isAuditedRoute, resourceIdOf, resourceTypeOf } from '#functions/http/audit.ts';
import { responseEnvelope } from '#functions/http/middlewares.ts';
import { logger } from '#functions/observability.ts';
import type { AuditRecord } from '#functions/domain/audit-record.ts';
import { routeIn, routes, type RouteDefinition } from '#functions/routes.ts';
import { reportAuditWriteFailure } from '#functions/wiring/audit.ts';
import { captureOutput } from '../../support/log-capture.ts';
import { proxyEvent } from '../../support/proxy-event.ts';

function memoryDeps(options: { failing?: boolean } = {}) {
  const records: AuditRecord[] = [];
  const failures: { error: unknown; record: AuditRecord }[] = [];
  const deps: AuditDeps = {
    log: {
      append: async (record) => {
        if (options.failing) throw new Error('ProvisionedThroughputExceededException');
        records.push(record);
      },
      list: async () => ({ items: records, nextCursor: null }),
    },
    clock: { now: () => Date.parse('2026-12-01T10:00:00Z') },
    onWriteFailure: (error, record) => failures.push({ error, record }),
  };
  return { deps, records, failures };
}

const context = { awsRequestId: 'lambda-request' } as Context;

function pipeline(route: RouteDefinition, deps: AuditDeps, handle: () => Promise<APIGatewayProxyResult>) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(auditTrail(route, () => deps))
    .use(responseEnvelope(logger))
    .handler(handle);
}

describe('which routes are audited', () => {
  it('every POST and DELETE under /v1 but the fee quote and the IPN; never a GET', () => {
    expect(isAuditedRoute(routeIn(routes, 'checkouts.create'))).toBe(true);
    expect(isAuditedRoute(routeIn(routes, 'checkouts.refund'))).toBe(true);
    expect(isAuditedRoute(routeIn(routes, 'fees.quote'))).toBe(false);
    expect(isAuditedRoute(routeIn(routes, 'ipn.wepay'))).toBe(false);
    expect(isAuditedRoute(routeIn(routes, 'checkouts.get'))).toBe(false);
    // A route added later is audited without anyone listing it.
    expect(isAuditedRoute({ id: 'webhook_endpoints.delete', method: 'DELETE' as 'POST', path: '/v1/webhook_endpoints/{id}', access: ['ops'] })).toBe(true);
  });

  it('names resources by their collection', () => {
    expect(resourceTypeOf({ path: '/v1/checkouts/{id}/refund' })).toBe('checkout');
    expect(resourceTypeOf({ path: '/v1/merchants' })).toBe('merchant_account');
    expect(resourceTypeOf({ path: '/v1/webhook_endpoints/{id}/rotate_secret' })).toBe('webhook_endpoint');
  });

  it('takes an action\'s id from its path and a creation\'s from its successful answer', () => {
    expect(resourceIdOf({ path: '/v1/checkouts/{id}/capture' }, { id: 'chk_1' }, 404, undefined)).toBe('chk_1');
    expect(resourceIdOf({ path: '/v1/checkouts' }, null, 201, '{"id":"chk_2"}')).toBe('chk_2');
    expect(resourceIdOf({ path: '/v1/checkouts' }, null, 400, '{"error":{}}')).toBeNull();
    expect(resourceIdOf({ path: '/v1/reconciliations' }, null, 200, '{"checked":1}')).toBeNull();
  });

  it('reads the actor from the authorizer context: a user, an agent under a mandate, nobody', () => {
    const identity = { sourceIp: '203.0.113.7', userAgent: 'ua' };
    expect(actorOf({ sub: 'u1', groups: 'merchant,ops' }, identity)).toEqual({ sub: 'u1', roles: ['merchant', 'ops'], mandate_id: null, ip: '203.0.113.7', user_agent: 'ua' });
    expect(actorOf({ sub: 'payer-1', mandate_id: 'mdt_1', groups: '' }, identity)).toEqual({ sub: 'payer-1', roles: ['agent'], mandate_id: 'mdt_1', ip: '203.0.113.7', user_agent: 'ua' });
    expect(actorOf(null, identity)).toEqual({ sub: null, roles: [], mandate_id: null, ip: '203.0.113.7', user_agent: 'ua' });
  });
});

describe('records', () => {
  it('a change without a request: system actor, no roles, connection, request or status', async () => {
    const { deps, records } = memoryDeps();
    await recordSystemChange(deps, { actor: 'system:reconciler', action: 'checkouts.update', resource: { type: 'checkout', id: 'chk_9' } });
    expect(records).toEqual([
      {
        id: expect.stringMatching(/^aud_[\w-]{22}$/),
        at: '2026-12-01T10:00:00.000Z',
        action: 'checkouts.update',
        actor: { sub: 'system:reconciler', roles: [], mandate_id: null, ip: null, user_agent: null },
        resource: { type: 'checkout', id: 'chk_9' },
        request_id: null,
        status: null,
      },
    ]);
  });

  it('keeps no card number, JWT or agent token from what a client sent, and bounds its length', async () => {
    expect(scrubbed('curl 4242 4242 4242 4242')).toBe('curl [REDACTED CARD]');
    expect(scrubbed('x eyJhbGciOi.eyJzdWIiOiJ.c2lnbmF0dXJl y')).toBe('x [REDACTED JWT] y');
    expect(scrubbed('agt_abcdefghijklmnop')).toBe('agt_[REDACTED]');
    expect(scrubbed('Bearer abc.def')).toBe('Bearer [REDACTED]');
    expect(scrubbed('a'.repeat(10_000))).toHaveLength(256);
    const { deps, records } = memoryDeps();
    await recordRequest(deps, {
      action: 'checkouts.capture',
      actor: { sub: null, roles: [], mandate_id: null, ip: '198.51.100.1', user_agent: 'ua 4000000000000002' },
      resource: { type: 'checkout', id: '4242424242424242' },
      requestId: 'req_1',
      status: 404,
    });
    expect(JSON.stringify(records)).not.toMatch(/4242424242424242|4000000000000002/);
  });

  it('lists for ops only', async () => {
    const { deps } = memoryDeps();
    await expect(listAuditEvents(deps, { sub: 'm', roles: ['merchant'] }, { limit: 20 })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(listAuditEvents(deps, { sub: 'o', roles: ['ops'] }, { limit: 20 })).resolves.toEqual({ items: [], nextCursor: null });
  });
});

describe('the middleware', () => {
  const create = routeIn(routes, 'checkouts.create') as RouteDefinition;
  const event = () => proxyEvent({ method: 'POST', path: '/v1/checkouts', principal: { sub: 'payer-1', groups: ['payer'] }, requestId: 'gw-1' });

  it('records a success with the final status, the created id and the X-Request-Id', async () => {
    const { deps, records } = memoryDeps();
    const reply = await pipeline(create, deps, async () => ({ statusCode: 201, body: '{"id":"chk_new"}' }))(event(), context);
    expect(reply.headers?.['X-Request-Id']).toBe('req_gw-1');
    expect(records).toEqual([
      expect.objectContaining({
        action: 'checkouts.create',
        actor: { sub: 'payer-1', roles: ['payer'], mandate_id: null, ip: '203.0.113.9', user_agent: 'jest' },
        resource: { type: 'checkout', id: 'chk_new' },
        request_id: 'req_gw-1',
        status: 201,
      }),
    ]);
  });

  it('records a refusal with the status the error became', async () => {
    const { deps, records } = memoryDeps();
    const reply = await pipeline(create, deps, async () => {
      throw new InvalidRequestError('parameter_invalid', 'amount must be a positive integer', { param: 'amount' });
    })(event(), context);
    expect(reply.statusCode).toBe(400);
    expect(records).toEqual([expect.objectContaining({ status: 400, resource: { type: 'checkout', id: null } })]);
  });

  it('keeps the answer when the audit write fails, and reports the record', async () => {
    const { deps, failures } = memoryDeps({ failing: true });
    const reply = await pipeline(create, deps, async () => ({ statusCode: 201, body: '{"id":"chk_paid"}' }))(event(), context);
    expect(reply.statusCode).toBe(201);
    expect(reply.body).toBe('{"id":"chk_paid"}');
    expect(failures).toEqual([{ error: expect.any(Error), record: expect.objectContaining({ resource: { type: 'checkout', id: 'chk_paid' }, status: 201 }) }]);
  });

  it('writes nothing for a route that is not audited', async () => {
    const { deps, records } = memoryDeps();
    await pipeline(routeIn(routes, 'fees.quote') as RouteDefinition, deps, async () => ({ statusCode: 200, body: '{}' }))(event(), context);
    expect(records).toEqual([]);
  });
});

describe('a failed write is reported', () => {
  it('as an ERROR line holding the whole record and an AuditWriteFailed metric', () => {
    const output = captureOutput();
    try {
      const record: AuditRecord = {
        id: 'aud_x', at: '2026-12-01T10:00:00.000Z', action: 'checkouts.refund',
        actor: { sub: 'm', roles: ['merchant'], mandate_id: null, ip: '203.0.113.7', user_agent: 'ua' },
        resource: { type: 'checkout', id: 'chk_1' }, request_id: 'req_1', status: 200,
      };
      reportAuditWriteFailure(new Error('throttled'), record);
    } finally {
      output.restore();
    }
    const lines = output.text().split('\n').filter((line) => line.startsWith('{'));
    const error = lines.map((line) => JSON.parse(line)).find((line) => line.message?.startsWith('audit write failed'));
    expect(error).toMatchObject({ level: 'ERROR', audit_record: { id: 'aud_x', resource: { id: 'chk_1' }, status: 200 } });
    const metric = lines.map((line) => JSON.parse(line)).find((line) => line._aws);
    expect(metric).toMatchObject({ AuditWriteFailed: 1 });
  });
});
