// The local runtime's default log (`text`): one line per request with method,
// path, status, duration and function, and none of the functions' JSON lines or
// metrics. (`json` is local-logs-json.test.ts: one runtime per test file.)
import { captureOutput } from '../../support/log-capture.ts';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';

let runtime: TestRuntime;
const textLines: string[] = [];

beforeAll(async () => {
  process.env.LOG_LEVEL = 'INFO';
  runtime = await startTestRuntime({ log: (line) => textLines.push(line) });
});
afterAll(async () => {
  await runtime?.close();
});

test('one line per request: method, path, status, duration and function, and no JSON', async () => {
  const captured = captureOutput();
  try {
    expect((await runtime.call('GET', '/v1/health')).status).toBe(200);
    expect((await runtime.call('GET', '/v1/nowhere')).status).toBe(404);
  } finally {
    captured.restore();
  }
  expect(textLines).toEqual(
    expect.arrayContaining([expect.stringMatching(/^GET \/v1\/health → 200 \(\d+ ms, health\)$/), expect.stringMatching(/^GET \/v1\/nowhere → 404 \(\d+ ms, -\)$/)]),
  );
  expect(captured.text()).not.toMatch(/"level"|"_aws"/);
});

test('an IPN request is logged under its route template: the route token is a credential', async () => {
  expect((await runtime.call('POST', '/v1/ipn/wepay/not-the-token', { body: 'checkout_id=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).toBe(404);
  expect(textLines).toContainEqual(expect.stringMatching(/^POST \/v1\/ipn\/wepay\/\{route_token\} → 404 \(\d+ ms, ipn-receive\)$/));
  expect(textLines.join('\n')).not.toContain('not-the-token');
});

test('a card-like number in a path is masked in the request line', async () => {
  expect((await runtime.call('GET', '/v1/checkouts/4242424242424242')).status).toBeGreaterThanOrEqual(400);
  expect(textLines.join('\n')).not.toContain('4242424242424242');
});
