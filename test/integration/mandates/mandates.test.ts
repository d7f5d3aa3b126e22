// The API's mandate rules over HTTP against the local runtime and the sandbox: the payer's
// routes, the agent's token and what it may call, spending within limits under
// concurrency, instant revocation, and the token never in logs or at rest.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { collectLogs, expectLogsFreeOfSecrets, knownSecretsOf, type LogCollector } from '../../support/secret-scan.ts';
import { CREATE, newUniqueId, startCheckoutHarness, type CheckoutHarness } from '../checkouts/checkout-harness.ts';
import { waitFor } from '../../support/wait-for.ts';

let h: CheckoutHarness;
let logs: LogCollector;
const agentTokens: string[] = [];

beforeAll(async () => {
  process.env.LOG_LEVEL = 'INFO';
  logs = collectLogs();
  // The functions' JSON lines too: the secret scan reads every line.
  h = await startCheckoutHarness({ log: logs.log, logFormat: 'json' });
  // The provider's throttle (30 creates per 10 s) would answer part of the concurrent bursts 429:
  // these tests are about the mandate's limits (a throttled create gives its spending back all the same).
  await h.sandbox.config({ throttle: null });
});
afterAll(async () => {
  await h?.close();
  logs?.stop();
  if (h) rmSync(h.dataDir, { recursive: true, force: true });
  delete process.env.LOG_LEVEL;
});

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

function mandateBody(overrides: Record<string, unknown> = {}) {
  return {
    agent: { name: 'Trip planner', reference: 'agent-42' },
    currency: 'USD',
    per_checkout_max: 5000,
    total_max: 20000,
    max_checkouts: 10,
    account_ids: [h.dev.account_id],
    credit_card_id: h.dev.credit_card_ids.success,
    expires_at: inDays(30),
    ...overrides,
  };
}

async function newMandate(overrides: Record<string, unknown> = {}): Promise<{ id: string; token: string; body: any }> {
  const answer = await h.as(h.dev.tokens.payer).call('POST', '/v1/mandates', { body: mandateBody(overrides) });
  expect(answer.status).toBe(201);
  agentTokens.push(answer.body.token);
  return { id: answer.body.id, token: answer.body.token, body: answer.body };
}

/** The usual checkout body without payment_method and fee, as an agent sends it. */
function agentBody(uniqueId: string, overrides: Record<string, unknown> = {}) {
  const { payment_method: _card, fee: _fee, ...body } = h.checkoutBody(uniqueId, overrides);
  return body;
}

const mandateOf = async (id: string) => (await h.as(h.dev.tokens.payer).call('GET', `/v1/mandates/${id}`)).body;

