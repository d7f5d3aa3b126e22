// No secret reaches the logs even when code logs carelessly: credentials by key,
// card numbers and bearer tokens by value (functions/observability.ts).
import { logger, redactForLog, redactString } from '#functions/observability.ts';
import { captureOutput } from '../../support/log-capture.ts';

const card = '4242424242424242';
const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz';

describe('redactForLog', () => {
  it.each([
    'authorization',
    'Authorization',
    'access_token',
    'refresh_token',
    'client_secret',
    'password',
    'api_key',
    'apiKey',
    'x-api-key',
    'cookie',
    'cc_number',
    'cardNumber',
    'cvv',
    'private_key',
    'credentials',
    'sealed',
  ])('hides the value of a %s key', (key) => {
    expect(redactForLog(key, 'anything')).toBe('[REDACTED]');
    expect(redactForLog(key, 12345)).toBe('[REDACTED]');
    expect(redactForLog(key, { nested: 'object' })).toBe('[REDACTED]');
  });

  it('keeps values of ordinary keys', () => {
    expect(redactForLog('amount', 10400)).toBe(10400);
    expect(redactForLog('currency', 'USD')).toBe('USD');
    expect(redactForLog('status', null)).toBeNull();
    expect(redactForLog('flag', true)).toBe(true);
  });

  it('masks card numbers inside any string', () => {
    expect(redactForLog('message', `paying with ${card} now`)).toBe('paying with [REDACTED CARD] now');
    expect(redactForLog('note', '4242 4242 4242 4242')).toBe('[REDACTED CARD]');
  });

  it('masks a card number given as a number', () => {
    expect(redactForLog('n', 4242424242424242)).toBe('[REDACTED CARD]');
    expect(redactForLog('n', 1_000_000_000_000)).toBe(1_000_000_000_000);
  });

  it('masks JWTs and bearer credentials inside any string', () => {
    expect(redactForLog('message', `got ${jwt} from client`)).toBe('got [REDACTED JWT] from client');
    expect(redactString('header was Bearer abc.def-ghi_jkl')).toBe('header was Bearer [REDACTED]');
    expect(redactString(`Authorization: Bearer ${jwt}`)).not.toContain('eyJ');
  });
});

describe('the logger', () => {
  it('writes no card number, bearer token or credential, whatever it is given', () => {
    const output = captureOutput();
    try {
      logger.info(`charging card ${card} for Bearer ${jwt}`, {
        headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
        query: { access_token: 'query-secret-1' },
        body: { cc_number: '4000 0000 0000 0002', note: `card ${card}`, nested: [{ n: 4242424242424242 }] },
        client_secret: 'client-secret-2',
      });
      logger.error('provider failed', { error: new Error(`token ${jwt} rejected for card ${card}`) });
    } finally {
      output.restore();
    }
    const text = output.text();
    expect(text).toContain('charging card');
    expect(text).toContain('application/json');
    for (const secret of [card, '4242 4242', '4000 0000', jwt, 'eyJ', 'query-secret-1', 'client-secret-2']) {
      expect(text).not.toContain(secret);
    }
  });
});
