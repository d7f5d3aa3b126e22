// The agent's token and its mandate's expiry, with an injected clock and an in-memory repository.
import { agentTokenHash, authenticateAgent, createMandate } from '#functions/app/mandates.ts';
import { agentMandateFor } from '#functions/app/mandate-spending.ts';
import { spendRefusal, type Mandate, type SpendRefusal } from '#functions/domain/mandate.ts';
import type { Page } from '#functions/domain/page.ts';
import type { MandateRepository } from '#functions/ports/mandate-repository.ts';

class MemoryMandates implements MandateRepository {
  readonly mandates = new Map<string, Mandate>();
  readonly hashes = new Map<string, string>();
  async create(mandate: Mandate, tokenHash: string) {
    this.mandates.set(mandate.id, { ...mandate });
    this.hashes.set(tokenHash, mandate.id);
  }
  async get(id: string) {
    const found = this.mandates.get(id);
    return found ? { ...found } : undefined;
  }
  async getByTokenHash(hash: string) {
    const id = this.hashes.get(hash);
    return id === undefined ? undefined : this.get(id);
  }
  async listByPayer(): Promise<Page<Mandate>> {
    return { items: [...this.mandates.values()], nextCursor: null };
  }
  async listAll(): Promise<Page<Mandate>> {
    return { items: [...this.mandates.values()], nextCursor: null };
  }
  async revoke(id: string, at: string) {
    const found = this.mandates.get(id);
    if (found && found.revokedAt === undefined) found.revokedAt = at;
    return this.get(id);
  }
  async spend(id: string, amount: number, nowIso: string): Promise<SpendRefusal | undefined> {
    const found = this.mandates.get(id);
    const why = spendRefusal(found, amount, Date.parse(nowIso));
    if (why === undefined && found) {
      found.spent += amount;
      found.checkoutsCount += 1;
    }
    return why;
  }
  async release(id: string, amount: number) {
    const found = this.mandates.get(id)!;
    found.spent -= amount;
    found.checkoutsCount -= 1;
  }
}

describe('agent tokens and expiry (injected clock)', () => {
  let now = Date.parse('2026-12-01T12:00:00Z');
  const clock = { now: () => now };
  const mandates = new MemoryMandates();
  const deps = {
    mandates,
    clock,
    merchants: { getAccount: async (id: string) => (id === 'acc_1' ? ({ id } as never) : undefined) },
    provider: { lookUpCard: async () => undefined },
  };
  const payer = { sub: 'payer-1', roles: ['payer'] as const };
  const input = {
    agent: { name: 'Trip planner' },
    currency: 'USD' as const,
    perCheckoutMax: 5000,
    totalMax: 20000,
    accountIds: ['acc_1'],
    creditCardId: '42',
    expiresAt: '2026-12-02T12:00:00Z',
  };

  it('stores only the hash of a fresh agt_ token of 32 random bytes', async () => {
    const { mandate, token } = await createMandate(deps, payer, input);
    expect(token).toMatch(/^agt_[A-Za-z0-9_-]{43}$/);
    expect(mandates.hashes.get(agentTokenHash(token))).toBe(mandate.id);
    expect(JSON.stringify([...mandates.mandates.values(), ...mandates.hashes.keys()])).not.toContain(token.slice(4));
  });

  it('authenticates as the payer with role agent until expires_at, then answers token_expired', async () => {
    now = Date.parse('2026-12-01T12:00:00Z');
    const { mandate, token } = await createMandate(deps, payer, input);
    expect(await authenticateAgent(deps, token)).toEqual({ sub: 'payer-1', roles: ['agent'], mandateId: mandate.id });
    now = Date.parse(input.expiresAt);
    await expect(authenticateAgent(deps, token)).rejects.toMatchObject({ code: 'token_expired' });
    // A request authenticated just before expiry is refused by the use case's own read.
    await expect(agentMandateFor(deps, { sub: 'payer-1', roles: ['agent'], mandateId: mandate.id }, { currency: 'USD', accountId: 'acc_1' })).rejects.toMatchObject({ code: 'token_expired' });
    expect(await mandates.spend(mandate.id, 100, new Date(now).toISOString())).toBe('expired');
  });

  it('answers token_revoked once revoked, even past expiry, and token_invalid for an unknown token', async () => {
    now = Date.parse('2026-12-01T12:00:00Z');
    const { mandate, token } = await createMandate(deps, payer, input);
    await mandates.revoke(mandate.id, new Date(now).toISOString());
    await expect(authenticateAgent(deps, token)).rejects.toMatchObject({ code: 'token_revoked' });
    now = Date.parse('2026-12-03T00:00:00Z');
    await expect(authenticateAgent(deps, token)).rejects.toMatchObject({ code: 'token_revoked' });
    await expect(authenticateAgent(deps, `agt_${'x'.repeat(43)}`)).rejects.toMatchObject({ code: 'token_invalid' });
    await expect(authenticateAgent(deps, 'agt_')).rejects.toMatchObject({ code: 'token_invalid' });
  });
});
