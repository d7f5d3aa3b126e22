// AWS calls per new checkout and per replay: DynamoDB, KMS, Secrets Manager.
//   npx tsx bench/aws-calls.ts [requests=50]
// Also per GET of a checkout and per list (HTTP), and per IPN processed (AWS
// adapters; one whose checkout did not move, one whose checkout the sandbox moved).
// The figures are written as JSON to BENCH_RESULT_FILE, by default
// $TMPDIR/payments-bench/aws-calls.json, where bench/cost.ts reads them.
// Also the events publisher's calls per creation and per IPN that moves a checkout (as the
// stream consumer runs it in AWS), and every DynamoDB call's write and read units as
// DynamoDB charges them (ReturnConsumedCapacity, answered by dynalite).
// Counted with a middleware on the SDK clients (initialize step: one count per
// command sent, retries of one command not counted twice):
// - Over HTTP through the local runtime (the real handlers, the real wiring): the
//   DynamoDB client the wiring shares (createDynamoDbClients returns one client per
//   options) gets the counting middleware. Locally the vault is a raw AES keyring
//   and secrets come from a file, so KMS and Secrets Manager do not appear there.
// - In-process with the AWS adapters, composed as functions/wiring/ composes them
//   when PAYMENTS_RUNTIME=aws, running what the checkouts-create handler runs
//   (createCheckoutOnce on the validated body, rendered by creationResponse): the KMS token
//   vault over a KMS client whose middleware answers locally (as bench/kms-calls.ts
//   does), the Secrets Manager adapter (Powertools, cached) over a client whose
//   middleware answers with the local secrets file, DynamoDB on the runtime's
//   dynalite, the WePay client on its sandbox. "Cold" is a fresh composition (a new
//   Lambda instance); "warm" reuses it.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteCommand, PutCommand, UpdateCommand, type DeleteCommandInput, type DynamoDBDocumentClient, type PutCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { defaultAwsCallsFile } from './shared.ts';

process.env.LOG_LEVEL ??= 'ERROR';
const { startBenchRuntime } = await import('./bench-runtime.ts');
const { localSecretsPath } = await import('#local/secrets-file.ts');
const { config } = await import('#functions/config.ts');
const { callbackUriFor, processIpn } = await import('#functions/app/ipn.ts');
const { createDynamoDbClients } = await import('#functions/adapters/dynamodb/clients.ts');
const { DynamoDbCheckoutRepository } = await import('#functions/adapters/dynamodb/checkout-repository.ts');
const { DynamoDbMerchantRepository } = await import('#functions/adapters/dynamodb/merchant-repository.ts');
const { DynamoDbIdempotencyStore } = await import('#functions/adapters/dynamodb/idempotency-store.ts');
const { kmsTokenVault } = await import('#functions/adapters/token-vault/kms-token-vault.ts');
const { secretsManagerPlatformSecrets } = await import('#functions/adapters/secrets/secrets-manager-platform-secrets.ts');
const { wepayClientFromConfig } = await import('#functions/adapters/providers/wepay/wepay-client.ts');
const { createCheckoutOnce } = await import('#functions/app/checkouts.ts');
const { onboardMerchant } = await import('#functions/app/merchants.ts');
const { creationResponse } = await import('#functions/http/idempotent-response.ts');
const { createCheckoutRequest, createCheckoutInputFrom } = await import('#functions/http/schemas/checkouts.ts');
const { systemClock } = await import('#functions/adapters/system-clock.ts');
const { DynamoDbEventStore } = await import('#functions/adapters/dynamodb/event-store.ts');
const { DynamoDbAuditLog } = await import('#functions/adapters/dynamodb/audit-log.ts');
const { tableDefinitions } = await import('#functions/adapters/dynamodb/table-definitions.ts');
const { DynamoDbWebhookEndpoints } = await import('#functions/adapters/dynamodb/webhook-endpoints.ts');
const { publishCheckoutChanges } = await import('#functions/app/events/publish.ts');
const { eventRenderer } = await import('#functions/http/schemas/events.ts');

