import { judgeVelocity, readVelocity, recordCreate, recordDecline, type VelocityDeps, type VelocitySubject } from '#functions/app/velocity.ts';

/** What a creation does before its intent: read the windows, then judge them. */
const checkVelocity = async (deps: VelocityDeps, subject: VelocitySubject) => judgeVelocity(deps, subject, await readVelocity(deps, subject));
import { withEvent, type WindowRule, VelocityLimitedError } from '#functions/domain/velocity.ts';
import type { VelocityStore } from '#functions/ports/velocity-store.ts';

/** The port's contract in memory; records which keys were written so tests can check nothing sensitive is used as a key. */
function memoryStore(): VelocityStore & { keys(): string[] } {
  const counters = new Map<string, number[]>();
  return {
    async recent(keys, _now) {
      return new Map(keys.filter((k) => counters.has(k)).map((k) => [k, counters.get(k)!]));
    },
    async record(key, at, rule: WindowRule) {
      counters.set(key, withEvent(counters.get(key) ?? [], at, rule));
    },
    keys: () => [...counters.keys()],
  };
}

function setup(limits = { createsPerMinute: 30, declinesPerHour: 5, declinesPerCardPerDay: 10, createsPerIpPerMinute: 120 }) {
  let now = Date.parse('2026-12-01T12:00:00Z');
  const store = memoryStore();
  const deps: VelocityDeps = { store, clock: { now: () => now }, limits };
  return { deps, store, advance: (ms: number) => (now += ms) };
}

const alice: VelocitySubject = { payer: 'alice', cardToken: 'card-1', sourceIp: '203.0.113.7' };

async function refusal(deps: VelocityDeps, subject: VelocitySubject): Promise<VelocityLimitedError | undefined> {
  return checkVelocity(deps, subject).then(
    () => undefined,
    (error: unknown) => error as VelocityLimitedError,
  );
}

describe('velocity limits on checkout creation', () => {
  it("refuses a payer's 6th attempt after 5 declines, whatever card it uses, until the first decline is an hour old", async () => {
    const { deps, advance } = setup();
    for (let i = 0; i < 5; i++) {
      await checkVelocity(deps, alice);
      await recordCreate(deps, alice);
      await recordDecline(deps, alice);
      advance(60_000);
    }
    const refused = await refusal(deps, { ...alice, cardToken: 'a-good-card' });
    expect(refused).toBeInstanceOf(VelocityLimitedError);
    expect(refused).toMatchObject({ code: 'rate_limited', dimension: 'payer_declines', retryAfterSeconds: 55 * 60 });
    advance(55 * 60_000);
    await expect(checkVelocity(deps, { ...alice, cardToken: 'a-good-card' })).resolves.toBeUndefined();
  });

  it('leaves another payer unaffected by one payer’s declines', async () => {
    const { deps } = setup();
    for (let i = 0; i < 5; i++) await recordDecline(deps, alice);
    await expect(checkVelocity(deps, { payer: 'bob', cardToken: 'card-2', sourceIp: '198.51.100.1' })).resolves.toBeUndefined();
  });

  it('refuses a card declined as often as the per-card limit allows, for every payer', async () => {
    const { deps } = setup({ createsPerMinute: 30, declinesPerHour: 50, declinesPerCardPerDay: 3, createsPerIpPerMinute: 120 });
    for (const payer of ['p1', 'p2', 'p3']) await recordDecline(deps, { payer, cardToken: 'stolen', sourceIp: `198.51.100.${payer.length}` });
    for (const payer of ['p1', 'p4']) {
      expect(await refusal(deps, { payer, cardToken: 'stolen', sourceIp: '192.0.2.9' })).toMatchObject({ dimension: 'card_declines' });
    }
  });

  it('refuses the 31st create of a minute, and the per-IP limit over all payers', async () => {
    const { deps } = setup({ createsPerMinute: 30, declinesPerHour: 5, declinesPerCardPerDay: 10, createsPerIpPerMinute: 40 });
    for (let i = 0; i < 30; i++) await recordCreate(deps, alice);
    expect(await refusal(deps, alice)).toMatchObject({ dimension: 'payer_creates', retryAfterSeconds: 60 });
    for (let i = 0; i < 10; i++) await recordCreate(deps, { ...alice, payer: `other-${i}` });
    expect(await refusal(deps, { ...alice, payer: 'fresh' })).toMatchObject({ dimension: 'ip_creates' });
  });

  it('answers with the longest wait when several limits are hit', async () => {
    const { deps } = setup({ createsPerMinute: 1, declinesPerHour: 1, declinesPerCardPerDay: 10, createsPerIpPerMinute: 120 });
    await recordCreate(deps, alice);
    await recordDecline(deps, alice);
    expect(await refusal(deps, alice)).toMatchObject({ dimension: 'payer_declines', retryAfterSeconds: 3600 });
  });

  it('keys counters by digests: no payer, card token or address is stored in clear', async () => {
    const { deps, store } = setup();
    await recordCreate(deps, alice);
    await recordDecline(deps, alice);
    const keys = store.keys().join(' ');
    for (const secret of [alice.payer, alice.cardToken, alice.sourceIp]) expect(keys).not.toContain(secret);
  });
});
