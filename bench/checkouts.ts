// Checkout creation latency through the local runtime (API Gateway stand-in →
// authorizer → handler → idempotency store and checkout record on dynalite →
// WePay client → sandbox) against direct /v2/checkout/create calls to the same
// sandbox, in the same run: the ratio is the backend's overhead.
//   npx tsx bench/checkouts.ts [sequential=200] [concurrent=50]
// Fresh data directory, sandbox throttle off (the bench would otherwise measure
// 1007s), nothing moving at the provider. Prints p50/p99 per series.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';

process.env.LOG_LEVEL ??= 'ERROR';
const { startBenchRuntime } = await import('./bench-runtime.ts');
const { ensureLocalSecrets } = await import('#local/secrets-file.ts');

const sequential = Number(process.argv[2] ?? 200);
const concurrent = Number(process.argv[3] ?? 50);
const warmup = 20;
// Readable unique_ids: the run's letters and a counter.
const runId = randomUUID().replace(/[^a-f]/g, '');
let sequence = 0;
const newUniqueId = (label: string) => `${label}-${runId}-${(sequence += 1)}`;

const { dataDir, runtime } = await startBenchRuntime('bench');

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
  const postJson = async (url: string, token: string, body: unknown, expected: number) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, any>;
    if (response.status !== expected) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  };

  // The demo account's provider id, as the backend sends it, read from a checkout the API made.
  const first = await postJson(`${apiUrl}/v1/checkouts`, dev.tokens.payer, apiBody(newUniqueId('bench')), 201);
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

  const series = {
    api: () => postJson(`${apiUrl}/v1/checkouts`, dev.tokens.payer, apiBody(newUniqueId('bench')), 201),
    direct: () => postJson(`${sandboxUrl}/v2/checkout/create`, credentials.appAccessToken, directBody(newUniqueId('direct')), 200),
  };
  const replayBody = apiBody(newUniqueId('replay'));
  await postJson(`${apiUrl}/v1/checkouts`, dev.tokens.payer, replayBody, 201);
  const replay = () => postJson(`${apiUrl}/v1/checkouts`, dev.tokens.payer, replayBody, 201);

  const timed = async (run: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    await run();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const summary = (samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
  };
  const runConcurrent = async (run: () => Promise<unknown>, n: number) => {
    const started = process.hrtime.bigint();
    const samples = await Promise.all(Array.from({ length: n }, () => timed(run)));
    return { ...summary(samples), wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
  };

  for (let i = 0; i < warmup; i++) {
    await series.api();
    await series.direct();
    await replay();
  }

  // Interleaved in blocks so that drift (GC, disk) hits both series alike.
  const apiSamples: number[] = [];
  const directSamples: number[] = [];
  const replaySamples: number[] = [];
  for (let i = 0; i < sequential; i++) {
    apiSamples.push(await timed(series.api));
    directSamples.push(await timed(series.direct));
    replaySamples.push(await timed(replay));
  }
  const apiSeq = summary(apiSamples);
  const directSeq = summary(directSamples);
  const replaySeq = summary(replaySamples);
  const apiConc = await runConcurrent(series.api, concurrent);
  const directConc = await runConcurrent(series.direct, concurrent);

  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
  console.log(`Checkout creation, local runtime vs direct sandbox call (node ${process.version}, ${sequential} sequential each, ${concurrent} concurrent; ${warmup} warm-up each)`);
  console.log('| series | n | p50 | p99 | ratio p50 | ratio p99 |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(`| direct POST /v2/checkout/create (sequential) | ${directSeq.n} | ${ms(directSeq.p50)} | ${ms(directSeq.p99)} | 1× | 1× |`);
  console.log(`| API POST /v1/checkouts, new (sequential) | ${apiSeq.n} | ${ms(apiSeq.p50)} | ${ms(apiSeq.p99)} | ${ratio(apiSeq.p50, directSeq.p50)} | ${ratio(apiSeq.p99, directSeq.p99)} |`);
  console.log(`| API POST /v1/checkouts, replay (sequential) | ${replaySeq.n} | ${ms(replaySeq.p50)} | ${ms(replaySeq.p99)} | ${ratio(replaySeq.p50, directSeq.p50)} | ${ratio(replaySeq.p99, directSeq.p99)} |`);
  console.log(`| direct, ${concurrent} concurrent | ${directConc.n} | ${ms(directConc.p50)} | ${ms(directConc.p99)} | 1× | 1× |`);
  console.log(`| API new, ${concurrent} concurrent | ${apiConc.n} | ${ms(apiConc.p50)} | ${ms(apiConc.p99)} | ${ratio(apiConc.p50, directConc.p50)} | ${ratio(apiConc.p99, directConc.p99)} |`);
  console.log(`Wall time of the concurrent batches: direct ${ms(directConc.wallMs)}, API ${ms(apiConc.wallMs)}.`);
  console.log('Overhead per new checkout at p50 (API − direct): ' + ms(apiSeq.p50 - directSeq.p50) + '.');
} finally {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}
