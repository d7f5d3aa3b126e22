import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { checkEndpointUrl } from '#functions/app/webhook-endpoints.ts';
import { delayAfter, eventIdFor, formatSecret, isPublicAddress, outcomeOf, retryDelaysMs, urlProblem, webhookHeaders } from '#functions/domain/events.ts';

describe('signatures', () => {
  it('verify with the standardwebhooks package, for any key length from 24 to 64 bytes and any body', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 64 }), fc.string(), (key, text) => {
        const secret = formatSecret(key);
        const body = JSON.stringify({ id: 'evt_x', text });
        const headers = webhookHeaders([secret], 'evt_x', Date.now(), body);
        expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'evt_x', text });
      }),
      { numRuns: 50 },
    );
  });

  it('carry one signature per secret, each verifying alone', () => {
    const [a, b] = [formatSecret(new Uint8Array(32).fill(1)), formatSecret(new Uint8Array(32).fill(2))];
    const body = '{"id":"evt_y"}';
    const headers = webhookHeaders([a, b], 'evt_y', Date.now(), body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [a, b]) expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(formatSecret(new Uint8Array(32).fill(3))).verify(body, headers)).toThrow();
  });

  it('refuses secrets outside 24–64 bytes', () => {
    expect(() => formatSecret(new Uint8Array(23))).toThrow(RangeError);
    expect(() => formatSecret(new Uint8Array(65))).toThrow(RangeError);
  });
});

describe('event ids', () => {
  it('are the same for the same (subject, version, type) and differ otherwise', () => {
    expect(eventIdFor('chk_1', 2, 'checkout.captured')).toBe(eventIdFor('chk_1', 2, 'checkout.captured'));
    expect(eventIdFor('chk_1', 2, 'checkout.captured')).not.toBe(eventIdFor('chk_1', 3, 'checkout.captured'));
    expect(eventIdFor('chk_1', 2, 'checkout.captured')).not.toBe(eventIdFor('chk_1', 2, 'checkout.refunded'));
    expect(eventIdFor('chk_1', 2, 'checkout.captured')).toMatch(/^evt_[\w-]{24}$/);
  });
});

describe('retry schedule', () => {
  it('attempts at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then stops', () => {
    expect(retryDelaysMs.slice(1)).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(delayAfter(0)).toBe(0);
    expect(delayAfter(7)).toBe(36_000_000);
    expect(delayAfter(8)).toBeUndefined();
  });

  it('treats only 2xx as delivered, 410 as gone, and everything else (redirects, timeouts) as retry', () => {
    expect([200, 204, 299].map(outcomeOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(outcomeOf(410)).toBe('gone');
    expect([301, 302, 400, 404, 500, 503, null].map(outcomeOf)).toEqual(Array(7).fill('retry'));
  });
});

describe('endpoint URLs', () => {
  const resolver = (map: Record<string, string[]>) => ({ resolve: async (host: string) => map[host] ?? [] });
  const aws = (map: Record<string, string[]> = {}) => ({ urlPolicy: 'aws' as const, resolver: resolver(map) });
  const local = { urlPolicy: 'local' as const, resolver: resolver({}) };

  it('in AWS: https only, and nothing that is or resolves to a private, loopback or link-local address', async () => {
    await expect(checkEndpointUrl(aws({ 'hooks.example.com': ['93.184.216.34'] }), 'https://hooks.example.com/x')).resolves.toBeUndefined();
    for (const url of ['http://hooks.example.com/x', 'https://127.0.0.1/x', 'https://10.0.0.1/x', 'https://169.254.169.254/latest', 'https://[::1]/x', 'https://localhost/x', 'http://127.0.0.1:3000/x']) {
      await expect(checkEndpointUrl(aws({ 'hooks.example.com': ['93.184.216.34'] }), url)).rejects.toMatchObject({ code: 'parameter_invalid', param: 'url' });
    }
    for (const address of ['192.168.1.10', '172.16.0.5', '127.0.0.1', '169.254.1.1', 'fe80::1', 'fd00::1']) {
      await expect(checkEndpointUrl(aws({ 'sneaky.example.com': [address] }), 'https://sneaky.example.com/x')).rejects.toMatchObject({ code: 'parameter_invalid', param: 'url' });
    }
    await expect(checkEndpointUrl(aws({ 'mixed.example.com': ['93.184.216.34', '10.1.1.1'] }), 'https://mixed.example.com/x')).rejects.toMatchObject({ param: 'url' });
  });

  it('locally: http on 127.0.0.1 and localhost at any port, and https', async () => {
    for (const url of ['http://127.0.0.1:3000/x', 'http://localhost:9/x', 'http://localhost/x', 'https://hooks.example.com/x']) {
      await expect(checkEndpointUrl(local, url)).resolves.toBeUndefined();
    }
    for (const url of ['http://example.com/x', 'http://10.0.0.1/x', 'ftp://localhost/x', 'http://u:p@localhost/x', 'not a url']) {
      await expect(checkEndpointUrl(local, url)).rejects.toMatchObject({ code: 'parameter_invalid', param: 'url' });
    }
  });

  it('refuses user info and URLs over 2048 characters everywhere', () => {
    expect(urlProblem('https://user@example.com/', 'aws')).toMatch(/user info/);
    expect(urlProblem(`https://example.com/${'a'.repeat(2048)}`, 'aws')).toMatch(/2048/);
  });

  it('classifies addresses', () => {
    expect(['8.8.8.8', '93.184.216.34', '2606:4700::1111'].every(isPublicAddress)).toBe(true);
    expect(['0.0.0.0', '10.1.2.3', '100.64.0.1', '127.0.0.1', '169.254.169.254', '172.31.255.255', '192.168.0.1', '224.0.0.1', '::', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1'].some(isPublicAddress)).toBe(false);
  });
});
