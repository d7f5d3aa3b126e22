import fc from 'fast-check';
import { callbackUriFor, isValidRouteToken, receiveIpn, routeTokenFor } from '#functions/app/ipn.ts';
import { NotFoundError } from '#functions/domain/errors.ts';
import type { IpnNotice } from '#functions/ports/ipn-queue.ts';
import type { PlatformCredentials } from '#functions/ports/secrets.ts';

const credentials = (ipnRouteSecret: string, previousIpnRouteSecrets: string[] = []): PlatformCredentials => ({
  clientId: '1',
  clientSecret: 'client-secret',
  appAccessToken: 'app-token',
  ipnRouteSecret,
  previousIpnRouteSecrets,
});

describe('route tokens', () => {
  it('are derived from the route secret: the same secret gives the same token, another secret another one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 32 }), fc.string({ minLength: 32 }), (a, b) => {
        expect(routeTokenFor(a)).toBe(routeTokenFor(a));
        if (a !== b) expect(routeTokenFor(a)).not.toBe(routeTokenFor(b));
        expect(routeTokenFor(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
    );
  });

  it('callback URIs carry the current token under /v1/ipn/wepay/', () => {
    const creds = credentials('s'.repeat(40));
    expect(callbackUriFor('https://api.example.com/', creds)).toBe(`https://api.example.com/v1/ipn/wepay/${routeTokenFor(creds.ipnRouteSecret)}`);
  });

  it('accepts the current token and the tokens of route secrets kept after a rotation, and nothing else', () => {
    const creds = credentials('current'.repeat(6), ['previous'.repeat(5), 'older'.repeat(8)]);
    expect(isValidRouteToken(routeTokenFor('current'.repeat(6)), creds)).toBe(true);
    expect(isValidRouteToken(routeTokenFor('previous'.repeat(5)), creds)).toBe(true);
    expect(isValidRouteToken(routeTokenFor('older'.repeat(8)), creds)).toBe(true);
    expect(isValidRouteToken(routeTokenFor('retired'.repeat(6)), creds)).toBe(false);
    const valid = routeTokenFor('current'.repeat(6));
    expect(isValidRouteToken(`${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`, creds)).toBe(false); // same length
    expect(isValidRouteToken(valid.slice(0, -1), creds)).toBe(false); // shorter
    expect(isValidRouteToken(`${valid}A`, creds)).toBe(false); // longer
    expect(isValidRouteToken('', creds)).toBe(false);
  });
});

describe('receiveIpn', () => {
  const setup = () => {
    const queued: IpnNotice[] = [];
    const creds = credentials('route-secret'.repeat(4));
    const deps = { credentials: async () => creds, queue: { enqueue: async (n: IpnNotice) => void queued.push(n) }, clock: { now: () => Date.UTC(2026, 10, 21) } };
    return { queued, deps, token: routeTokenFor(creds.ipnRouteSecret) };
  };

  it('queues the checkout id of an IPN with a valid route token', async () => {
    const { queued, deps, token } = setup();
    await receiveIpn(deps, token, '12345');
    expect(queued).toEqual([{ provider: 'wepay', checkoutId: '12345', receivedAt: '2026-11-21T00:00:00.000Z' }]);
  });

  it('answers a wrong route token as an unknown resource and queues nothing', async () => {
    const { queued, deps } = setup();
    await expect(receiveIpn(deps, routeTokenFor('another secret entirely, 32+ chars'), '12345')).rejects.toBeInstanceOf(NotFoundError);
    expect(queued).toEqual([]);
  });
});
