// `npm start` as a user runs it (the start script: tsx local/main.ts), as a child
// process on free ports with its own data directory: it answers once dev.json is
// written, Ctrl-C stops everything, a restart keeps state, and a busy port gives
// a one-line error.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freePort, newDataDir } from '../../support/local-runtime.ts';

const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  // A failed test must not leave its server running.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function npmStart(env: { PORT: number; SANDBOX_PORT: number; PAYMENTS_DATA_DIR: string }): Started {
  const child = spawn(tsx, ['local/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(env.PORT), SANDBOX_PORT: String(env.SANDBOX_PORT), PAYMENTS_DATA_DIR: env.PAYMENTS_DATA_DIR },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function waitForDevJson(dataDir: string, started: Started): Promise<any> {
  const path = join(dataDir, 'dev.json');
  let exited = false;
  void started.exit.then(() => (exited = true));
  for (;;) {
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
    if (exited) throw new Error(`npm start exited before writing dev.json: ${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function canListen(port: number): Promise<boolean> {
  const server: Server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sub as string;

it('serves health and a fee quote once dev.json is written, stops on Ctrl-C, and keeps its state across a restart', async () => {
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

  const key = readFileSync(join(dataDir, 'keys', 'token-key.bin'));
  const jwks = readFileSync(join(dataDir, 'issuer', 'jwks.json'), 'utf8');
  first.child.kill('SIGINT');
  expect(await first.exit).toEqual({ code: 0, signal: null });
  expect(await canListen(ports.PORT)).toBe(true);
  expect(await canListen(ports.SANDBOX_PORT)).toBe(true);

  rmSync(join(dataDir, 'dev.json'));
  const second = npmStart(ports);
  const again = await waitForDevJson(dataDir, second);
  for (const user of ['payer', 'payer2', 'merchant', 'ops']) expect(subOf(again.tokens[user])).toBe(subOf(dev.tokens[user]));
  expect(again.account_id).toBe(dev.account_id);
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
