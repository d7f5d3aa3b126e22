// What the benches measure against: the local runtime in a fresh data directory,
// with the sandbox's throttle off (a bench would otherwise time 1007 answers),
// nothing moving at the provider on its own, and no IPN callbacks (the IPN
// processor's calls would mix into the per-request counts). Imported after
// LOG_LEVEL is set.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '#local/runtime.ts';

export async function startBenchRuntime(label: string) {
  const dataDir = await mkdtemp(join(tmpdir(), `payments-${label}-`));
  const runtime = await startLocalRuntime({
    dataDir,
    port: 0,
    sandboxPort: 0,
    sandbox: { lifecycle: { captureAfterMs: null, releaseAfterMs: null }, throttle: null },
    ipnCallbacks: false,
    log: () => undefined,
  });
  return { dataDir, runtime };
}
