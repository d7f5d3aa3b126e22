// Size and load time of each Lambda bundle: `npx tsx bench/bundle-size.ts`.
// Builds every handler of the route table (and the non-route functions) with the
// esbuild settings the CDK app uses, then loads each bundle in a fresh Node
// process several times and prints the median time to import it: the part of a
// cold start that the code controls (Lambda adds its own runtime start-up).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleSettings, handlersDir } from '#lib/constructs/payments-function.ts';

const runs = Number(process.argv[2] ?? 5);
const outDir = mkdtempSync(join(tmpdir(), 'bundles-'));
const handlers = readdirSync(handlersDir).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
// Settings that exist in Lambda; the loaded module builds nothing until invoked.
const env = { ...process.env, PAYMENTS_RUNTIME: 'aws', AUTH_JWKS: 'https://example.invalid/jwks.json', AWS_REGION: 'us-east-1' };

const rows: string[] = [];
for (const name of handlers) {
  const outfile = join(outDir, name, 'index.mjs');
  await build({
    entryPoints: [join(handlersDir, `${name}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    target: bundleSettings.target,
    platform: bundleSettings.platform,
    minify: bundleSettings.minify,
    mainFields: [...bundleSettings.mainFields],
    banner: { js: bundleSettings.banner },
    logLevel: 'error',
  });
  const kib = statSync(outfile).size / 1024;
  const loads: number[] = [];
  for (let i = 0; i < runs; i++) {
    const script = `const t=performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now()-t);`;
    loads.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString().trim()));
  }
  rows.push(`| ${name} | ${kib.toFixed(0)} KiB | ${median(loads).toFixed(1)} ms |`);
}
console.log(`Bundles (esbuild ${bundleSettings.target}, minified, no source map) and median import time over ${runs} fresh processes, node ${process.version}`);
console.log('| function | bundle | import |');
console.log('| --- | --- | --- |');
console.log(rows.join('\n'));