describe('mandates: the payer\'s routes', () => {
  it('creates a mandate and shows its agt_ token in that answer only', async () => {
    const { id, token, body } = await newMandate();
    expect(token).toMatch(/^agt_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({ status: 'active', spent: 0, checkouts_count: 0, revoked_at: null, payer: await h.subOf('payer'), max_checkouts: 10 });
    expect(id).toMatch(/^mdt_/);
    const read = await h.as(h.dev.tokens.payer).call('GET', `/v1/mandates/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.token).toBeUndefined();
    expect((await h.as(h.dev.tokens.ops).call('GET', `/v1/mandates/${id}`)).status).toBe(200);
    expect((await h.as(h.dev.tokens.payer2).call('GET', `/v1/mandates/${id}`)).status).toBe(404);
    const list = await h.as(h.dev.tokens.payer).call('GET', '/v1/mandates?limit=100');
    expect(list.body.data.map((m: { id: string }) => m.id)).toContain(id);
    expect(list.body).toHaveProperty('next_cursor');
    expect((await h.as(h.dev.tokens.payer2).call('GET', '/v1/mandates?limit=100')).body.data.map((m: { id: string }) => m.id)).not.toContain(id);
  });

  it.each([
    [{ per_checkout_max: 30000 }, 400, 'parameter_invalid', 'per_checkout_max'],
    [{ total_max: 0 }, 400, 'parameter_invalid', 'total_max'],
    [{ currency: 'EUR' }, 400, 'parameter_invalid', 'currency'],
    [{ expires_at: inDays(91) }, 400, 'parameter_invalid', 'expires_at'],
    [{ expires_at: inDays(-1) }, 400, 'parameter_invalid', 'expires_at'],
    [{ account_ids: ['acc_doesnotexist'] }, 404, 'resource_missing', 'account_ids'],
    [{ credit_card_id: '987654321' }, 400, 'parameter_invalid', 'credit_card_id'],
  ])('refuses %j with %i %s on %s', async (change, status, code, param) => {
    const answer = await h.as(h.dev.tokens.payer).call('POST', '/v1/mandates', { body: mandateBody(change) });
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ code, param });
  });

  it('refuses a mandate to a merchant token (403) and an agent token (403)', async () => {
    const { token } = await newMandate();
    expect((await h.as(h.dev.tokens.merchant).call('POST', '/v1/mandates', { body: mandateBody() })).status).toBe(403);
    expect((await h.as(token).call('POST', '/v1/mandates', { body: mandateBody() })).body.error.code).toBe('permission_denied');
  });
});

describe('mandates: the agent', () => {
  it('creates a checkout charged to the mandate\'s card with no app fee, which its payer sees as their own', async () => {
    const { id, token } = await newMandate();
    const created = await h.createCheckout(agentBody(newUniqueId('agent'), { amount: 1200 }), token);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ amount: 1200, agent: { mandate_id: id, name: 'Trip planner' }, fee: { app_fee: 0 } });
    expect(await mandateOf(id)).toMatchObject({ spent: 1200, checkouts_count: 1 });
    expect((await h.as(token).call('GET', `/v1/checkouts/${created.body.id}`)).status).toBe(200);
    expect((await h.as(h.dev.tokens.payer).call('GET', `/v1/checkouts/${created.body.id}`)).body.agent).toEqual({ mandate_id: id, name: 'Trip planner' });
    const log = await h.as(h.dev.tokens.payer).call('GET', `/v1/mandates/${id}/checkouts`);
    expect(log.body.data.map((c: { id: string }) => c.id)).toEqual([created.body.id]);
    const mine = await h.createCheckout(h.checkoutBody(newUniqueId('payer')));
    expect(mine.body.agent).toBeNull();
  });

  it('may not send payment_method or fee (400 unknown_parameter)', async () => {
    const { token } = await newMandate();
    for (const field of ['payment_method', 'fee']) {
      const body = { ...agentBody(newUniqueId('extra')), [field]: h.checkoutBody('x')[field] };
      const answer = await h.createCheckout(body, token);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'unknown_parameter', param: field });
    }
  });

  it('reads its mandate at /v1/mandates/current; a JWT there is 403; other routes are 403; other checkouts 404', async () => {
    const { id, token } = await newMandate();
    const current = await h.as(token).call('GET', '/v1/mandates/current');
    expect(current.status).toBe(200);
    expect(current.body.id).toBe(id);
    expect((await h.as(h.dev.tokens.payer).call('GET', '/v1/mandates/current')).status).toBe(403);
    for (const [method, path] of [['GET', '/v1/checkouts'], ['GET', `/v1/mandates/${id}`], ['GET', '/v1/mandates']] as const) {
      const answer = await h.as(token).call(method, path);
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('permission_denied');
    }
    const quote = await h.as(token).call('POST', '/v1/fees/quote', { body: { currency: 'USD', amount: 1000, app_fee: 0 } });
    expect(quote.status).toBe(403);

    const other = await newMandate();
    const theirs = await h.createCheckout(agentBody(newUniqueId('theirs'), { amount: 100 }), other.token);
    expect((await h.as(token).call('GET', `/v1/checkouts/${theirs.body.id}`)).status).toBe(404);
    const payers = await h.createCheckout(h.checkoutBody(newUniqueId('payers')));
    expect((await h.as(token).call('GET', `/v1/checkouts/${payers.body.id}`)).status).toBe(404);
  });

  it('answers an unknown agt_ token 401 token_invalid', async () => {
    const answer = await h.as(`agt_${'A'.repeat(43)}`).call('GET', '/v1/mandates/current');
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('token_invalid');
  });

  it('refuses another currency or an account outside account_ids (403 mandate_scope) without spending', async () => {
    const { id, token } = await newMandate();
    for (const change of [{ currency: 'CAD' }, { account_id: 'acc_notinthemandate' }]) {
      const answer = await h.createCheckout(agentBody(newUniqueId('scope'), { amount: 100, ...change }), token);
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('mandate_scope');
    }
    expect(await mandateOf(id)).toMatchObject({ spent: 0, checkouts_count: 0 });
  });

  it('refuses over per_checkout_max and once max_checkouts is reached (403 mandate_exceeded)', async () => {
    const { token } = await newMandate({ max_checkouts: 2 });
    const over = await h.createCheckout(agentBody(newUniqueId('over'), { amount: 5001 }), token);
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe('mandate_exceeded');
    for (let i = 0; i < 2; i++) expect((await h.createCheckout(agentBody(newUniqueId('count'), { amount: 100 }), token)).status).toBe(201);
    const third = await h.createCheckout(agentBody(newUniqueId('count'), { amount: 100 }), token);
    expect(third.status).toBe(403);
    expect(third.body.error.code).toBe('mandate_exceeded');
  });

  it('gives a declined charge\'s amount and count back, and a replay never spends twice', async () => {
    const declining = await newMandate({ credit_card_id: h.dev.credit_card_ids.decline });
    const declined = await h.createCheckout(agentBody(newUniqueId('decline'), { amount: 3000 }), declining.token);
    expect(declined.status).toBe(402);
    expect(await mandateOf(declining.id)).toMatchObject({ spent: 0, checkouts_count: 0 });

    const { id, token } = await newMandate();
    const body = agentBody(newUniqueId('replay'), { amount: 2500 });
    const first = await h.createCheckout(body, token);
    const again = await h.createCheckout(body, token);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await mandateOf(id)).toMatchObject({ spent: 2500, checkouts_count: 1 });
  });
});

describe('mandates under concurrency', () => {
  it('never lets 50 concurrent checkouts adding up to twice total_max spend more than total_max', async () => {
    const { id, token } = await newMandate({ per_checkout_max: 1000, total_max: 20000, max_checkouts: null });
    // 25 of 600 and 25 of 1,000: 40,000, twice total_max.
    const amounts = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 600 : 1000));
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(40000);
    expect(Math.max(...amounts)).toBeLessThanOrEqual(1000);
    const before = (await h.sandbox.calls(CREATE)).length;
    const answers = await Promise.all(amounts.map((amount) => h.createCheckout(agentBody(newUniqueId('race'), { amount }), token)));
    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(answers.every((a) => a.status < 500)).toBe(true);
    expect(refused.map((a) => `${a.status} ${a.body.error.code}`).filter((s) => s !== '403 mandate_exceeded')).toEqual([]);
    const spent = accepted.reduce((total, a) => total + (a.body.amount as number), 0);
    expect(spent).toBeLessThanOrEqual(20000);
    expect(accepted.length).toBeGreaterThan(0);
    expect(await mandateOf(id)).toMatchObject({ spent, checkouts_count: accepted.length });
    const calls = (await h.sandbox.calls(CREATE)).slice(before);
    expect(calls).toHaveLength(accepted.length);
    expect(new Set(calls.map((c) => String(c.checkout_id)))).toEqual(new Set(accepted.map((a) => a.body.provider.checkout_id)));
  });

  it('answers every request started after the revoke answer 401 token_revoked, and none of them reaches the provider', async () => {
    const { id, token } = await newMandate({ per_checkout_max: 100, total_max: 100000, max_checkouts: null });
    const before = (await h.sandbox.calls(CREATE)).length;
    const inFlight = Array.from({ length: 20 }, () => h.createCheckout(agentBody(newUniqueId('inflight'), { amount: 100 }), token));
    const revoked = await h.as(h.dev.tokens.payer).call('POST', `/v1/mandates/${id}/revoke`, { body: {} });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const after = await Promise.all(Array.from({ length: 20 }, () => h.createCheckout(agentBody(newUniqueId('after'), { amount: 100 }), token)));
    expect(after.every((a) => a.status === 401 && a.body.error.code === 'token_revoked')).toBe(true);
    const first = await Promise.all(inFlight);
    expect(first.every((a) => a.status === 201 || (a.status === 401 && a.body.error.code === 'token_revoked'))).toBe(true);
    // Only the in-flight requests that answered 201 reached the provider.
    expect((await h.sandbox.calls(CREATE)).length - before).toBe(first.filter((a) => a.status === 201).length);
    const again = await h.as(h.dev.tokens.payer).call('POST', `/v1/mandates/${id}/revoke`, { body: {} });
    expect(again.status).toBe(200);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
    expect((await h.as(token).call('GET', '/v1/mandates/current')).body.error.code).toBe('token_revoked');
  });
});

describe('mandate events', () => {
  const eventsOf = async (type: string, mandateId: string) => {
    const page = await h.as(h.dev.tokens.ops).call('GET', `/v1/events?type=${type}&limit=100`);
    return (page.body.data as { type: string; data: { object: Record<string, unknown> } }[]).filter((e) => e.data.object['id'] === mandateId);
  };

  it('emits mandate.created and, on revocation, mandate.revoked, each once and never with the token', async () => {
    const { id, token } = await newMandate();
    const [created] = await waitFor(async () => ((await eventsOf('mandate.created', id)).length > 0 ? eventsOf('mandate.created', id) : undefined), 'mandate.created');
    expect(created!.data.object).toMatchObject({ id, status: 'active', spent: 0 });
    expect((await h.as(h.dev.tokens.payer).call('POST', `/v1/mandates/${id}/revoke`, { body: {} })).status).toBe(200);
    const [revoked] = await waitFor(async () => ((await eventsOf('mandate.revoked', id)).length > 0 ? eventsOf('mandate.revoked', id) : undefined), 'mandate.revoked');
    expect(revoked!.data.object).toMatchObject({ id, status: 'revoked' });
    expect(await eventsOf('mandate.created', id)).toHaveLength(1);
    expect(await eventsOf('mandate.revoked', id)).toHaveLength(1);
    expect(JSON.stringify([created, revoked])).not.toContain(token);
  });
});

describe('the agent token at rest and in logs', () => {
  it('appears in no log line and, once the runtime has stopped, in no file of the data directory', async () => {
    expect(agentTokens.length).toBeGreaterThan(5);
    const known = await knownSecretsOf(h.dataDir, agentTokens.map((value, i) => ({ label: `agent token ${i}`, value })));
    expectLogsFreeOfSecrets(logs, known, 20);
    await h.close();
    const files = readdirSync(h.dataDir, { recursive: true, encoding: 'utf8' })
      .map((name) => join(h.dataDir, name))
      .filter((path) => statSync(path).isFile());
    expect(files.some((path) => relative(h.dataDir, path).startsWith('dynamodb'))).toBe(true);
    for (const token of agentTokens) {
      // The token and each 16-character piece of it (LevelDB's Snappy may split a value).
      const pieces = [token, ...Array.from({ length: Math.floor(token.length / 16) }, (_, i) => token.slice(i * 16, i * 16 + 16))];
      for (const path of files) {
        const bytes = readFileSync(path);
        for (const piece of pieces) expect({ path: relative(h.dataDir, path), holds: bytes.includes(piece) }).toEqual({ path: relative(h.dataDir, path), holds: false });
      }
    }
  });
});
