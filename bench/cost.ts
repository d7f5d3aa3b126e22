// Cost per million checkouts, from the AWS calls bench/aws-calls.ts measured and list
// prices, next to the floor of the same traffic: `npx tsx bench/cost.ts`.
// Reads $TMPDIR/payments-bench/aws-calls.json (or BENCH_AWS_CALLS_FILE); when it is
// missing, runs bench/aws-calls.ts first (10 requests). Memory sizes come from the CDK
// app (memorySizeFor). What cannot be measured without AWS is an assumption, named
// below with its value; the same assumptions price the floor, so the ratio is driven
// by what the code does: its calls, its memory, its extra invocations.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { memorySizeFor } from '#lib/constructs/payments-function.ts';
import { defaultAwsCallsFile } from './shared.ts';

const callsFile = process.env.BENCH_AWS_CALLS_FILE ?? defaultAwsCallsFile;
if (!existsSync(callsFile)) {
  execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./aws-calls.ts', import.meta.url)), '10'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BENCH_RESULT_FILE: callsFile } });
}
type Counts = Record<string, number>;
const measured = JSON.parse(readFileSync(callsFile, 'utf8')) as {
  measuredAt: string;
  perOperation: Record<string, Counts>;
  eventsPerCreate: number;
  eventsPerIpn: number;
  unitsPerCall: Record<string, number>;
};
const ops = measured.perOperation;
/** Measured units of one call writing or reading this item kind (bench/aws-calls.ts), e.g. `PutItem payments CHECKOUT`. */
function unitsOf(kind: string): number {
  const units = measured.unitsPerCall[kind];
  if (units === undefined) throw new Error(`${callsFile} has no units for ${kind}: run bench/aws-calls.ts again`);
  return units;
}

/** us-east-1 on-demand list prices (USD), free tiers ignored. */
const price = {
  apiGatewayRestPerMillion: 3.5,
  wafWebAcl: 5,
  wafRule: 1,
  /** The rules of the web ACL in lib/api/firewall.ts (3 rate rules, the body-size count, 6 rule groups). */
  wafRules: 10,
  wafPerMillionRequests: 0.6,
  /** Bot Control (common level), charged in count mode too; approximate list prices (docs/abuse-controls.md). */
  wafBotControlMonthly: 10,
  wafBotControlPerMillionRequests: 1,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamoPerMillionWru: 0.625,
  dynamoPerMillionRru: 0.125,
  kmsPer10k: 0.03,
  secretsPer10k: 0.05,
  sqsPerMillion: 0.4,
  eventBridgePerMillionEntries: 1,
};
/** Not measurable locally: the same values price the actual cost and the floor. */
const assume = {
  dynamoCallMs: 5, // one DynamoDB round trip in-region, p50
  providerCallMs: 300, // one WePay API call
  cpuMsAt1Vcpu: 5, // the handler's own work per invocation (JSON, validation, middy), at one vCPU
  coldStartShare: 0.01, // invocations that start an instance (KMS Decrypt and GetSecretValue once each)
  floorMemoryMb: 128,
};
const vcpuMb = 1769;

/** Per checkout (the traffic model of docs/cost.md): a quote, a creation, a get, a list, two IPNs that move it. */
const perCheckout = { quote: 1, create: 1, get: 1, list: 1, ipn: 2 };
const million = 1_000_000;

/** Calls and the write and read units DynamoDB charges for them, as measured. */
function dynamo(counts: Counts) {
  const calls = Object.entries(counts).filter(([key]) => key.startsWith('DynamoDB:')).reduce((sum, [, n]) => sum + n, 0);
  return { calls, wru: counts['DynamoDB units:WRU'] ?? 0, rru: counts['DynamoDB units:RRU'] ?? 0 };
}

interface Invocation {
  fn: string;
  count: number;
  dynamo: { calls: number; wru: number; rru: number };
  providerCalls: number;
}
function lambdaCost(invocations: Invocation[], memoryOf: (fn: string) => number, cpuMs: number) {
  let gbSeconds = 0;
  let requests = 0;
  for (const inv of invocations) {
    const memory = memoryOf(inv.fn);
    const ms = inv.dynamo.calls * assume.dynamoCallMs + inv.providerCalls * assume.providerCallMs + (cpuMs * vcpuMb) / Math.min(memory, vcpuMb);
    gbSeconds += inv.count * million * (memory / 1024) * (ms / 1000);
    requests += inv.count * million;
  }
  return { requests: (requests / million) * price.lambdaPerMillionRequests, duration: gbSeconds * price.lambdaArmPerGbSecond };
}

