// The functions' side of CORS: every answer to an origin in
// CORS_ALLOWED_ORIGINS, errors included, names that origin; other origins get no CORS headers.
import { resetConfig } from '#functions/config.ts';
import { corsHeaders, preflightHeaders } from '#functions/http/cors.ts';
import { handler as health } from '#functions/handlers/health.ts';
import { handler as feesQuote } from '#functions/handlers/fees-quote.ts';
import { invoke, proxyEvent } from '../../support/proxy-event.ts';

const allowed = 'https://app.example.com';
const before = process.env.CORS_ALLOWED_ORIGINS;
beforeAll(() => {
  process.env.CORS_ALLOWED_ORIGINS = `${allowed}, http://localhost:5173`;
  resetConfig();
});
afterAll(() => {
  if (before === undefined) delete process.env.CORS_ALLOWED_ORIGINS;
  else process.env.CORS_ALLOWED_ORIGINS = before;
  resetConfig();
});

const corsOf = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'));
const expected = { 'access-control-allow-origin': allowed, vary: 'Origin', 'access-control-expose-headers': 'Retry-After, X-Request-Id, Idempotent-Replayed' };

it('a success to an allowed origin carries Access-Control-Allow-Origin, Vary and the exposed headers', async () => {
  const reply = await invoke(health, proxyEvent({ path: '/v1/health', headers: { origin: allowed } }));
  expect(reply.status).toBe(200);
  expect(corsOf(reply.headers)).toEqual(expected);
});

it('an error to an allowed origin carries them too', async () => {
  const reply = await invoke(feesQuote, proxyEvent({ method: 'POST', path: '/v1/fees/quote', headers: { Origin: allowed }, body: {} }));
  expect(reply.status).toBe(401);
  expect(corsOf(reply.headers)).toEqual(expected);
});

it('an answer to an unlisted or absent origin has no CORS headers', async () => {
  for (const headers of [{ Origin: 'https://evil.example' }, { Origin: `${allowed}.evil.example` }, {}] as Record<string, string>[]) {
    const reply = await invoke(health, proxyEvent({ path: '/v1/health', headers }));
    expect(corsOf(reply.headers)).toEqual({});
  }
});

it('a preflight answer names the methods and headers the API contract lists, only for an allowed origin', () => {
  expect(preflightHeaders(allowed, [allowed])).toEqual({
    ...corsHeaders(allowed, [allowed]),
    'Access-Control-Allow-Methods': 'GET, POST, DELETE',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '3600',
  });
  expect(preflightHeaders('null', [allowed])).toEqual({});
  expect(preflightHeaders(undefined, [allowed])).toEqual({});
});
