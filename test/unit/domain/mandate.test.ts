import { assertValidNewMandate, mandateStatus, scopeViolation, spendRefusal, type Mandate, type NewMandate } from '#functions/domain/mandate.ts';

const now = Date.parse('2026-12-01T12:00:00Z');
const valid: NewMandate = {
  agent: { name: 'Trip planner' },
  currency: 'USD',
  perCheckoutMax: 5000,
  totalMax: 20000,
  accountIds: ['acc_1', 'acc_2'],
  creditCardId: '42',
  expiresAt: '2026-12-31T00:00:00Z',
};
const stored: Mandate = { ...valid, id: 'mdt_1', payerSub: 'p', spent: 0, checkoutsCount: 0, createdAt: '2026-12-01T00:00:00Z', maxCheckouts: 2 };

describe('mandate rules', () => {
  it('accepts a mandate within the rules', () => {
    expect(() => assertValidNewMandate(valid, now)).not.toThrow();
  });

  it.each([
    [{ perCheckoutMax: 20001 }, 'per_checkout_max'],
    [{ accountIds: ['acc_1', 'acc_1'] }, 'account_ids'],
    [{ accountIds: [] }, 'account_ids'],
    [{ accountIds: Array.from({ length: 21 }, (_, i) => `acc_${i}`) }, 'account_ids'],
    [{ expiresAt: '2026-12-01T11:59:59Z' }, 'expires_at'],
    [{ expiresAt: '2027-03-02T12:00:01Z' }, 'expires_at'],
    [{ expiresAt: 'tomorrow' }, 'expires_at'],
  ])('refuses %j as parameter_invalid on %s', (change, param) => {
    expect(() => assertValidNewMandate({ ...valid, ...change }, now)).toThrow(expect.objectContaining({ code: 'parameter_invalid', param }));
  });

  it('derives the status with the clock: active, then expired at expires_at; revoked wins', () => {
    expect(mandateStatus(stored, now)).toBe('active');
    expect(mandateStatus(stored, Date.parse(stored.expiresAt))).toBe('expired');
    expect(mandateStatus({ ...stored, revokedAt: '2026-12-01T13:00:00Z' }, Date.parse(stored.expiresAt) + 1)).toBe('revoked');
  });

  it('names a scope violation for another currency or an account outside account_ids', () => {
    expect(scopeViolation(stored, { currency: 'CAD', accountId: 'acc_1' })).toBeDefined();
    expect(scopeViolation(stored, { currency: 'USD', accountId: 'acc_9' })).toBeDefined();
    expect(scopeViolation(stored, { currency: 'USD', accountId: 'acc_2' })).toBeUndefined();
  });

  it('names the limit a spend breaks', () => {
    expect(spendRefusal(stored, 5001, now)).toBe('per_checkout_max');
    expect(spendRefusal({ ...stored, spent: 19000 }, 1001, now)).toBe('total_max');
    expect(spendRefusal({ ...stored, spent: 19000 }, 1000, now)).toBeUndefined();
    expect(spendRefusal({ ...stored, checkoutsCount: 2 }, 1, now)).toBe('max_checkouts');
    expect(spendRefusal(stored, 1, Date.parse(stored.expiresAt) + 1)).toBe('expired');
    expect(spendRefusal(undefined, 1, now)).toBe('missing');
  });
});
