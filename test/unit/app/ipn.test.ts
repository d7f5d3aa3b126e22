import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { callbackUriFor, isValidRouteToken, receiveIpn, routeTokenFor } from '#functions/app/ipn.ts';
import { InvalidRequestError, NotFoundError } from '#functions/domain/errors.ts';
import type { IpnNotice } from '#functions/ports/ipn-queue.ts';
import type { PlatformCredentials } from '#functions/ports/secrets.ts';

const credentials = (ipnRouteSecret: string, previousIpnRouteSecrets: string[] = []): PlatformCredentials => ({
  clientId: '1',
  clientSecret: 'client-secret',
  appAccessToken: 'app-token',
  ipnRouteSecret,
  previousIpnRouteSecrets,
});

const token = (secret: string) => routeTokenFor('wepay', secret);

describe('route tokens', () => {
  it('are derived from the route secret: the same secret gives the same token, another secret another one', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 32 }), fc.string({ minLength: 32 }), (a, b) => {
        expect(token(a)).toBe(token(a));
        if (a !== b) expect(token(a)).not.toBe(token(b));
        expect(token(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
    );
  });

  it('are the ones handed out before the provider became a value: callback URIs already at the provider keep working', () => {
    const secret = 'route-secret'.repeat(4);
    expect(token(secret)).toBe(createHmac('sha256', secret).update('wepay-ipn-route-v1').digest('base64url'));
  });

  it("differ per provider: one provider's token is no other provider's", () => {
    const creds = credentials('s'.repeat(40));
    expect(isValidRouteToken('other', token(creds.ipnRouteSecret), creds)).toBe(false);
    expect(isValidRouteToken('wepay', token(creds.ipnRouteSecret), creds)).toBe(true);
  });

  it("callback URIs carry the current token under /v1/ipn/<provider's name>/", () => {
    const creds = credentials('s'.repeat(40));
    expect(callbackUriFor('https://api.example.com/', 'wepay', creds)).toBe(`https://api.example.com/v1/ipn/wepay/${token(creds.ipnRouteSecret)}`);
  });

  it('accepts the current token and the tokens of route secrets kept after a rotation, and nothing else', () => {
    const creds = credentials('current'.repeat(6), ['previous'.repeat(5), 'older'.repeat(8)]);
    const valid = (presented: string) => isValidRouteToken('wepay', presented, creds);
    expect(valid(token('current'.repeat(6)))).toBe(true);
    expect(valid(token('previous'.repeat(5)))).toBe(true);
    expect(valid(token('older'.repeat(8)))).toBe(true);
    expect(valid(token('retired'.repeat(6)))).toBe(false);
    const current = token('current'.repeat(6));
    expect(valid(`${current.slice(0, -1)}${current.endsWith('A') ? 'B' : 'A'}`)).toBe(false); // same length
    expect(valid(current.slice(0, -1))).toBe(false); // shorter
    expect(valid(`${current}A`)).toBe(false); // longer
    expect(valid('')).toBe(false);
  });
});

describe('receiveIpn', () => {
  const setup = () => {
    const queued: IpnNotice[] = [];
    const creds = credentials('route-secret'.repeat(4));
    // A stand-in adapter: the body's `checkout_id` is the notice; anything else is malformed.
    const provider = {
      name: 'wepay',
      parseNotification: (body: Readonly<Record<string, unknown>>) => {
        if (typeof body['checkout_id'] !== 'string') throw new InvalidRequestError('parameter_missing', 'checkout_id is required', { param: 'checkout_id' });
        return { checkoutId: body['checkout_id'] };
      },
    };
    const deps = { provider, credentials: async () => creds, queue: { enqueue: async (n: IpnNotice) => void queued.push(n) }, clock: { now: () => Date.UTC(2026, 10, 21) } };
    return { queued, deps, token: token(creds.ipnRouteSecret) };
  };

  it("queues the checkout id the provider's adapter reads from an IPN with a valid route token, under the provider's name", async () => {
    const { queued, deps, token } = setup();
    await receiveIpn(deps, token, { checkout_id: '12345' });
    expect(queued).toEqual([{ provider: 'wepay', checkoutId: '12345', receivedAt: '2026-11-21T00:00:00.000Z' }]);
  });

  it('answers a wrong route token as an unknown resource and queues nothing', async () => {
    const { queued, deps } = setup();
    await expect(receiveIpn(deps, token('another secret entirely, 32+ chars'), { checkout_id: '12345' })).rejects.toBeInstanceOf(NotFoundError);
    expect(queued).toEqual([]);
  });

  it('refuses a body the adapter cannot read, before the token is checked, and queues nothing', async () => {
    const { queued, deps } = setup();
    await expect(receiveIpn(deps, 'not-a-token', { reference_id: 'x' })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(queued).toEqual([]);
  });
});
