// The reference checkout page (/demo/) in a real browser: what a payer and a
// merchant do with it, and what reaches our API while they do.
import { join } from 'node:path';
import { artifactsDir, cards, createUniqueIds, openDemo, providerCreates, startDemoHarness, untilText, type DemoHarness } from './support/demo-harness.ts';

let harness: DemoHarness;
beforeAll(async () => {
  harness = await startDemoHarness();
});
afterAll(async () => {
  await harness?.close();
});

/** The card number as it could appear in a body: plain or in groups. */
const cardPatterns = (number: string) => [number, number.replace(/(\d{4})(?=\d)/g, '$1 '), number.replace(/(\d{4})(?=\d)/g, '$1-')];

test('a payer pays with a test card: fee quote, authorized then captured, refunded from the merchant view, and the card number never reaches the API', async () => {
  const demo = await openDemo(harness);
  const { page } = demo;
  await page.getByLabel('Price (USD)').fill('25.00');
  await page.getByLabel('Who pays the fees').selectOption('payer');
  // payer pays amount + app fee (5%) + processing (2.9% + 30 cents): 2500 + 125 + 103.
  await untilText(page.locator('#quote-payer-total'), /^\$27\.28$/);
  await untilText(page.locator('#quote-merchant-net'), /^\$25\.00$/);

  await demo.fillCard(cards.success);
  await page.getByRole('button', { name: 'Pay' }).click();
  const captured = await untilText(demo.status, /Payment captured/);
  const checkoutId = /checkout (chk_\S+)/.exec(captured)![1]!;
  expect(await page.getByRole('list', { name: 'States of this payment' }).getByRole('listitem').allTextContents()).toEqual(['authorized', 'captured']);

  const refund = page.getByRole('button', { name: `Refund ${checkoutId}` });
  await refund.waitFor({ timeout: 60_000 });
  await refund.click();
  await untilText(page.locator('#merchant-status'), new RegExp(`Refunded \\$25\\.00 of ${checkoutId}`));
  await untilText(page.locator(`tr[data-checkout-id="${checkoutId}"]`), /refunded/);
  await page.screenshot({ path: join(artifactsDir, 'checkout-paid-and-refunded.png'), fullPage: true });

  // The browser sent the number to the provider's tokenization, and to nothing else.
  const withCard = demo.requests.filter((r) => cardPatterns(cards.success).some((p) => (r.postData() ?? '').includes(p) || r.url().includes(p)));
  expect(withCard.map((r) => r.url())).toEqual([`${harness.runtime.dev.sandbox_url}/v2/credit_card/create`]);
  const apiPosts = demo.requests.filter((r) => r.method() === 'POST' && r.url().startsWith(`${harness.recorder.url}/v1/`));
  expect(apiPosts.length).toBeGreaterThanOrEqual(2); // fee quotes and the checkout, their bodies visible to the check above
  expect(apiPosts.every((r) => r.postData() !== null)).toBe(true);
  // What the API received (the recording proxy in front of it): many requests, none with the number.
  expect(harness.recorder.requests.some((r) => r.method === 'POST' && r.path === '/v1/checkouts')).toBe(true);
  const leaked = harness.recorder.requests.filter((r) => cardPatterns(cards.success).some((p) => r.body.includes(p) || r.path.includes(p)));
  expect(leaked).toEqual([]);
  expect(cardPatterns(cards.success).filter((p) => harness.logs().includes(p))).toEqual([]);
});

test('a declined card is shown as declined, with a way to start a new order', async () => {
  const demo = await openDemo(harness);
  await demo.fillCard(cards.decline);
  await demo.page.getByRole('button', { name: 'Pay' }).click();
  await untilText(demo.status, /^Payment declined$/);
  await untilText(demo.page.getByRole('alert'), /Your card was declined/);
  expect(await demo.page.getByRole('button', { name: 'Start a new order' }).isVisible()).toBe(true);
});

test('a double click on Pay creates one checkout', async () => {
  const before = (await providerCreates(harness)).length;
  const demo = await openDemo(harness);
  await demo.fillCard(cards.success);
  await demo.page.getByRole('button', { name: 'Pay' }).dblclick();
  await untilText(demo.status, /Payment (authorized|captured)/);

  const uniqueIds = createUniqueIds(harness, demo.requests);
  expect(uniqueIds.length).toBeGreaterThanOrEqual(1);
  expect(new Set(uniqueIds).size).toBe(1);
  const payerCheckouts = await harness.runtime.call('GET', '/v1/checkouts?limit=100', { token: harness.runtime.dev.tokens.payer });
  expect((payerCheckouts.body as { data: { unique_id: string }[] }).data.filter((c) => c.unique_id === uniqueIds[0])).toHaveLength(1);
  expect((await providerCreates(harness)).length).toBe(before + 1);
});

test('a connection dropped after the API created the checkout is recovered by the client retrying with the same unique_id: one provider checkout', async () => {
  const before = (await providerCreates(harness)).length;
  const demo = await openDemo(harness);
  const { page } = demo;
  const firstAnswer: number[] = [];
  await page.route(`${harness.recorder.url}/v1/checkouts`, async (route) => {
    if (route.request().method() !== 'POST' || firstAnswer.length > 0) return route.continue();
    // The request reaches the API and is carried out; its answer is lost on the way back.
    const response = await route.fetch();
    firstAnswer.push(response.status());
    await route.abort('connectionreset');
  });
  await demo.fillCard(cards.success);
  await page.getByRole('button', { name: 'Pay' }).click();
  await untilText(demo.status, /Payment (authorized|captured)/);

  expect(firstAnswer).toEqual([201]);
  const uniqueIds = createUniqueIds(harness, demo.requests);
  expect(uniqueIds.length).toBe(2);
  expect(uniqueIds[1]).toBe(uniqueIds[0]);
  expect((await providerCreates(harness)).length).toBe(before + 1);
});
