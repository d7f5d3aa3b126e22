// The pure rule of the IPN route secret rotation: which secrets stay accepted, and
// that nothing else in the platform secret document changes.
import {
  ipnDeliveryHorizonDays,
  ipnRouteSecretRotationDays,
  nextIpnRouteSecretDocument,
  previousIpnRouteSecretsKept,
  unscheduledRotationAllowance,
} from '#functions/domain/ipn-route-secret-rotation.ts';

const secret = (n: number) => `route-secret-${String(n).padStart(4, '0')}-${'x'.repeat(32)}`;

const provider = { client_id: '123456', client_secret: 'wepay-client-secret', app_access_token: 'STAGE_app-token' };

describe('nextIpnRouteSecretDocument', () => {
  it('makes the fresh secret current and keeps the current one first in ipn_route_secret_previous', () => {
    const next = nextIpnRouteSecretDocument({ ...provider, ipn_route_secret: secret(1) }, secret(2));

    expect(next.ipn_route_secret).toBe(secret(2));
    expect(next.ipn_route_secret_previous).toEqual([secret(1)]);
  });

  it('copies client_id, client_secret, app_access_token and any other field unchanged, in the same order', () => {
    const current = { ...provider, ipn_route_secret: secret(1), ipn_route_secret_previous: [secret(0)], note: { kept: true } };

    const next = nextIpnRouteSecretDocument(current, secret(2));

    expect(next).toEqual({ ...current, ipn_route_secret: secret(2), ipn_route_secret_previous: [secret(1), secret(0)] });
    expect(Object.keys(next)).toEqual(Object.keys(current));
  });

  it('keeps at most previousIpnRouteSecretsKept earlier secrets, dropping the oldest', () => {
    let document: { ipn_route_secret: string; ipn_route_secret_previous?: string[] } = { ...provider, ipn_route_secret: secret(0) };
    for (let n = 1; n <= previousIpnRouteSecretsKept + 3; n += 1) document = nextIpnRouteSecretDocument(document, secret(n));

    const newest = previousIpnRouteSecretsKept + 3;
    expect(document.ipn_route_secret).toBe(secret(newest));
    expect(document.ipn_route_secret_previous).toEqual(
      Array.from({ length: previousIpnRouteSecretsKept }, (_, i) => secret(newest - 1 - i)),
    );
  });

  it('accepts a token minted under a secret for previousIpnRouteSecretsKept more rotations, and not one more', () => {
    let document: { ipn_route_secret: string; ipn_route_secret_previous?: string[] } = { ...provider, ipn_route_secret: secret(0) };
    const accepted = () => [document.ipn_route_secret, ...(document.ipn_route_secret_previous ?? [])];
    for (let n = 1; n <= previousIpnRouteSecretsKept; n += 1) {
      document = nextIpnRouteSecretDocument(document, secret(n));
      expect(accepted()).toContain(secret(0));
    }
    document = nextIpnRouteSecretDocument(document, secret(previousIpnRouteSecretsKept + 1));
    expect(accepted()).not.toContain(secret(0));
  });

  it('does not list the current secret twice when an operator already put it in ipn_route_secret_previous', () => {
    const next = nextIpnRouteSecretDocument({ ...provider, ipn_route_secret: secret(1), ipn_route_secret_previous: [secret(1), secret(0)] }, secret(2));

    expect(next.ipn_route_secret_previous).toEqual([secret(1), secret(0)]);
  });

  it('refuses a fresh secret that is already accepted, without quoting it', () => {
    const current = { ...provider, ipn_route_secret: secret(1), ipn_route_secret_previous: [secret(0)] };

    for (const repeated of [secret(1), secret(0)]) {
      expect(() => nextIpnRouteSecretDocument(current, repeated)).toThrow(RangeError);
      expect(() => nextIpnRouteSecretDocument(current, repeated)).not.toThrow(new RegExp(repeated));
    }
  });

  it('does not modify the document it was given', () => {
    const current = { ...provider, ipn_route_secret: secret(1), ipn_route_secret_previous: [secret(0)] };
    const copy = structuredClone(current);

    nextIpnRouteSecretDocument(current, secret(2));

    expect(current).toEqual(copy);
  });
});

describe('rotation interval and kept secrets', () => {
  it('keep a rotated-out secret accepted past the IPN delivery horizon, with room for the unscheduled rotations', () => {
    // A token minted just before its secret is rotated out is accepted for kept × interval days.
    const scheduledSlots = previousIpnRouteSecretsKept - unscheduledRotationAllowance;
    expect(scheduledSlots * ipnRouteSecretRotationDays).toBeGreaterThanOrEqual(ipnDeliveryHorizonDays);
    expect(ipnDeliveryHorizonDays).toBeGreaterThanOrEqual(540);
    expect(unscheduledRotationAllowance).toBeGreaterThanOrEqual(1);
  });
});
