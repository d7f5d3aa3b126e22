// No event is lost when the process dies between a change and its publication.
// `npm start` runs as a child process that commits changes but publishes none of
// them as they happen (PAYMENTS_LOCAL_EVENT_WATCH=off: as if it died right after
// each write) and is then killed with SIGKILL; the next start on the same data
// directory publishes them, and they reach the endpoint registered before.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { call, freePort, newDataDir } from '../../support/local-runtime.ts';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from './webhook-receiver.ts';


const children: ChildProcess[] = [];
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await receiver?.close();
});

async function npmStart(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; dev: any }> {
  const devPath = join(dataDir, 'dev.json');
  if (existsSync(devPath)) rmSync(devPath);
  // node itself (not the tsx wrapper, which would leave its child running) so SIGKILL kills the runtime.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(await freePort()), SANDBOX_PORT: String(await freePort()), PAYMENTS_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const dev = await waitFor('dev.json', () => {
    if (child.exitCode !== null) throw new Error(`npm start exited: ${stderr}`);
    return existsSync(devPath) ? JSON.parse(readFileSync(devPath, 'utf8')) : undefined;
  }, 120_000);
  return { child, dev };
}

it('publishes on restart the changes a killed process committed but never published', async () => {
  const dataDir = newDataDir();
  const first = await npmStart(dataDir, { PAYMENTS_LOCAL_EVENT_WATCH: 'off' });
  const api = first.dev.api_url as string;
  const endpoint = await call(api, 'POST', '/v1/webhook_endpoints', { token: first.dev.tokens.ops, body: { url: receiver.url, events: ['checkout.created'] } });
  expect(endpoint.status).toBe(201);
  const created = await call(api, 'POST', '/v1/checkouts', {
    token: first.dev.tokens.payer,
    body: {
      unique_id: `crash-${Date.now()}`,
      account_id: first.dev.account_id,
      amount: 1_500,
      currency: 'USD',
      short_description: 'Crash test',
      payment_method: { type: 'credit_card', credit_card: { id: first.dev.credit_card_ids.success, auto_capture: true } },
    },
  });
  expect(created.status).toBe(201);
  const checkoutId = created.body.id as string;
  const before = await call(api, 'GET', '/v1/events?type=checkout.created', { token: first.dev.tokens.ops });
  expect(before.body.data.filter((e: any) => e.data.object.id === checkoutId)).toEqual([]);

  const killed = new Promise((resolve) => first.child.once('exit', resolve));
  first.child.kill('SIGKILL');
  await killed;
  expect(receiver.received).toHaveLength(0);

  const second = await npmStart(dataDir);
  const survived = await call(second.dev.api_url, 'GET', `/v1/checkouts/${checkoutId}`, { token: second.dev.tokens.ops });
  expect(survived.status).toBe(200);
  const after = await waitFor('the events', async () => {
    const listed = await call(second.dev.api_url, 'GET', '/v1/events?limit=100', { token: second.dev.tokens.ops });
    return listed.body.data.some((e: any) => e.data.object.id === checkoutId && e.type === 'checkout.created') ? listed : undefined;
  });
  await waitFor('checkout.created at the endpoint', () => receiver.received.find((r) => r.json.data.object.id === checkoutId && r.json.type === 'checkout.created'));
  for (const delivery of receiver.received) new Webhook(endpoint.body.secret).verify(delivery.body, delivery.headers as Record<string, string>);
  const listed = await call(second.dev.api_url, 'GET', '/v1/events?type=checkout.created', { token: second.dev.tokens.ops });
  expect(listed.body.data.filter((e: any) => e.data.object.id === checkoutId)).toHaveLength(1);
});