const apiRequests = perCheckout.quote + perCheckout.create + perCheckout.get + perCheckout.list + perCheckout.ipn;
const authorized = perCheckout.quote + perCheckout.create + perCheckout.get + perCheckout.list;
const apiGateway = apiRequests * price.apiGatewayRestPerMillion;
const waf =
  price.wafWebAcl +
  price.wafRule * price.wafRules +
  apiRequests * price.wafPerMillionRequests +
  price.wafBotControlMonthly +
  apiRequests * price.wafBotControlPerMillionRequests;
const none = { calls: 0, wru: 0, rru: 0 };

// ── actual: the measured calls ─────────────────────────────────────────────────
const actualInvocations: Invocation[] = [
  { fn: 'authorize', count: authorized, dynamo: none, providerCalls: 0 }, // a JWT: no DynamoDB call (agent tokens read their mandate)
  { fn: 'fees-quote', count: perCheckout.quote, dynamo: none, providerCalls: 0 },
  { fn: 'checkouts-create', count: perCheckout.create, dynamo: dynamo(ops.create!), providerCalls: 1 },
  { fn: 'checkouts-get', count: perCheckout.get, dynamo: dynamo(ops.get!), providerCalls: 0 },
  { fn: 'checkouts-list', count: perCheckout.list, dynamo: dynamo(ops.list!), providerCalls: 0 },
  { fn: 'ipn-receive', count: perCheckout.ipn, dynamo: none, providerCalls: 0 },
  { fn: 'ipn-process', count: perCheckout.ipn, dynamo: dynamo(ops.ipnChanged!), providerCalls: 1 },
  // The stream's consumer, once per write that records changes (one record per batch, the worst case).
  { fn: 'events-publish', count: perCheckout.create, dynamo: dynamo(ops.publishCreate!), providerCalls: 0 },
  { fn: 'events-publish', count: perCheckout.ipn, dynamo: dynamo(ops.publishIpn!), providerCalls: 0 },
];
const eventsPerCheckout = perCheckout.create * measured.eventsPerCreate + perCheckout.ipn * measured.eventsPerIpn;
const actualLambda = lambdaCost(actualInvocations, memorySizeFor, assume.cpuMsAt1Vcpu);
const sumDynamo = (invs: Invocation[]) => invs.reduce((sum, inv) => ({ wru: sum.wru + inv.count * inv.dynamo.wru, rru: sum.rru + inv.count * inv.dynamo.rru }), { wru: 0, rru: 0 });
const actualUnits = sumDynamo(actualInvocations);
const coldCounts = ops.createColdInstance ?? {};
const kmsPerCold = Object.entries(coldCounts).filter(([k]) => k.startsWith('KMS:')).reduce((s, [, n]) => s + n, 0);
const secretsPerCold = Object.entries(coldCounts).filter(([k]) => k.startsWith('Secrets Manager:')).reduce((s, [, n]) => s + n, 0);
const providerInvocations = perCheckout.create + perCheckout.ipn;
/** One column of the table: the same lines for this code and for the floor. */
function costLines(lambda: { requests: number; duration: number }, units: { wru: number; rru: number }, other: { kms: number; secrets: number; sqs: number }) {
  return {
    'API Gateway REST': apiGateway,
    WAF: waf,
    'Lambda requests': lambda.requests,
    'Lambda duration': lambda.duration,
    'DynamoDB writes': units.wru * price.dynamoPerMillionWru,
    'DynamoDB reads': units.rru * price.dynamoPerMillionRru,
    KMS: other.kms,
    'Secrets Manager': other.secrets,
    'SQS (IPN queue: send, receive, delete)': other.sqs,
    'EventBridge (one entry per event)': eventsPerCheckout * price.eventBridgePerMillionEntries,
  };
}
const actual = costLines(actualLambda, actualUnits, {
  kms: providerInvocations * million * assume.coldStartShare * kmsPerCold * (price.kmsPer10k / 10_000),
  secrets: providerInvocations * million * assume.coldStartShare * secretsPerCold * (price.secretsPer10k / 10_000),
  sqs: perCheckout.ipn * 3 * price.sqsPerMillion,
});

