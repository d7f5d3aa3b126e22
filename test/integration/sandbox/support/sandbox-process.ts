// A sandbox in a process of its own, for tests that kill it: started on a free
// port with the data directory given as the first argument; prints
// `listening <url>` once it answers, and `flushed` after each SIGUSR2 (the
// explicit flush hook), so a test knows what is on disk before it kills it.
import { startSandbox } from '#local/sandbox/server.ts';
import { app } from '../sandbox-harness.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: sandbox-process.ts <dataDir>');
const sandbox = await startSandbox({ port: 0, dataDir, app, throttle: null, lifecycle: { captureAfterMs: null, releaseAfterMs: null } });
process.on('SIGUSR2', () => {
  sandbox.flush();
  process.stdout.write('flushed\n');
});
process.stdout.write(`listening ${sandbox.url}\n`);
