// A sandbox killed with SIGKILL (no close, no exit hook) keeps every change it
// had flushed: the next sandbox on the same data directory lists them all and
// answers for them. The flush is asked for explicitly (SIGUSR2 to the child),
// so the test does not depend on the store's own 20 ms timer.
import { join } from 'node:path';
import { processGroupAlive, spawnTracked, stopAllChildren } from '../../support/child-processes.ts';
import { waitFor } from '../../support/wait-for.ts';
import { checkoutParams, newCard, newDataDir, newMerchant, post, send, startHarness } from './sandbox-harness.ts';

afterEach(async () => {
  expect(await stopAllChildren()).toEqual([]);
});

it('keeps every flushed change after the process is killed', async () => {
  const dataDir = newDataDir();
  // One process (node itself, not the tsx wrapper), so the signals reach the sandbox.
  const child = spawnTracked(process.execPath, ['--import', 'tsx', join('test', 'integration', 'sandbox', 'support', 'sandbox-process.ts'), dataDir], {
    cwd: process.cwd(),
  });
  const url = await waitFor(() => {
    const match = /^listening (\S+)$/m.exec(child.stdout());
    if (child.child.exitCode !== null) throw new Error(`the sandbox process exited: ${child.stderr()}`);
    return match?.[1];
  }, 'the sandbox process to listen');

  const merchant = await newMerchant(url);
  const card = await newCard(url);
  const created: number[] = [];
  for (let i = 0; i < 40; i++) {
    const reply = await post(url, '/v2/checkout/create', checkoutParams(merchant.accountId, card, { unique_id: `killed-${i}` }), merchant.token);
    created.push(reply.body.checkout_id);
  }
  await post(url, `/__sandbox/checkouts/${created[3]}/state`, { state: 'captured' });
  const before = (await send(url, 'GET', '/__sandbox/checkouts')).body;

  process.kill(child.child.pid!, 'SIGUSR2');
  await waitFor(() => (child.stdout().includes('flushed') ? true : undefined), 'the explicit flush');
  process.kill(-child.child.pid!, 'SIGKILL');
  expect((await child.exit).signal).toBe('SIGKILL');
  // tsx's esbuild service, when it ran, was killed with the group; its parent gone, it is reaped a little later.
  await waitFor(() => (processGroupAlive(child.child.pid!) ? undefined : true), 'the killed process group to be gone');

  const harness = await startHarness({ dataDir });
  try {
    const after = harness.sandbox.url;
    expect((await send(after, 'GET', '/__sandbox/checkouts')).body).toEqual(before);
    expect((await send(after, 'GET', '/__sandbox/accounts')).body.accounts).toEqual([
      { account_id: merchant.accountId, owner_user_id: merchant.userId, name: 'Blue Bottle Cafe', reference_id: null },
    ]);
    const fetched = await post(after, '/v2/checkout', { checkout_id: created[3] }, merchant.token);
    expect(fetched.body.state).toBe('captured');
  } finally {
    await harness.sandbox.close();
  }
});
