// Size and load time of each Lambda bundle: `npx tsx bench/bundle-size.ts [runs=5]`.
// Builds every handler with the CDK app's esbuild settings (bundleSettings in
// lib/constructs/payments-function.ts), and a baseline bundle holding only the
// DynamoDB client (bench/baseline/dynamodb-only.ts). Then, in `runs` rounds, imports
// each bundle in a fresh Node process (every bundle once per round, so load drifts
// hit all alike) and prints, per function: size against its budget, median import
// time and its ratio to the baseline's, the CPU time of the import, the RSS after it,
// and the memory size the CDK app gives the function with the import's CPU time
// scaled to that memory's CPU share (Lambda: 1,769 MB = one vCPU). Last, the
// variants behind the bundling choices (source maps, keepNames, the SDK's credential
// chain, the SDK external), on checkouts-create.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { bundleSettings, esbuildOptionsFor, handlerEntry, handlersDir, memorySizeFor } from '#lib/constructs/payments-function.ts';
import { median } from './shared.ts';

const runs = Number(process.argv[2] ?? 5);
const outDir = mkdtempSync(join(tmpdir(), 'bundles-'));
const baselineEntry = fileURLToPath(new URL('./baseline/dynamodb-only.ts', import.meta.url));
const handlers = readdirSync(handlersDir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
/** The issue's budgets: 350 KiB, 800 KiB with the Encryption SDK; import ≤ 1.3× the baseline, 1.6× with it. */
const budget = (encryption: boolean) => (encryption ? { kib: 800, ratio: 1.6 } : { kib: 350, ratio: 1.3 });
const vcpuMb = 1769;

// Settings that exist in Lambda; the loaded module builds nothing until invoked.
const env = {
  ...process.env,
  PAYMENTS_RUNTIME: 'aws',
  AUTH_JWKS: 'https://example.invalid/jwks.json',
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface Bundle {
  name: string;
  file: string;
  kib: number;
  encryption: boolean;
  xray: boolean;
  nodeOptions?: string[];
}

async function bundle(name: string, entry: string, overrides: BuildOptions = {}): Promise<Bundle> {
  const outfile = join(outDir, name, 'index.mjs');
  const result = await build({ ...esbuildOptionsFor(entry), outfile, metafile: true, logLevel: 'error', ...overrides });
  // The packages whose code is in the output: the metafile's `inputs` also lists what was
  // parsed and then tree-shaken away (the Encryption SDK in a function that never builds a vault).
  const [output] = Object.values(result.metafile!.outputs);
  const inputs = Object.entries(output!.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input);
  return {
    name,
    file: outfile,
    kib: statSync(outfile).size / 1024,
    encryption: inputs.some((input) => input.includes('node_modules/@aws-crypto/')),
    xray: inputs.some((input) => input.includes('node_modules/aws-xray-sdk-core/')),
  };
}

interface Load {
  ms: number;
  cpuMs: number;
  rssMiB: number;
}

function load(b: Bundle): Load {
  const script = `const c=process.cpuUsage(),t=performance.now(); await import(${JSON.stringify(b.file)}); const ms=performance.now()-t, u=process.cpuUsage(c); console.log(JSON.stringify({ms, cpuMs:(u.user+u.system)/1000, rssMiB:process.memoryUsage().rss/1048576}));`;
  let out: string;
  try {
    out = execFileSync(process.execPath, [...(b.nodeOptions ?? []), '--input-type=module', '-e', script], { env, cwd: outDir, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`${b.name} does not load: ${stderr.split('\n').filter((line) => /Error|at /.test(line)).slice(0, 6).join('\n').slice(0, 1500)}`);
  }
  return JSON.parse(out.split('\n').at(-1)!) as Load;
}

function measure(bundles: Bundle[]): Map<string, Load> {
  const samples = new Map<string, Load[]>(bundles.map((b) => [b.name, []]));
  for (let round = 0; round < runs; round++) for (const b of bundles) samples.get(b.name)!.push(load(b));
  return new Map(
    [...samples].map(([name, loads]) => [name, { ms: median(loads.map((l) => l.ms)), cpuMs: median(loads.map((l) => l.cpuMs)), rssMiB: median(loads.map((l) => l.rssMiB)) }]),
  );
}

try {
  const baseline = await bundle('baseline (DynamoDB client only)', baselineEntry);
  const functions = await Promise.all(handlers.map((name) => bundle(name, handlerEntry(name))));
  const loads = measure([baseline, ...functions]);
  const base = loads.get(baseline.name)!;

  console.log(`Bundles (esbuild ${bundleSettings.target}, minified, no source map) and median import over ${runs} fresh processes each, node ${process.version}`);
  // The CPU time of the import is steadier than its wall time on a loaded machine: both ratios are printed.
  console.log('| function | bundle | budget | import | × baseline | budget | import CPU | CPU × baseline | RSS | memory | import at its CPU share |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  console.log(`| ${baseline.name} | ${baseline.kib.toFixed(0)} KiB | | ${base.ms.toFixed(1)} ms | 1.00 | | ${base.cpuMs.toFixed(0)} ms | 1.00 | ${base.rssMiB.toFixed(0)} MiB | | |`);
  let sizeMet = 0;
  let ratioMet = 0;
  for (const b of functions) {
    const l = loads.get(b.name)!;
    const limit = budget(b.encryption);
    const ratio = l.ms / base.ms;
    const memory = memorySizeFor(b.name);
    if (b.kib <= limit.kib) sizeMet += 1;
    if (ratio <= limit.ratio) ratioMet += 1;
    const tags = [b.encryption ? 'Encryption SDK' : '', b.xray ? 'X-Ray SDK' : ''].filter(Boolean).join(', ');
    console.log(
      `| ${b.name}${tags ? ` (${tags})` : ''} | ${b.kib.toFixed(0)} KiB | ${b.kib <= limit.kib ? 'ok' : 'over'} ≤ ${limit.kib} | ${l.ms.toFixed(1)} ms | ${ratio.toFixed(2)} | ${ratio <= limit.ratio ? 'ok' : 'over'} ≤ ${limit.ratio} | ${l.cpuMs.toFixed(0)} ms | ${(l.cpuMs / base.cpuMs).toFixed(2)} | ${l.rssMiB.toFixed(0)} MiB | ${memory} MB | ${((l.cpuMs * vcpuMb) / memory).toFixed(0)} ms |`,
    );
  }
  console.log(`\nSize budget met by ${sizeMet} of ${functions.length} functions; import ratio budget by ${ratioMet} of ${functions.length}.`);

  // ── the choices, on the function with the most on the checkout path ──────────
  const subject = 'checkouts-create';
  const entry = handlerEntry(subject);
  const variants: Bundle[] = [
    { ...(await bundle(`${subject}: as deployed`, entry)) },
    { ...(await bundle(`${subject}: with keepNames`, entry, { keepNames: true })) },
    { ...(await bundle(`${subject}: SDK's full credential chain`, entry, { alias: {} })) },
    { ...(await bundle(`${subject}: source map + --enable-source-maps`, entry, { sourcemap: 'external' })), nodeOptions: ['--enable-source-maps'] },
    { ...(await bundle(`${subject}: AWS SDK external (the runtime's copy)`, entry, { external: ['@aws-sdk/*', '@smithy/*'] })) },
  ];
  // The external variant resolves the SDK from this project's node_modules, as the runtime would from its own.
  const external = variants.at(-1)!;
  const inProject = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-external.mjs');
  execFileSync('cp', [external.file, inProject]);
  external.file = inProject;
  try {
    const variantLoads = measure(variants);
    const reference = variantLoads.get(variants[0]!.name)!;
    console.log(`\nBundling choices (${subject}; median over ${runs} fresh processes each)`);
    console.log('| variant | bundle | map | import | × as deployed |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const v of variants) {
      const l = variantLoads.get(v.name)!;
      const map = v.nodeOptions ? `${(statSync(`${v.file}.map`).size / 1048576).toFixed(1)} MiB` : '';
      console.log(`| ${v.name} | ${v.kib.toFixed(0)} KiB | ${map} | ${l.ms.toFixed(1)} ms | ${(l.ms / reference.ms).toFixed(2)} |`);
    }
  } finally {
    rmSync(inProject, { force: true });
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