const requests = Number(process.argv[2] ?? 50);
const region = 'us-east-1';
const keyArn = `arn:aws:kms:${region}:111122223333:key/00000000-0000-4000-8000-000000000000`;
const secretId = 'payments/platform';

// ── counting ─────────────────────────────────────────────────────────────────
type Service = 'DynamoDB' | 'KMS' | 'Secrets Manager';
const counts = new Map<string, number>();
const snapshot = () => new Map(counts);
function diff(before: Map<string, number>, after: Map<string, number>, divisor = 1): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of after) {
    const delta = (value - (before.get(key) ?? 0)) / divisor;
    if (delta !== 0) out.set(key, delta);
  }
  return out;
}
type Next = (args: unknown) => Promise<unknown>;
/** Any SDK v3 client's middleware stack (each client types it with its own commands). */
interface AnyMiddlewareStack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: Record<string, unknown>): void;
}
function countOn(stack: AnyMiddlewareStack, service: Service) {
  stack.add(
    (next, context) => async (args) => {
      const key = `${service}:${(context.commandName ?? 'unknown').replace(/Command$/, '')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: `benchCount${service.replace(' ', '')}`, priority: 'high' },
  );
}

// ── capacity units ───────────────────────────────────────────────────────────
// Every DynamoDB command asks for ReturnConsumedCapacity TOTAL; dynalite answers with
// DynamoDB's formulas (a write: ⌈item KB⌉ WRU, the larger of the old and new item for an
// update; a read: ⌈KB / 4⌉ RRU, half when eventually consistent; a query: its items' size
// together; at least 0.5 RRU per read). A write refused by its condition returns no figure
// but is charged: counted as 1 WRU, the minimum. Units are kept per command and per item kind (table and key prefix),
// so bench/cost.ts prices the floor's writes with the sizes of the same items.
const writeCommandNames = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'];
function itemKindOf(command: string, input: Record<string, any>): string {
  const table = String(input.TableName ?? Object.keys(input.RequestItems ?? {})[0] ?? 'transaction');
  const pk = input.Item?.pk ?? input.Key?.pk ?? (input.Item?.id ?? input.Key?.id ? 'id' : undefined);
  const prefix = typeof pk === 'string' ? pk.split('#')[0] : '';
  return `${command} ${table}${prefix ? ` ${prefix}` : ''}`;
}
function consumedUnits(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((sum: number, entry: { CapacityUnits?: number }) => sum + (entry.CapacityUnits ?? 0), 0);
}
// dynalite's figure is the table's alone; DynamoDB also charges each global secondary
// index the write touches (an entry put, updated or deleted: ⌈(item + 100 B) / 1 KB⌉ WRU,
// twice when its key changes; every index here projects ALL). So around each write on a
// table with indexes, the item is read before and after with a client of its own (not
// counted) and the index writes are added, as DynamoDB counts them.
const dynaliteSize = (createRequire(import.meta.url)('dynalite/db/index.js') as { itemSize: (item: Record<string, AttributeValue>) => number }).itemSize;
type IndexedTable = { keyNames: string[]; indexes: { partitionKey: string; sortKey: string }[] };
function indexWriteUnits(table: IndexedTable, before: Record<string, AttributeValue> | undefined, after: Record<string, AttributeValue> | undefined): number {
  const entryUnits = (item: Record<string, AttributeValue>) => Math.ceil((dynaliteSize(item) + 100) / 1024);
  let units = 0;
  for (const { partitionKey, sortKey } of table.indexes) {
    const keyOf = (item?: Record<string, AttributeValue>) => (item?.[partitionKey] && item[sortKey] ? JSON.stringify([item[partitionKey], item[sortKey]]) : undefined);
    const [was, is] = [keyOf(before), keyOf(after)];
    if (was !== undefined && is !== undefined && was === is) units += Math.max(entryUnits(before!), entryUnits(after!));
    else units += (was !== undefined ? entryUnits(before!) : 0) + (is !== undefined ? entryUnits(after!) : 0);
  }
  return units;
}
/** The stored item with the key of `source` (an item or a key), read by a client of its own (not counted). */
async function readItem(reader: DynamoDBClient, tableName: string, table: IndexedTable, source: Record<string, unknown>) {
  // At the initialize step the document client's input is still plain values (it marshals before serializing).
  const asAttribute = (value: unknown): AttributeValue =>
    typeof value === 'string' ? { S: value } : typeof value === 'number' ? { N: String(value) } : (value as AttributeValue);
  const Key = Object.fromEntries(table.keyNames.map((name) => [name, asAttribute(source[name])]));
  return (await reader.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;
}
function measureUnitsOn(stack: AnyMiddlewareStack, reader: DynamoDBClient, indexedTables: Map<string, IndexedTable>) {
  const read = (tableName: string, table: IndexedTable, source: Record<string, unknown>) => readItem(reader, tableName, table, source);
  stack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = (args as { input: Record<string, any> }).input;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const isWrite = writeCommandNames.includes(command);
      const indexed = isWrite ? indexedTables.get(String(input.TableName)) : undefined;
      const keySource = (input.Item ?? input.Key) as Record<string, unknown> | undefined;
      const before = indexed && keySource ? await read(String(input.TableName), indexed, keySource) : undefined;
      const add = (units: number) => {
        const unitKey = `DynamoDB units:${isWrite ? 'WRU' : 'RRU'}`;
        counts.set(unitKey, (counts.get(unitKey) ?? 0) + units);
        const kind = `DynamoDB item:${itemKindOf(command, input)}`;
        counts.set(`${kind}:units`, (counts.get(`${kind}:units`) ?? 0) + units);
        counts.set(`${kind}:calls`, (counts.get(`${kind}:calls`) ?? 0) + 1);
      };
      try {
        const result = (await next(args)) as { output?: { ConsumedCapacity?: unknown } };
        const after = indexed && keySource && command !== 'DeleteItem' ? await read(String(input.TableName), indexed, keySource) : undefined;
        const indexUnits = indexed ? indexWriteUnits(indexed, before, after) : 0;
        if (indexUnits > 0) counts.set('DynamoDB units:index WRU', (counts.get('DynamoDB units:index WRU') ?? 0) + indexUnits);
        // A read is charged at least half a unit, even when it finds nothing (dynalite reports 0).
        add(isWrite ? consumedUnits(result.output?.ConsumedCapacity) + indexUnits : Math.max(0.5, consumedUnits(result.output?.ConsumedCapacity)));
        return result;
      } catch (error) {
        if (isWrite && (error as Error).name === 'ConditionalCheckFailedException') add(1);
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCapacityUnits', priority: 'high' },
  );
}

// ── transactions ─────────────────────────────────────────────────────────────
// dynalite has no TransactWriteItems, which the idempotency store sends in AWS (a new
// checkout's writes with its stored answer). Inside the counted client, each of its writes is
// made in turn through a client of its own (every condition holds on the bench's path), and
// the transaction's units are what DynamoDB charges for one: each item's table write twice
// (prepare and commit), its index writes once (they follow the commit).
function transactionsOnDynalite(stack: AnyMiddlewareStack, writer: DynamoDBDocumentClient, reader: DynamoDBClient, indexedTables: Map<string, IndexedTable>) {
  type Write = { Put?: PutCommandInput; Update?: UpdateCommandInput; Delete?: DeleteCommandInput };
  const send = async (write: Write) => {
    const capacity = { ReturnConsumedCapacity: 'TOTAL' as const };
    if (write.Put) return (await writer.send(new PutCommand({ ...write.Put, ...capacity }))).ConsumedCapacity;
    if (write.Update) return (await writer.send(new UpdateCommand({ ...write.Update, ...capacity }))).ConsumedCapacity;
    return (await writer.send(new DeleteCommand({ ...write.Delete!, ...capacity }))).ConsumedCapacity;
  };
  stack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      let units = 0;
      for (const write of (args as { input: { TransactItems: Write[] } }).input.TransactItems) {
        const params = (write.Put ?? write.Update ?? write.Delete)!;
        const tableName = params.TableName!;
        const indexed = indexedTables.get(tableName);
        const keySource = ('Item' in params ? params.Item : params.Key) as Record<string, unknown>;
        const before = indexed ? await readItem(reader, tableName, indexed, keySource) : undefined;
        const consumed = await send(write);
        const after = indexed && !write.Delete ? await readItem(reader, tableName, indexed, keySource) : undefined;
        units += 2 * consumedUnits(consumed) + (indexed ? indexWriteUnits(indexed, before, after) : 0);
      }
      return { output: { ConsumedCapacity: [{ CapacityUnits: units }], $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'benchTransactionsOnDynalite', priority: 'high' },
  );
}

/** A KMS client that never leaves the process: wrapped keys are ids into this map. */
function localKms(): KMS {
  const wrapped = new Map<string, { key: Buffer; context: string }>();
  const client = new KMS({ region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  countOn(client.middlewareStack as unknown as AnyMiddlewareStack, 'KMS');
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as { CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> };
      const boundContext = JSON.stringify(input.EncryptionContext ?? {});
      if (context.commandName === 'GenerateDataKeyCommand') {
        const key = randomBytes(32);
        const id = randomBytes(16);
        wrapped.set(id.toString('hex'), { key, context: boundContext });
        return { output: { KeyId: keyArn, Plaintext: Uint8Array.from(key), CiphertextBlob: id, $metadata: {} }, response: {} };
      }
      if (context.commandName === 'DecryptCommand') {
        const entry = wrapped.get(Buffer.from(input.CiphertextBlob ?? []).toString('hex'));
        if (!entry || entry.context !== boundContext) throw new Error('InvalidCiphertextException');
        return { output: { KeyId: keyArn, Plaintext: Uint8Array.from(entry.key), $metadata: {} }, response: {} };
      }
      throw new Error(`The bench KMS does not answer ${context.commandName}`);
    },
    { step: 'initialize', name: 'benchLocalKms' },
  );
  return client;
}

/** A Secrets Manager client answering GetSecretValue with the local secrets file (the same document schema). */
function localSecretsManager(secretString: string): SecretsManagerClient {
  const client = new SecretsManagerClient({ region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  countOn(client.middlewareStack as unknown as AnyMiddlewareStack, 'Secrets Manager');
  client.middlewareStack.add(
    (_next, context) => async () => {
      if (context.commandName !== 'GetSecretValueCommand') throw new Error(`The bench Secrets Manager does not answer ${context.commandName}`);
      return { output: { Name: secretId, SecretString: secretString, VersionId: 'v1', $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'benchLocalSecretsManager' },
  );
  return client;
}

// ── the runtime ──────────────────────────────────────────────────────────────
// The local stand-in for the stream is off: its publications (and their local-only
// markers) would land in whichever window is open. The publisher is measured on its own
// below, as the stream consumer runs it in AWS.
const { dataDir, runtime } = await startBenchRuntime('aws-calls', { eventWatch: false });

try {
  const cfg = config();
  // The very clients the wiring built for the handlers (one per options, shared).
  const dynamo = createDynamoDbClients({ region: cfg.region, endpoint: cfg.tables.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  countOn(dynamo.client.middlewareStack as unknown as AnyMiddlewareStack, 'DynamoDB');
  const indexedTables = new Map<string, IndexedTable>(
    tableDefinitions
      .filter((definition) => definition.globalSecondaryIndexes.length > 0)
      .map((definition) => [
        cfg.tables[definition.id as 'payments' | 'audit'],
        {
          keyNames: [definition.partitionKey.name, ...(definition.sortKey ? [definition.sortKey.name] : [])],
          indexes: definition.globalSecondaryIndexes.map((index) => ({ partitionKey: index.partitionKey.name, sortKey: index.sortKey.name })),
        },
      ]),
  );
  const reader = new DynamoDBClient({ region: cfg.region, endpoint: cfg.tables.endpoint, credentials: { accessKeyId: 'bench-reader', secretAccessKey: 'local' } });
  measureUnitsOn(dynamo.client.middlewareStack as unknown as AnyMiddlewareStack, reader, indexedTables);
  // Added last, so inside the count and the units: a transaction is one call, priced as one.
  const writer = createDynamoDbClients({ region: cfg.region, endpoint: cfg.tables.endpoint, credentials: { accessKeyId: 'bench-writer', secretAccessKey: 'local' } }).documentClient;
  transactionsOnDynalite(dynamo.client.middlewareStack as unknown as AnyMiddlewareStack, writer, reader, indexedTables);

  const runLetters = randomUUID().replace(/[^a-f]/g, '');
  let sequence = 0;
  // Letters and a counter: a random UUID could read as a card number (dashes ignored) and be refused.
  const newUniqueId = (label: string) => `${label}-${runLetters}-${(sequence += 1)}`;
  const rawBody = (uniqueId: string, accountId: string) => ({
    unique_id: uniqueId,
    account_id: accountId,
    amount: 10_400,
    currency: 'USD',
    short_description: 'Two coffees',
    fee: { app_fee: 400, fee_payer: 'payee_from_app' },
    payment_method: { type: 'credit_card', credit_card: { id: runtime.dev.credit_card_ids.success, auto_capture: true } },
  });

  // ── over HTTP, the real handlers ───────────────────────────────────────────
  const post = async (body: unknown) => {
    const response = await fetch(`${runtime.apiUrl}/v1/checkouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.dev.tokens.payer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`POST /v1/checkouts: HTTP ${response.status}`);
  };
  const httpReplayBody = rawBody(newUniqueId('http-replay'), runtime.dev.account_id);
  await post(httpReplayBody);
  let before = snapshot();
  for (let i = 0; i < requests; i++) await post(rawBody(newUniqueId('http'), runtime.dev.account_id));
  const httpNew = diff(before, snapshot(), requests);
  before = snapshot();
  for (let i = 0; i < requests; i++) await post(httpReplayBody);
  const httpReplay = diff(before, snapshot(), requests);
  const getJson = async (path: string) => {
    const response = await fetch(`${runtime.apiUrl}${path}`, { headers: { authorization: `Bearer ${runtime.dev.tokens.payer}` } });
    const json = (await response.json()) as { id?: string; data?: { id: string }[] };
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return json;
  };
  const someCheckout = (await getJson('/v1/checkouts?limit=1')).data![0]!.id;
  before = snapshot();
  for (let i = 0; i < requests; i++) await getJson(`/v1/checkouts/${someCheckout}`);
  const httpGet = diff(before, snapshot(), requests);
  before = snapshot();
  for (let i = 0; i < requests; i++) await getJson('/v1/checkouts?limit=20');
  const httpList = diff(before, snapshot(), requests);
  if (httpNew.size === 0) throw new Error('No DynamoDB call was counted: the wiring did not share the counted client');

  // ── in-process, the AWS adapters ───────────────────────────────────────────
  const secretString = await readFile(localSecretsPath(dataDir), 'utf8');
  const kms = localKms();
  const secretsManager = localSecretsManager(secretString);
  /** `transactions`: as in AWS, a new checkout's writes go with its stored answer in one transaction; otherwise step by step, as locally. */
  const awsInstance = ({ transactions = true } = {}) => {
    const secrets = secretsManagerPlatformSecrets({ secretId, maxAgeSeconds: cfg.secretsCacheSeconds, secretsProvider: new SecretsProvider({ awsSdkV3Client: secretsManager }) });
    const provider = wepayClientFromConfig(cfg, secrets);
    const vault = kmsTokenVault({ keyArn, region, kmsClient: kms });
    const merchants = new DynamoDbMerchantRepository({ client: dynamo.documentClient, tableName: cfg.tables.payments });
    return {
      merchantDeps: { merchants, provider, vault, clock: systemClock },
      checkoutDeps: {
        checkouts: new DynamoDbCheckoutRepository({ client: dynamo.documentClient, tableName: cfg.tables.payments }),
        merchants,
        provider,
        vault,
        clock: systemClock,
        // As functions/wiring/provider.ts: the callback URI's route token comes from the platform secret (cached).
        callbackUri: async () => callbackUriFor('https://api.example.com', provider.name, await secrets.platformCredentials()),
        // As functions/handlers/ipn-process.ts: an IPN's change leaves a `provider:wepay` audit record.
        audit: {
          log: new DynamoDbAuditLog({ client: dynamo.documentClient, tableName: cfg.tables.audit, retentionDays: cfg.auditRetentionDays }),
          clock: systemClock,
          onWriteFailure: (error: unknown) => {
            throw error;
          },
        },
      },
      idempotencyDeps: { store: new DynamoDbIdempotencyStore({ client: dynamo.documentClient, tableName: cfg.tables.idempotency, transactions }), clock: systemClock, settings: cfg.idempotency },
    };
  };
  type Instance = ReturnType<typeof awsInstance>;

  // A merchant onboarded through the KMS vault, so its token is sealed under (the stand-in of) KMS.
  const merchant = { sub: `bench-merchant-${runLetters}` };
  before = snapshot();
  const account = await onboardMerchant(awsInstance().merchantDeps, { sub: merchant.sub, roles: ['merchant'] }, {
    email: 'bench@example.com',
    firstName: 'Bench',
    lastName: 'Merchant',
    account: { name: 'Bench Coffee House', description: 'Benchmarks' },
    originalIp: '127.0.0.1',
    originalDevice: 'bench',
  });
  const onboarding = diff(before, snapshot());

  const payer = { sub: `bench-payer-${runLetters}`, roles: ['payer' as const] };
  /** What functions/handlers/checkouts-create.ts does with a validated body: the same use case and renderer. */
  const handle = async (instance: Instance, raw: Record<string, unknown>) => {
    const body = createCheckoutRequest.parse(raw);
    const { response } = await createCheckoutOnce(
      { ...instance.checkoutDeps, idempotency: instance.idempotencyDeps },
      { principal: payer, input: createCheckoutInputFrom(body), asReceived: body },
      creationResponse(`req_${randomUUID()}`),
    );
    if (response.statusCode !== 201) throw new Error(`checkout: ${response.statusCode}`);
    return JSON.parse(JSON.stringify(response.body)) as { provider: { checkout_id: string } };
  };
  const measure = async (run: () => Promise<unknown>, n = 1) => {
    const start = snapshot();
    for (let i = 0; i < n; i++) await run();
    return diff(start, snapshot(), n);
  };

  const replayRaw = rawBody(newUniqueId('aws-replay'), account.id);
  const coldNew = await measure(() => handle(awsInstance(), rawBody(newUniqueId('aws-cold'), account.id)), Math.min(requests, 20));
  const warm = awsInstance();
  const warmFirst = await measure(() => handle(warm, replayRaw));
  const warmNew = await measure(() => handle(warm, rawBody(newUniqueId('aws-warm'), account.id)), requests);
  const warmReplay = await measure(() => handle(warm, replayRaw), requests);
  // The same creation step by step, as the local runtime makes it: what the transaction changes, measured.
  const warmStepwise = awsInstance({ transactions: false });
  await handle(warmStepwise, rawBody(newUniqueId('aws-stepwise-first'), account.id));
  const warmNewStepwise = await measure(() => handle(warmStepwise, rawBody(newUniqueId('aws-stepwise'), account.id)), requests);
  // The HTTP creation as in AWS: the local runtime's figures (dynalite: step by step) and the transaction's difference.
  const httpNewInAws = new Map(httpNew);
  for (const key of new Set([...warmNew.keys(), ...warmNewStepwise.keys()])) {
    const value = (httpNew.get(key) ?? 0) + (warmNew.get(key) ?? 0) - (warmNewStepwise.get(key) ?? 0);
    if (Math.abs(value) < 1e-9) httpNewInAws.delete(key);
    else httpNewInAws.set(key, value);
  }
  const coldReplay = await measure(() => handle(awsInstance(), replayRaw), Math.min(requests, 20));

  // IPNs, processed as the IPN processor does (its notice from the queue), on checkouts of this merchant.
  const ipnCheckouts: string[] = [];
  for (let i = 0; i < Math.min(requests, 20); i++) ipnCheckouts.push((await handle(warm, rawBody(newUniqueId('aws-ipn'), account.id))).provider.checkout_id);
  const notice = (checkoutId: string) => ({ provider: 'wepay', checkoutId, receivedAt: new Date().toISOString() }) as Parameters<typeof processIpn>[1];
  for (const id of ipnCheckouts) await processIpn(warm.checkoutDeps, notice(id)); // settle what creation left pending
  let next = 0;
  const ipnUnchanged = await measure(async () => {
    await processIpn(warm.checkoutDeps, notice(ipnCheckouts[next++ % ipnCheckouts.length]!));
  }, ipnCheckouts.length);
  next = 0;
  const ipnChanged = await measure(async () => {
    const id = ipnCheckouts[next++]!;
    const moved = await fetch(`${runtime.sandboxUrl}/__sandbox/checkouts/${id}/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'captured' }) });
    if (!moved.ok) throw new Error(`sandbox state change: HTTP ${moved.status}`);
    if ((await processIpn(warm.checkoutDeps, notice(id))) !== 'updated') throw new Error('the IPN did not update the checkout');
  }, ipnCheckouts.length);

  // ── the events publisher, as the stream consumer runs it in AWS ────────────
  // Per checkout write that records changes (a creation; an IPN that moves it): the
  // write's new change entries become events (each: the endpoints read, the event
  // stored, one EventBridge entry). No webhook endpoint is registered, so no delivery is
  // queued: deliveries depend on how many endpoints a platform registers (docs/cost.md).
  let busEntries = 0;
  const publishDeps = {
    events: new DynamoDbEventStore({ client: dynamo.documentClient, tableName: cfg.tables.payments }),
    endpoints: new DynamoDbWebhookEndpoints({ client: dynamo.documentClient, tableName: cfg.tables.payments }),
    queue: { send: async () => { throw new Error('No delivery is queued without an endpoint'); } },
    bus: { publish: async (entries: readonly unknown[]) => { busEntries += entries.length; } },
    clock: systemClock,
    render: eventRenderer,
  };
  const publishedBefore = busEntries;
  next = 0;
  const recentCheckouts = (await getJson(`/v1/checkouts?limit=${Math.min(requests, 20)}`)).data!.map((c) => c.id);
  const images = await Promise.all(recentCheckouts.map(async (id) => (await warm.checkoutDeps.checkouts.get(id))!));
  const publishCreate = await measure(async () => {
    await publishCheckoutChanges(publishDeps, images[next++ % images.length]!, 0);
  }, images.length);
  const eventsPerCreate = (busEntries - publishedBefore) / images.length;
  // The IPNs above each moved their checkout by one change entry: its events, as the stream delivers that write.
  const moved = await Promise.all(ipnCheckouts.map(async (id) => (await warm.checkoutDeps.checkouts.getByProviderCheckoutId(warm.checkoutDeps.provider.name, id))!));
  const busBeforeIpn = busEntries;
  next = 0;
  const publishIpn = await measure(async () => {
    const checkout = moved[next++]!;
    await publishCheckoutChanges(publishDeps, checkout, Math.max(...checkout.changes.map((c) => c.version)) - 1);
  }, moved.length);
  const eventsPerIpn = (busEntries - busBeforeIpn) / moved.length;

  // ── the table ──────────────────────────────────────────────────────────────
  const services: Service[] = ['DynamoDB', 'KMS', 'Secrets Manager'];
  const cell = (figures: Map<string, number>, service: Service) => {
    const entries = [...figures].filter(([key]) => key.startsWith(`${service}:`));
    const total = entries.reduce((sum, [, n]) => sum + n, 0);
    if (total === 0) return '0';
    const detail = entries.map(([key, n]) => `${key.slice(service.length + 1)} ${Number(n.toFixed(2))}`).join(', ');
    return `**${Number(total.toFixed(2))}** (${detail})`;
  };
  const units = (figures: Map<string, number>) =>
    `${Number((figures.get('DynamoDB units:WRU') ?? 0).toFixed(2))} / ${Number((figures.get('DynamoDB units:RRU') ?? 0).toFixed(2))}`;
  const row = (label: string, figures: Map<string, number>, local = false) =>
    `| ${label} | ${services.map((s) => (local && s !== 'DynamoDB' ? 'n/a (local)' : cell(figures, s))).join(' | ')} | ${units(figures)} |`;

  console.log(`AWS calls per request (node ${process.version}; averages over ${requests} requests, cold rows over ${Math.min(requests, 20)} fresh instances)`);
  console.log('| request | DynamoDB | KMS | Secrets Manager | DynamoDB WRU / RRU |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(row('HTTP, local runtime: new checkout (dynalite: step by step)', httpNew, true));
  console.log(row('HTTP, new checkout as in AWS (the row above, plus the two AWS-adapter rows\' difference below)', httpNewInAws, true));
  console.log(row('HTTP, local runtime: replay', httpReplay, true));
  console.log(row('HTTP, local runtime: GET /v1/checkouts/{id}', httpGet, true));
  console.log(row('HTTP, local runtime: GET /v1/checkouts?limit=20', httpList, true));
  console.log(row('AWS adapters, cold instance: new checkout', coldNew));
  console.log(row('AWS adapters, warm: first new checkout of this instance', warmFirst));
  console.log(row('AWS adapters, warm: new checkout (one transaction stores it with the answer)', warmNew));
  console.log(row('AWS adapters, warm: new checkout step by step (as on dynalite)', warmNewStepwise));
  console.log(row('AWS adapters, warm: replay', warmReplay));
  console.log(row('AWS adapters, cold instance: replay', coldReplay));
  console.log(row('AWS adapters, warm: IPN, checkout unchanged', ipnUnchanged));
  console.log(row('AWS adapters, warm: IPN, checkout moved (captured)', ipnChanged));
  console.log(row(`events publisher (stream), per creation: ${Number(eventsPerCreate.toFixed(2))} events`, publishCreate));
  console.log(row(`events publisher (stream), per IPN that moved the checkout: ${Number(eventsPerIpn.toFixed(2))} events`, publishIpn));
  console.log(row('(once per merchant) onboarding, for reference', onboarding));
  console.log('\nWrite and read units as DynamoDB charges them on demand, reported by dynalite (ReturnConsumedCapacity); a write refused by its condition counted as 1 WRU.');
  // Units per call of each item kind over the whole run: what the floor's writes weigh (cost.ts).
  const unitsPerCall = Object.fromEntries(
    [...counts].filter(([key]) => key.startsWith('DynamoDB item:') && key.endsWith(':calls')).map(([key, n]) => [key.slice('DynamoDB item:'.length, -':calls'.length), (counts.get(key.replace(/:calls$/, ':units')) ?? 0) / n]),
  );
  console.log(`Units per call by item (whole run): ${Object.entries(unitsPerCall).map(([kind, units]) => `${kind} ${Number(units.toFixed(2))}`).join('; ')}`);

  const resultFile = process.env.BENCH_RESULT_FILE ?? defaultAwsCallsFile;
  const asObject = (figures: Map<string, number>) => Object.fromEntries(figures);
  await mkdir(dirname(resultFile), { recursive: true });
  await writeFile(resultFile, JSON.stringify({
    measuredAt: new Date().toISOString(),
    requests,
    perOperation: {
      // Through the whole HTTP pipeline (velocity checks and the audit record included), as in AWS.
      create: asObject(httpNewInAws),
      replay: asObject(httpReplay),
      createAdapters: asObject(warmNew),
      createColdInstance: asObject(coldNew),
      get: asObject(httpGet),
      list: asObject(httpList),
      ipnUnchanged: asObject(ipnUnchanged),
      ipnChanged: asObject(ipnChanged),
      publishCreate: asObject(publishCreate),
      publishIpn: asObject(publishIpn),
    },
    eventsPerCreate,
    eventsPerIpn,
    unitsPerCall,
  }, null, 2));
  console.log(`\nWritten to ${resultFile} (bench/cost.ts reads it).`);
} finally {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}
