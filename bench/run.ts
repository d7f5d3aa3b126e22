// `npm run bench`: every bench in bench/, one after the other, each in a child
// process of its own (each starts its own runtime and sets process.env), with
// small sizes so the whole run takes a few minutes; then one summary table.
//   npm run bench              small sizes (below)
//   npm run bench -- --full    each bench's own defaults (bench/README.md)
//   npm run bench -- checkouts only the benches whose file name contains a word
// A new bench file is picked up as it is; give it small sizes here.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
/** Not benches: this runner and the shared helpers. */
const helpers = new Set(['run.ts', 'bench-runtime.ts', 'shared.ts']);
/** Arguments for a quick run (see each script's header for their meaning). */
const smallSizes: Record<string, string[]> = {
  'checkouts.ts': ['50', '100'],
  'aws-calls.ts': ['10'],
  'tracer-hooks.ts': ['30', '60'],
  'kms-calls.ts': ['100', '5'],
  // 3 processes a function let the import ratios of same-size functions move by ±0.3 between runs.
  'bundle-size.ts': ['9'],
};
/** A bench that has not finished by then is stopped and reported. */
const benchTimeoutMs = 10 * 60_000;

const args = process.argv.slice(2);
const full = args.includes('--full');
const filters = args.filter((arg) => !arg.startsWith('--'));
const benches = readdirSync(dir)
  .filter((name) => name.endsWith('.ts') && !helpers.has(name))
  .filter((name) => filters.length === 0 || filters.some((word) => name.includes(word)))
  .sort();

interface Outcome {
  bench: string;
  args: string[];
  status: string;
  seconds: number;
}

function runBench(name: string, benchArgs: string[]): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    // tsx's loader in this same Node: one process per bench, no shell.
    const child = spawn(process.execPath, ['--import', 'tsx', `${dir}${name}`, ...benchArgs], {
      stdio: ['ignore', 'inherit', 'inherit'],
      // As npm start: the SDK's "future releases need Node 22" notice would bury the figures.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true' },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), benchTimeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const status = code === 0 ? 'ok' : signal === 'SIGKILL' ? `stopped after ${benchTimeoutMs / 60_000} min` : `failed (${signal ?? `exit ${code}`})`;
      resolve({ bench: name, args: benchArgs, status, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const outcomes: Outcome[] = [];
for (const name of benches) {
  const benchArgs = full ? [] : (smallSizes[name] ?? []);
  console.log(`\n## ${name} ${benchArgs.join(' ')}\n`);
  outcomes.push(await runBench(name, benchArgs));
}

console.log(`\n## Summary (${full ? 'full sizes' : 'small sizes; --full for the defaults'}, node ${process.version})\n`);
console.log('| bench | arguments | result | wall time |');
console.log('| --- | --- | --- | --- |');
for (const o of outcomes) console.log(`| ${o.bench} | ${o.args.join(' ') || '(defaults)'} | ${o.status} | ${o.seconds.toFixed(1)} s |`);
process.exitCode = outcomes.every((o) => o.status === 'ok') && outcomes.length > 0 ? 0 : 1;
