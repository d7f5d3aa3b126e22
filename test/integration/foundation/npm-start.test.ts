// `npm start` as a user runs it (the start script: tsx local/main.ts), as a child
// process on free ports with its own data directory: it answers once dev.json is
// written, Ctrl-C stops everything, a restart keeps state, and a busy port gives
// a one-line error.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { processGroupAlive, spawnTracked, stopAllChildren, type Spawned } from '../../support/child-processes.ts';
import { freePort, newDataDir } from '../../support/local-runtime.ts';
import { waitFor } from '../../support/wait-for.ts';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

afterEach(async () => {
  // Each test stops what it started; anything still running is killed here and fails the test.
  expect(await stopAllChildren()).toEqual([]);
});

function npmStart(env: { PORT: number; SANDBOX_PORT: number; PAYMENTS_DATA_DIR: string }): Spawned {
  return spawnTracked(tsx, ['local/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(env.PORT), SANDBOX_PORT: String(env.SANDBOX_PORT), PAYMENTS_DATA_DIR: env.PAYMENTS_DATA_DIR },
  });
}

async function waitForDevJson(dataDir: string, started: Spawned): Promise<any> {
  const path = join(dataDir, 'dev.json');
  let exited = false;
  void started.exit.then(() => (exited = true));
  return waitFor(() => {
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
    if (exited) throw new Error(`npm start exited before writing dev.json: ${started.stderr()}`);
    return undefined;
  }, 'npm start to write dev.json', { timeoutMs: 120_000, intervalMs: 50 });
}

async function canListen(port: number): Promise<boolean> {
  const server: Server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sub as string;

it('serves health and a fee quote once dev.json is written, refuses a second start on its data directory, stops on Ctrl-C, and keeps its state, cards and ids across a restart', async () => {
  const dataDir = newDataDir('npm-start-');
  const ports = { PORT: await freePort(), SANDBOX_PORT: await freePort(), PAYMENTS_DATA_DIR: dataDir };

  const first = npmStart(ports);
  const dev = await waitForDevJson(dataDir, first);
  expect(dev.api_url).toBe(`http://127.0.0.1:${ports.PORT}`);
  expect(dev.sandbox_url).toBe(`http://127.0.0.1:${ports.SANDBOX_PORT}`);
  const health = await fetch(`${dev.api_url}/v1/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  const quote = await fetch(`${dev.api_url}/v1/fees/quote`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${dev.tokens.payer}` },
    body: JSON.stringify({ currency: 'USD', price: 10000, policy: { app_fee_bps: 400, payer_share_bps: 100 }, processing_fee_rate: { bps: 300, fixed: 0 } }),
  });
  expect(await quote.json()).toMatchObject({ merchant_net: 9700, processing_fee: 303 });
  expect(first.stdout()).toContain(dev.api_url);
  expect(typeof dev.client_id).toBe('string');
  expect(subOf(dev.tokens.merchant2)).not.toBe(subOf(dev.tokens.merchant));

  // A second npm start on the same data directory: one line naming it and the holder, non-zero exit.
  const intruder = npmStart({ PORT: await freePort(), SANDBOX_PORT: await freePort(), PAYMENTS_DATA_DIR: dataDir });
  expect((await intruder.exit).code).not.toBe(0);
  const refusal = intruder.stderr().split('\n').filter((line) => line.trim() !== '');
  expect(refusal).toHaveLength(1);
  expect(refusal[0]).toContain(dataDir);
  expect(refusal[0]).toMatch(/in use by process \d+/);
  // The first one still serves.
  expect((await fetch(`${dev.api_url}/v1/health`)).status).toBe(200);

  const key = readFileSync(join(dataDir, 'keys', 'token-key.bin'));
  const jwks = readFileSync(join(dataDir, 'issuer', 'jwks.json'), 'utf8');
  first.child.kill('SIGINT');
  expect(await first.exit).toEqual({ code: 0, signal: null });
  // Nothing it started outlives it (tsx runs the script in a child process of its own).
  await waitFor(() => !processGroupAlive(first.child.pid!), 'every process of the first npm start to exit');
  expect(await canListen(ports.PORT)).toBe(true);
  expect(await canListen(ports.SANDBOX_PORT)).toBe(true);

  rmSync(join(dataDir, 'dev.json'));
  const second = npmStart(ports);
  const again = await waitForDevJson(dataDir, second);
  for (const user of ['payer', 'payer2', 'merchant', 'merchant2', 'ops']) expect(subOf(again.tokens[user])).toBe(subOf(dev.tokens[user]));
  expect(again.account_id).toBe(dev.account_id);
  // The same cards and app: an order replayed after a restart is the same request.
  expect(again.credit_card_ids).toEqual(dev.credit_card_ids);
  expect(again.client_id).toBe(dev.client_id);
  expect(readFileSync(join(dataDir, 'keys', 'token-key.bin')).equals(key)).toBe(true);
  expect(readFileSync(join(dataDir, 'issuer', 'jwks.json'), 'utf8')).toBe(jwks);
  // A token minted by the first run is still accepted: same issuer key.
  const stillValid = await fetch(`${again.api_url}/v1/fees/quote`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${dev.tokens.ops}` },
    body: JSON.stringify({ currency: 'USD', amount: 10000, app_fee: 0 }),
  });
  expect(stillValid.status).toBe(200);
  second.child.kill('SIGTERM');
  expect((await second.exit).code).toBe(0);
  await waitFor(() => !processGroupAlive(second.child.pid!), 'every process of the second npm start to exit');
  expect(second.stderr()).toBe('');
});

it.each(['PORT', 'SANDBOX_PORT'] as const)('a busy %s gives exactly one line on stderr and a non-zero exit', async (busy) => {
  const ports = { PORT: await freePort(), SANDBOX_PORT: await freePort(), PAYMENTS_DATA_DIR: newDataDir('npm-start-busy-') };
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(ports[busy], '127.0.0.1', resolve));
  try {
    const started = npmStart(ports);
    const { code } = await started.exit;
    expect(code).not.toBe(0);
    const lines = started.stderr().split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(String(ports[busy]));
    expect(lines[0]).toMatch(/in use/);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});
