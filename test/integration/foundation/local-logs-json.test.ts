// The local runtime's log in `json` (LOG_FORMAT=json): each function's lines carry
// that function's name even when requests of several functions run at once (one
// process runs them all). The default, `text`, is local-logs-text.test.ts.
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { captureOutput, type CapturedOutput } from '../../support/log-capture.ts';
import { startTestRuntime, type TestRuntime } from '../../support/local-runtime.ts';

let runtime: TestRuntime;
let output: CapturedOutput | undefined;
const textLines: string[] = [];

beforeAll(async () => {
  process.env.LOG_LEVEL = 'INFO';
  runtime = await startTestRuntime({ logFormat: 'json', log: (line) => textLines.push(line) });
});
afterAll(async () => {
  output?.restore();
  await runtime?.close();
});

const quote = { currency: 'USD', amount: 10_000, app_fee: 0 };

test('in json, concurrent requests to different functions each log under their own function_name', async () => {
  output = captureOutput();
  try {
    const requests = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? runtime.call('GET', '/v1/health')
        : runtime.call('POST', '/v1/fees/quote', { body: quote, token: runtime.dev.tokens.payer }),
    );
    expect((await Promise.all(requests)).map((reply) => reply.status)).toEqual(Array.from({ length: 8 }, () => 200));
  } finally {
    output.restore();
  }
  const lines = output
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{"level"'))
    .map((line) => JSON.parse(line) as { message: string; route?: string; function_name?: string });
  const completed = lines.filter((line) => line.message === 'request completed');
  expect(completed).toHaveLength(8);
  const handlerOf = new Map((routes as readonly RouteDefinition[]).map((route) => [route.path, route.handler]));
  for (const line of completed) expect(line.function_name).toBe(handlerOf.get(line.route!));
  expect(new Set(completed.map((line) => line.function_name))).toEqual(new Set(['health', 'fees-quote']));
  // The runtime's own line per request is still there (npm start prints it on stderr in json).
  expect(textLines.filter((line) => /^GET \/v1\/health → 200 \(\d+ ms, health\)$/.test(line))).toHaveLength(4);
});
