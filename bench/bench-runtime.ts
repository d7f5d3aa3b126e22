// What the benches measure against: the local runtime in a fresh data directory,
// with the sandbox's throttle off (a bench would otherwise time 1007 answers),
// nothing moving at the provider on its own, and no IPN callbacks (the IPN
// processor's calls would mix into the per-request counts). Imported after
// LOG_LEVEL is set.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '#local/runtime.ts';

/** `eventWatch: false`: the local stand-in for the table's stream publishes nothing as it is written. */
export async function startBenchRuntime(label: string, { eventWatch = true }: { eventWatch?: boolean } = {}) {
  // One payer from one address makes every request: limits high enough never to refuse,
  // while the checks (and their DynamoDB calls) still run as in production.
  for (const limit of ['VELOCITY_CREATES_PER_MINUTE', 'VELOCITY_DECLINES_PER_HOUR', 'VELOCITY_DECLINES_PER_CARD_PER_DAY', 'VELOCITY_CREATES_PER_IP_PER_MINUTE']) {
    process.env[limit] ??= '1000000';
  }
  const dataDir = await mkdtemp(join(tmpdir(), `payments-${label}-`));
  const runtime = await startLocalRuntime({
    dataDir,
    port: 0,
    sandboxPort: 0,
    sandbox: { lifecycle: { captureAfterMs: null, releaseAfterMs: null }, throttle: null },
    ipnCallbacks: false,
    ...(eventWatch ? {} : { events: { watch: false } }),
    log: () => undefined,
  });
  return { dataDir, runtime };
}
