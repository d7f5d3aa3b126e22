// DynamoDB calls per operation (docs/money-movement.md "Call budget"), counted on the
// running local runtime's shared DynamoDB client by a middleware, for exactly the
// code the handlers run (createCheckoutOnce with the handler's renderer, processIpn
// with the wiring's deps), each operation in its own async context so that the
// runtime's background work (event publishing, the reconciler) is not counted.
//
// "Sequential" is the longest chain of awaited calls: a call's depth is one more than
// the deepest call that had completed when it was sent, so calls sent together (one
// Promise.all) share a depth however long each takes. Counts and depths depend only on
// the code's structure, never on timing: a call completes only after a network round
// trip to dynalite, and calls sent together are sent before any of those returns.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { DynamoDbIdempotencyStore } from '#functions/adapters/dynamodb/idempotency-store.ts';
import { config } from '#functions/config.ts';
import { createCheckoutOnce } from '#functions/app/checkouts.ts';
import type { IdempotencyDeps } from '#functions/app/idempotency.ts';
import { processIpn } from '#functions/app/ipn.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { creationResponse } from '#functions/http/idempotent-response.ts';
import { createCheckoutInputFrom, createCheckoutRequest } from '#functions/http/schemas/checkouts.ts';
import { auditDeps } from '#functions/wiring/audit.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';
import { makeWritesInTurn, type TransactItem } from '../../support/dynalite-transactions.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from './checkout-harness.ts';

interface CountedCall {
  command: string;
  table: string;
  depth: number;
}

interface Tally {
  calls: CountedCall[];
  deepestCompleted: number;
}

const operation = new AsyncLocalStorage<Tally>();
type Next = (args: unknown) => Promise<unknown>;

let h: CheckoutHarness;
let payer: Principal;
/** The idempotency layer as in AWS, where the store has transactions. */
let atomicIdempotency: IdempotencyDeps;
let uncounted: DynamoDBDocumentClient | undefined;

const tablesOf = (items: TransactItem[]) =>
  [...new Set(items.map((item) => (item.Put ?? item.Update ?? item.Delete)!.TableName))].sort().join(',');