// ── floor: the same traffic, the fewest calls, the smallest functions ──────────
// Each floor write weighs what the same item weighs in this code (measured units per call).
const checkoutWrite = unitsOf('PutItem payments CHECKOUT');
const floorDynamo = (wru: number, calls: number, rru: number) => ({ calls, wru, rru });
const listUnits = dynamo(ops.list!).rru;
const floorInvocations: Invocation[] = [
  { fn: 'authorize', count: authorized, dynamo: none, providerCalls: 0 },
  { fn: 'fees-quote', count: perCheckout.quote, dynamo: none, providerCalls: 0 },
  // Idempotency key taken, the account read, the checkout written with its intent (issue 16's budget),
  // and the key completed with the answer, which a replay in one call needs (Powertools' reference
  // makes that update too): as a plain update, the cheapest way.
  {
    fn: 'checkouts-create',
    count: perCheckout.create,
    dynamo: floorDynamo(unitsOf('PutItem idempotency id') + checkoutWrite + unitsOf('UpdateItem idempotency id'), 4, 1),
    providerCalls: 1,
  },
  { fn: 'checkouts-get', count: perCheckout.get, dynamo: floorDynamo(0, 1, 1), providerCalls: 0 },
  { fn: 'checkouts-list', count: perCheckout.list, dynamo: floorDynamo(0, 1, listUnits), providerCalls: 0 },
  // An IPN that moves the checkout: read it and its merchant's credential, write it back.
  { fn: 'ipn', count: perCheckout.ipn, dynamo: floorDynamo(checkoutWrite, 3, 2), providerCalls: 1 },
  // Events exist in both columns (API.md: listed, fetched, redelivered): per write that records
  // changes, one invocation storing each event once (endpoints cached), one EventBridge entry each.
  { fn: 'events-publish', count: perCheckout.create, dynamo: floorDynamo(measured.eventsPerCreate * unitsOf('PutItem payments EVENT'), measured.eventsPerCreate, 0), providerCalls: 0 },
  { fn: 'events-publish', count: perCheckout.ipn, dynamo: floorDynamo(measured.eventsPerIpn * unitsOf('PutItem payments EVENT'), measured.eventsPerIpn, 0), providerCalls: 0 },
];
const floorLambda = lambdaCost(floorInvocations, () => assume.floorMemoryMb, 1);
const floorUnits = sumDynamo(floorInvocations);
const floor = costLines(floorLambda, floorUnits, { kms: 0, secrets: 0, sqs: 0 });

const total = (lines: Record<string, number>) => Object.values(lines).reduce((a, b) => a + b, 0);
const usd = (n: number) => `$${n.toFixed(2)}`;
console.log(`Cost per million checkouts (AWS calls measured ${measured.measuredAt}; per checkout: ${JSON.stringify(perCheckout)}; ${apiRequests} API requests, ${authorized} through the authorizer)`);
console.log('| item | this code | floor |');
console.log('| --- | --- | --- |');
for (const item of Object.keys(actual) as (keyof typeof actual)[]) console.log(`| ${item} | ${usd(actual[item])} | ${usd(floor[item])} |`);
const ratio = total(actual) / total(floor);
console.log(`| **total** | **${usd(total(actual))}** | **${usd(total(floor))}** |`);
console.log(`\nRatio ${ratio.toFixed(3)}× the floor (target ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'not met'}).`);
// The events pipeline is in both columns; without it the ratio is the request path's alone.
function eventsCost(invocations: Invocation[], memoryOf: (fn: string) => number, cpuMs: number) {
  const publisher = invocations.filter((inv) => inv.fn === 'events-publish');
  const lambda = lambdaCost(publisher, memoryOf, cpuMs);
  const units = sumDynamo(publisher);
  return lambda.requests + lambda.duration + units.wru * price.dynamoPerMillionWru + units.rru * price.dynamoPerMillionRru + eventsPerCheckout * price.eventBridgePerMillionEntries;
}
const actualWithoutEvents = total(actual) - eventsCost(actualInvocations, memorySizeFor, assume.cpuMsAt1Vcpu);
const floorWithoutEvents = total(floor) - eventsCost(floorInvocations, () => assume.floorMemoryMb, 1);
console.log(`Without the events pipeline (publisher, its writes, EventBridge) in either column: ${usd(actualWithoutEvents)} vs ${usd(floorWithoutEvents)}, ${(actualWithoutEvents / floorWithoutEvents).toFixed(2)}×.`);
console.log(`DynamoDB calls per checkout's life (create + get + list + 2 IPNs, and the events they publish): this code ${actualInvocations.reduce((s, i) => s + i.count * i.dynamo.calls, 0).toFixed(1)}, floor ${floorInvocations.reduce((s, i) => s + i.count * i.dynamo.calls, 0)}.`);
console.log(`Memory (MB): ${[...new Set(actualInvocations.map((i) => i.fn))].map((fn) => `${fn} ${memorySizeFor(fn)}`).join(', ')}; floor ${assume.floorMemoryMb}.`);
console.log(`Assumptions (the same for both columns): ${JSON.stringify(assume)}. Prices: ${JSON.stringify(price)}.`);
console.log('Not in either column (the same whatever the code does): storage, PITR, logs, X-Ray, alarms, dashboard, VPC, Cognito; webhook deliveries, which scale with the endpoints a platform registers (docs/cost.md has them).');
