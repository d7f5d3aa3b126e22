import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cardParams, DECLINED_CARD, post, startHarness, SUCCEEDING_CARD, type Harness } from './sandbox-harness.ts';

let harness: Harness;
let url: string;
beforeAll(async () => {
  harness = await startHarness();
  url = harness.sandbox.url;
});
afterAll(() => harness.sandbox.close());

describe('/v2/credit_card/create', () => {
  it('tokenizes the test card with client_id alone and returns a numeric credit_card_id', async () => {
    const reply = await post(url, '/v2/credit_card/create', cardParams(SUCCEEDING_CARD));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ credit_card_id: expect.any(Number), state: 'new' });
  });

  it('tokenizes the declining test card too (it is declined only at checkout)', async () => {
    expect((await post(url, '/v2/credit_card/create', cardParams(DECLINED_CARD))).status).toBe(200);
  });

  it('accepts a number written with spaces', async () => {
    expect((await post(url, '/v2/credit_card/create', cardParams('4242 4242 4242 4242'))).status).toBe(200);
  });

  it('rejects a number that fails the Luhn check', async () => {
    const reply = await post(url, '/v2/credit_card/create', cardParams('4242424242424241'));
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 1003 });
    expect(reply.body.error_description).not.toContain('4242424242424241');
  });

  it('rejects an expired card', async () => {
    const lastYear = new Date().getUTCFullYear() - 1;
    const reply = await post(url, '/v2/credit_card/create', cardParams(SUCCEEDING_CARD, { expiration_year: lastYear }));
    expect(reply.body).toMatchObject({ error_code: 1003, error_description: 'the card has expired' });
  });

  it.each([['12'], ['1234'], ['abc']])('rejects the cvv %j for a Visa card', async (cvv) => {
    const reply = await post(url, '/v2/credit_card/create', cardParams(SUCCEEDING_CARD, { cvv }));
    expect(reply.body).toMatchObject({ error_code: 1003 });
  });

  it('takes a four-digit cvv for American Express', async () => {
    expect((await post(url, '/v2/credit_card/create', cardParams('378282246310005', { cvv: '1234' }))).status).toBe(200);
  });

  it('rejects an unknown client_id', async () => {
    const reply = await post(url, '/v2/credit_card/create', cardParams(SUCCEEDING_CARD, { client_id: '1' }));
    expect(reply.body).toMatchObject({ error: 'invalid_client' });
  });

  it('never stores or logs the card number', async () => {
    await post(url, '/v2/credit_card/create', cardParams('5555555555554444'));
    await harness.restart(); // forces the state onto disk
    url = harness.sandbox.url;
    // Every file the sandbox keeps, whatever its layout: a security property is about the disk itself.
    const directory = join(harness.dataDir, 'sandbox');
    const stored = readdirSync(directory).map((name) => readFileSync(join(directory, name), 'utf8')).join('\n');
    // The files hold the state (the card tokenized above is in them), so the absence below means something.
    expect(stored).toContain('credit_card_id');
    for (const number of [SUCCEEDING_CARD, DECLINED_CARD, '5555555555554444']) {
      expect(stored).not.toContain(number);
      expect(harness.logLines.join('\n')).not.toContain(number);
    }
    expect(stored).toContain('"last_four":"4444"');
  });
});
