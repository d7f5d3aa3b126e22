// Latency and throughput of the API through the local runtime (API Gateway stand-in →
// authorizer → handler → DynamoDB on dynalite → WePay client → sandbox) against the
// direct /v2/checkout/create call to the same sandbox and a bare node:http server
// answering a fixed JSON body, and one DynamoDB read through the SDK to dynalite (what
// each of a request's DynamoDB calls costs here), all in the same run: the ratios are
// the backend's overhead.
//   npx tsx bench/checkouts.ts [sequential=200] [throughput=200] [--xray-hooks]
// Sequential: after 20 warm-ups of each kind, N of each series interleaved (new
// checkout, replay, get, list, direct, bare), so drift hits all alike. Throughput:
// 10 clients each sending requests back to back until `throughput` requests of the
// series are done. `--xray-hooks` loads the X-Ray SDK in automatic mode first, as a
// function with the Powertools Tracer would in Lambda: cls-hooked's async hooks on every
// promise of the process (no function loads it now; the dev dependency stays for this
// measurement); bench/tracer-hooks.ts compares the two. With
// BENCH_RESULT_FILE set, the figures are also written there as JSON.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const xrayHooks = process.argv.includes('--xray-hooks');
const [sequentialArg, throughputArg] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (xrayHooks) {
  delete process.env.AWS_XRAY_MANUAL_MODE;
  await import('aws-xray-sdk-core');
} else {
  process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
}
process.env.LOG_LEVEL ??= 'ERROR';
const { startBenchRuntime } = await import('./bench-runtime.ts');
const { ensureLocalSecrets } = await import('#local/secrets-file.ts');
const { config } = await import('#functions/config.ts');
const { createDynamoDbClients } = await import('#functions/adapters/dynamodb/clients.ts');
const { DynamoDbCheckoutRepository } = await import('#functions/adapters/dynamodb/checkout-repository.ts');

const sequential = Number(sequentialArg ?? 200);
const throughputRequests = Number(throughputArg ?? 200);
const clients = 10;
const warmup = 20;
// Readable unique_ids: the run's letters and a counter.
const runId = randomUUID().replace(/[^a-f]/g, '');
let sequence = 0;
const newUniqueId = (label: string) => `${label}-${runId}-${(sequence += 1)}`;

const { dataDir, runtime } = await startBenchRuntime('bench');
// The floor of any HTTP answer on this machine: a server that only writes a fixed body.
const bare = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