beforeAll(async () => {
  // IPNs are handed to processIpn by the tests, not sent by the sandbox.
  h = await startCheckoutHarness({ ipnCallbacks: false });
  payer = { sub: await h.subOf('payer'), roles: ['payer'] };
  const { client, documentClient } = createDynamoDbClients({
    region: 'us-east-1',
    endpoint: config().tables.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  (client.middlewareStack as unknown as { add(m: (next: Next, context: { commandName?: string }) => Next, o: object): void }).add(
    (next, context) => async (args) => {
      const tally = operation.getStore();
      if (!tally) return next(args);
      const input = (args as { input: { TableName?: string; RequestItems?: Record<string, unknown>; TransactItems?: TransactItem[] } }).input;
      const call: CountedCall = {
        command: (context.commandName ?? '?').replace(/Command$/, ''),
        table: input.TableName ?? Object.keys(input.RequestItems ?? {}).join(',') + tablesOf(input.TransactItems ?? []),
        depth: tally.deepestCompleted + 1,
      };
      tally.calls.push(call);
      try {
        return await next(args);
      } finally {
        tally.deepestCompleted = Math.max(tally.deepestCompleted, call.depth);
      }
    },
    { step: 'initialize', name: 'callBudgetCount', priority: 'high' },
  );
  // dynalite has no TransactWriteItems: inside the count, each of a transaction's writes is made
  // in turn through a second, uncounted client (every condition holds on this path), so that
  // the AWS path's round trips can be counted on the same code.
  const plain = createDynamoDbClients({
    region: 'us-east-1',
    endpoint: config().tables.endpoint,
    credentials: { accessKeyId: 'local-uncounted', secretAccessKey: 'local' },
  }).documentClient;
  uncounted = plain;
  (client.middlewareStack as unknown as { add(m: (next: Next, context: { commandName?: string }) => Next, o: object): void }).add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      await makeWritesInTurn(plain, (args as { input: { TransactItems: TransactItem[] } }).input.TransactItems);
      return { output: { $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'transactionsOnDynalite', priority: 'high' },
  );
  atomicIdempotency = { ...idempotencyDeps(), store: new DynamoDbIdempotencyStore({ client: documentClient, tableName: config().tables.idempotency, transactions: true }) };
});
afterAll(async () => {
  uncounted?.destroy();
  await h?.close();
});

async function counted<T>(run: () => Promise<T>): Promise<{ result: T; calls: CountedCall[]; sequential: number; total: number }> {
  const tally: Tally = { calls: [], deepestCompleted: 0 };
  const result = await operation.run(tally, run);
  return { result, calls: tally.calls, sequential: Math.max(0, ...tally.calls.map((c) => c.depth)), total: tally.calls.length };
}

/** What functions/handlers/checkouts-create.ts runs for this body (locally; `inAws`: with transactions). */
async function create(rawBody: Record<string, unknown>, { inAws = false } = {}) {
  const body = createCheckoutRequest.parse(rawBody);
  return createCheckoutOnce(
    { ...(await checkoutDeps()), idempotency: inAws ? atomicIdempotency : idempotencyDeps() },
    { principal: payer, input: { ...createCheckoutInputFrom(body), sourceIp: '203.0.113.7' }, asReceived: body },
    creationResponse('req_call_budget'),
  );
}

/** What functions/handlers/ipn-process.ts runs for a notice. */
async function ipn(providerCheckoutId: string) {
  return processIpn({ ...(await checkoutDeps()), audit: auditDeps() }, { provider: 'wepay', checkoutId: providerCheckoutId, receivedAt: new Date().toISOString() });
}

const byDepth = (calls: CountedCall[]) =>
  calls.reduce<Record<number, string[]>>((rounds, c) => ({ ...rounds, [c.depth]: [...(rounds[c.depth] ?? []), `${c.command} ${c.table}`].sort() }), {});

/** A creation's first round trip (a replay's only one in AWS): the claim, the account, the velocity counters. */
const claimRound = () => [`BatchGetItem ${config().tables.payments}`, `GetItem ${config().tables.payments}`, `PutItem ${config().tables.idempotency}`];
/** Its second: the creation intent and the two velocity counts (the provider call follows). */
const intentRound = () => [`PutItem ${config().tables.payments}`, `UpdateItem ${config().tables.payments}`, `UpdateItem ${config().tables.payments}`];

describe('DynamoDB calls per operation', () => {
  test('a new checkout locally: 4 sequential round trips (dynalite has no transactions), the claim sharing the first with the reads', async () => {
    // The first creation of the process also reads the merchant's provider user (kept afterwards).
    await create(h.checkoutBody(newUniqueId('warm-up')));
    const { result, calls, sequential, total } = await counted(() => create(h.checkoutBody(newUniqueId('budget-new'))));
    expect(result.response.statusCode).toBe(201);
    const idempotency = config().tables.idempotency;
    const table = config().tables.payments;
    expect(byDepth(calls)).toEqual({
      1: claimRound(),
      2: intentRound(),
      // The checkout, its provider pointer, its watch entry.
      3: [`PutItem ${table}`, `PutItem ${table}`, `PutItem ${table}`],
      // The answer stored, the intent dropped.
      4: [`DeleteItem ${table}`, `UpdateItem ${idempotency}`],
    });
    expect(sequential).toBe(4);
    expect(total).toBe(11);
  });

  test('a new checkout in AWS: 3 sequential round trips, the checkout stored with the answer in one transaction', async () => {
    const body = h.checkoutBody(newUniqueId('budget-aws'));
    const { result, calls, sequential } = await counted(() => create(body, { inAws: true }));
    expect(result.response.statusCode).toBe(201);
    const idempotency = config().tables.idempotency;
    const table = config().tables.payments;
    expect(byDepth(calls)).toEqual({
      1: claimRound(),
      2: intentRound(),
      // The answer, the checkout, its pointer and watch entry, the intent's removal: all or nothing.
      3: [`TransactWriteItems ${[idempotency, table].sort().join(',')}`],
    });
    expect(sequential).toBe(3);
    // The transaction's writes took: the checkout is stored, and the key replays the answer.
    const id = (result.response.body as { id: string }).id;
    expect((await (await checkoutDeps()).checkouts.get(id))?.id).toBe(id);
    expect(await create(body, { inAws: true })).toEqual({ response: result.response, replayed: true });
  });

  test('a replay: one round trip in AWS (locally one more read, dynalite lacking the refusing record)', async () => {
    const body = h.checkoutBody(newUniqueId('budget-replay'));
    const first = await create(body);
    const { result, calls, sequential } = await counted(() => create(body));
    expect(result).toEqual({ response: first.response, replayed: true });
    expect(byDepth(calls)).toEqual({
      // The claim, refused with the stored answer; the creation's reads went with it and are left unused.
      1: claimRound(),
      // dynalite only: the record that refused the claim (DynamoDB returns it with the refusal).
      2: [`GetItem ${config().tables.idempotency}`],
    });
    expect(sequential).toBe(2);
  });

  test('an IPN that changes nothing: 2 calls (the pointer, the checkout)', async () => {
    const created = await create(h.checkoutBody(newUniqueId('budget-ipn-same')));
    const providerId = (created.response.body as { provider: { checkout_id: string } }).provider.checkout_id;
    const { result, calls, sequential } = await counted(() => ipn(providerId));
    expect(result).toBe('unchanged');
    expect(calls.map((c) => `${c.command} ${c.table}`)).toEqual([`GetItem ${config().tables.payments}`, `GetItem ${config().tables.payments}`]);
    expect(sequential).toBe(2);
  });

  test('an IPN that changes the checkout: 3 calls, then its audit record', async () => {
    const created = await create(h.checkoutBody(newUniqueId('budget-ipn-moves'), { payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.success, auto_capture: false } } }));
    const providerId = (created.response.body as { provider: { checkout_id: string } }).provider.checkout_id;
    await h.sandbox.setState(providerId, 'captured');
    const { result, calls, sequential } = await counted(() => ipn(providerId));
    expect(result).toBe('updated');
    const table = config().tables.payments;
    expect(calls.filter((c) => c.table === table).map((c) => c.command)).toEqual(['GetItem', 'GetItem', 'PutItem']);
    // The audit record is written once the change is committed (functions/app/audit.ts).
    expect(calls.filter((c) => c.table !== table).map((c) => c.command)).toEqual(['PutItem']);
    expect(sequential).toBe(4);
  });
});
