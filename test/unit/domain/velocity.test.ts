import fc from 'fast-check';
import { eventsInWindow, judgeWindow, withEvent, type WindowRule } from '#functions/domain/velocity.ts';

const rule: WindowRule = { dimension: 'payer_declines', limit: 5, windowMs: 3_600_000 };
const now = 1_800_000_000_000;

describe('velocity windows', () => {
  it('lets the 5th decline of the hour through and refuses the 6th attempt', () => {
    const four = [1, 2, 3, 4].map((m) => now - m * 60_000);
    expect(judgeWindow(four, now, rule)).toEqual({ allowed: true });
    expect(judgeWindow([...four, now - 30_000], now, rule).allowed).toBe(false);
  });

  it('says to retry when the oldest counted event leaves the window', () => {
    const events = [50, 40, 30, 20, 10].map((m) => now - m * 60_000);
    expect(judgeWindow(events, now, rule)).toEqual({ allowed: false, retryAfterSeconds: 10 * 60 });
  });

  it('never counts events that have left the window', () => {
    const old = [now - rule.windowMs, now - rule.windowMs - 1, now - 2 * rule.windowMs];
    expect(eventsInWindow(old, now, rule.windowMs)).toEqual([]);
    expect(judgeWindow([...old, ...old], now, rule)).toEqual({ allowed: true });
  });

  it('refuses exactly when the window holds the limit, with a wait of at least 1 s that frees a slot (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 * rule.windowMs }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 12 }),
        (ages, limit) => {
          const r = { ...rule, limit };
          const events = ages.map((age) => now - age);
          const inWindow = eventsInWindow(events, now, r.windowMs).length;
          const verdict = judgeWindow(events, now, r);
          expect(verdict.allowed).toBe(inWindow < limit);
          if (!verdict.allowed) {
            expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            const later = now + verdict.retryAfterSeconds * 1000;
            expect(judgeWindow(events, later, r)).toEqual({ allowed: true });
          }
        },
      ),
    );
  });

  it('keeps what a judgement needs when recording: the same verdicts as the full history (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (offsets, limit) => {
        const r = { ...rule, limit };
        const times = [...offsets].sort((a, b) => a - b).map((o) => now + o);
        let kept: number[] = [];
        for (const at of times) kept = withEvent(kept, at, r);
        expect(kept.length).toBeLessThanOrEqual(limit);
        const end = times.at(-1) ?? now;
        for (const probe of [end, end + 1_000, end + r.windowMs / 2]) {
          expect(judgeWindow(kept, probe, r)).toEqual(judgeWindow(times, probe, r));
        }
      }),
    );
  });
});