try {
  const { dev, apiUrl, sandboxUrl } = runtime;
  const { credentials } = await ensureLocalSecrets(dataDir);

  const apiBody = (uniqueId: string) => ({
    unique_id: uniqueId,
    account_id: dev.account_id,
    amount: 10_400,
    currency: 'USD',
    short_description: 'Two coffees',
    fee: { app_fee: 400, fee_payer: 'payee_from_app' },
    payment_method: { type: 'credit_card', credit_card: { id: dev.credit_card_ids.success, auto_capture: true } },
  });
  const call = async (url: string, expected: number, token?: string, body?: unknown) => {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, any>;
    if (response.status !== expected) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  };

  // The demo account's provider id, as the backend sends it, read from a checkout the API made.
  const first = await call(`${apiUrl}/v1/checkouts`, 201, dev.tokens.payer, apiBody(newUniqueId('bench')));
  const providerCheckout = (await (await fetch(`${sandboxUrl}/__sandbox/checkouts/${first.provider.checkout_id}`)).json()) as { account_id: number };
  // What the WePay client sends for the same checkout (the sandbox accepts the app token on any account).
  const directBody = (uniqueId: string) => ({
    account_id: providerCheckout.account_id,
    short_description: 'Two coffees',
    type: 'goods',
    amount: 104.0,
    currency: 'USD',
    fee: { app_fee: 4.0, fee_payer: 'payee_from_app' },
    unique_id: uniqueId,
    payment_method: { type: 'credit_card', credit_card: { id: Number(dev.credit_card_ids.success), auto_capture: true } },
  });
  const replayBody = apiBody(newUniqueId('replay'));
  await call(`${apiUrl}/v1/checkouts`, 201, dev.tokens.payer, replayBody);

  // One DynamoDB call on its own, as every request makes them: the checkout repository's
  // read through the SDK client the handlers share, to the runtime's dynalite.
  const cfg = config();
  const { documentClient } = createDynamoDbClients({ region: cfg.region, endpoint: cfg.tables.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const checkouts = new DynamoDbCheckoutRepository({ client: documentClient, tableName: cfg.tables.payments });
  const readOne = async () => {
    if (!(await checkouts.get(first.id as string))) throw new Error('the first checkout was not found');
  };

  const series: Record<string, () => Promise<unknown>> = {
    'bare node:http server': () => call(bareUrl, 200),
    'one DynamoDB GetItem (SDK → dynalite)': readOne,
    'direct POST /v2/checkout/create': () => call(`${sandboxUrl}/v2/checkout/create`, 200, credentials.appAccessToken, directBody(newUniqueId('direct'))),
    'API POST /v1/checkouts, new': () => call(`${apiUrl}/v1/checkouts`, 201, dev.tokens.payer, apiBody(newUniqueId('bench'))),
    'API POST /v1/checkouts, replay': () => call(`${apiUrl}/v1/checkouts`, 201, dev.tokens.payer, replayBody),
    'API GET /v1/checkouts/{id}': () => call(`${apiUrl}/v1/checkouts/${first.id}`, 200, dev.tokens.payer),
    'API GET /v1/checkouts?limit=20': () => call(`${apiUrl}/v1/checkouts?limit=20`, 200, dev.tokens.payer),
  };
  const names = Object.keys(series);

  const timed = async (run: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

  for (let i = 0; i < warmup; i++) for (const name of names) await series[name]!();

  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let i = 0; i < sequential; i++) for (const name of names) samples.get(name)!.push(await timed(series[name]!));

  /** `clients` loops sending back to back until `total` requests are done: requests per second. */
  const throughput = async (run: () => Promise<unknown>, total: number) => {
    let sent = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      while (sent < total) {
        sent += 1;
        await run();
      }
    }));
    return total / ((performance.now() - started) / 1000);
  };
  const rates = new Map<string, number>();
  for (const name of names) rates.set(name, await throughput(series[name]!, throughputRequests));

  const result = Object.fromEntries(names.map((name) => {
    const sorted = [...samples.get(name)!].sort((a, b) => a - b);
    return [name, { p50: percentile(sorted, 50), p99: percentile(sorted, 99), perSecond: rates.get(name)! }];
  }));
  const direct = result['direct POST /v2/checkout/create']!;
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  console.log(`Through the local runtime vs the direct sandbox call (node ${process.version}; ${sequential} sequential of each, interleaved, after ${warmup} warm-ups; throughput: ${clients} clients, ${throughputRequests} requests per series${xrayHooks ? '; X-Ray SDK hooks ON' : ''})`);
  console.log('| series | p50 | p99 | p50 × direct | p99 × direct | req/s at 10 clients | × direct |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const name of names) {
    const r = result[name]!;
    console.log(`| ${name} | ${ms(r.p50)} | ${ms(r.p99)} | ${(r.p50 / direct.p50).toFixed(1)}× | ${(r.p99 / direct.p99).toFixed(1)}× | ${r.perSecond.toFixed(0)} | ${(r.perSecond / direct.perSecond).toFixed(3)} |`);
  }
  const created = result['API POST /v1/checkouts, new']!;
  const replayed = result['API POST /v1/checkouts, replay']!;
  console.log(`\nTargets: new checkout p50 ${(created.p50 / direct.p50).toFixed(1)}× direct (≤ 8×: ${created.p50 / direct.p50 <= 8 ? 'met' : 'not met'}); replay ${(replayed.p50 / direct.p50).toFixed(1)}× (≤ 3×: ${replayed.p50 / direct.p50 <= 3 ? 'met' : 'not met'}); creates/s at 10 clients ${created.perSecond.toFixed(0)} (≥ 5× the issue's 21–31/s, i.e. ≥ 155: ${created.perSecond >= 155 ? 'met' : 'not met'}).`);
  if (process.env.BENCH_RESULT_FILE) await writeFile(process.env.BENCH_RESULT_FILE, JSON.stringify({ xrayHooks, result }));
} finally {
  await new Promise((resolve) => bare.close(resolve));
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}
