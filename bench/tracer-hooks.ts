// What the X-Ray SDK's async hooks (cls-hooked, installed when the SDK loads in its
// automatic mode) cost on the request path: `npx tsx bench/tracer-hooks.ts [sequential=50] [throughput=100] [rounds=1]`.
// Runs bench/checkouts.ts in child processes alternately without and with
// `--xray-hooks` (the hooks are process-wide: they cannot be turned off within one
// process), and prints each series' p50 and throughput with the hooks against without.
// No function loads the X-Ray SDK any more (bench/README.md, "Decisions"); this is the
// measurement that decision rests on, and the reason the Tracer is still a dev dependency.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './shared.ts';

const [sequential = '50', throughput = '100', roundsArg = '1'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const script = fileURLToPath(new URL('./checkouts.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tracer-hooks-'));
type Figures = Record<string, { p50: number; p99: number; perSecond: number }>;

function run(hooks: boolean, round: number): Figures {
  const file = join(dir, `${hooks ? 'on' : 'off'}-${round}.json`);
  execFileSync(process.execPath, ['--import', 'tsx', script, sequential, throughput, ...(hooks ? ['--xray-hooks'] : [])], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, BENCH_RESULT_FILE: file },
  });
  return (JSON.parse(readFileSync(file, 'utf8')) as { result: Figures }).result;
}

try {
  const off: Figures[] = [];
  const on: Figures[] = [];
  for (let round = 0; round < rounds; round++) {
    off.push(run(false, round));
    on.push(run(true, round));
  }
  const series = Object.keys(off[0]!).filter((name) => name.startsWith('API'));
  console.log(`X-Ray SDK async hooks on the request path (node ${process.version}; ${rounds} round(s) of bench/checkouts.ts ${sequential} ${throughput}, without then with --xray-hooks)`);
  console.log('| series | p50 without | p50 with | with / without | req/s without | req/s with | with / without |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const name of series) {
    const p50Off = median(off.map((f) => f[name]!.p50));
    const p50On = median(on.map((f) => f[name]!.p50));
    const rateOff = median(off.map((f) => f[name]!.perSecond));
    const rateOn = median(on.map((f) => f[name]!.perSecond));
    console.log(`| ${name} | ${p50Off.toFixed(2)} ms | ${p50On.toFixed(2)} ms | ${(p50On / p50Off).toFixed(2)} | ${rateOff.toFixed(0)} | ${rateOn.toFixed(0)} | ${(rateOn / rateOff).toFixed(2)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
