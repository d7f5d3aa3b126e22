// Velocity limits on checkout creation (card-testing protection), checked before
// the provider is called: per payer (or mandate) creates a minute and declines an
// hour, per card token declines a day (over all payers), per source IP creates a
// minute. A create counts once it is sent to the provider; a decline when the
// provider declines. Replays never get here (idempotency answers them first).
//
// The check reads every counter at once and refuses with the longest Retry-After
// among the limits hit. Concurrent first attempts can each pass the same check
// before any of them is recorded, so a burst may overshoot a limit by the number
// of requests in flight at that moment; the per-minute create limits bound that.
import { createHash } from 'node:crypto';
import { judgeWindow, VelocityLimitedError, windowRules, type VelocityDimension, type VelocityLimits } from '#functions/domain/velocity.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { VelocityStore } from '#functions/ports/velocity-store.ts';

export interface VelocityDeps {
  store: VelocityStore;
  clock: Clock;
  limits: VelocityLimits;
}

/** Who a create is counted against. `payer` is the user's sub, or the mandate for an agent. */
export interface VelocitySubject {
  payer: string;
  cardToken: string;
  sourceIp: string;
}

// Counter keys hold digests, so no card token, user id or address sits in the table in clear.
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

function counterKeys(subject: VelocitySubject): Record<VelocityDimension, string> {
  return {
    payer_creates: `payer_creates#${digest(subject.payer)}`,
    payer_declines: `payer_declines#${digest(subject.payer)}`,
    card_declines: `card_declines#${digest(subject.cardToken)}`,
    ip_creates: `ip_creates#${digest(subject.sourceIp)}`,
  };
}

/** The counters of a subject as read at `now`. */
export interface VelocityReading {
  now: number;
  recent: ReadonlyMap<string, readonly number[]>;
}

/** Reads every counter of the subject at once (one call), to be judged by judgeVelocity. */
export async function readVelocity(deps: VelocityDeps, subject: VelocitySubject): Promise<VelocityReading> {
  const now = deps.clock.now();
  return { now, recent: await deps.store.recent(Object.values(counterKeys(subject)), now) };
}

/** @throws VelocityLimitedError when any window of the reading is full. */
export function judgeVelocity(deps: Pick<VelocityDeps, 'limits'>, subject: VelocitySubject, { now, recent }: VelocityReading): void {
  const keys = counterKeys(subject);
  const rules = windowRules(deps.limits);
  let worst: VelocityLimitedError | undefined;
  for (const dimension of Object.keys(keys) as VelocityDimension[]) {
    const verdict = judgeWindow(recent.get(keys[dimension]) ?? [], now, rules[dimension]);
    if (!verdict.allowed && (!worst || verdict.retryAfterSeconds > worst.retryAfterSeconds!)) {
      worst = new VelocityLimitedError(dimension, verdict.retryAfterSeconds);
    }
  }
  if (worst) throw worst;
}

/** Counts a create that is about to reach the provider. */
export async function recordCreate(deps: VelocityDeps, subject: VelocitySubject): Promise<void> {
  const now = deps.clock.now();
  const keys = counterKeys(subject);
  const rules = windowRules(deps.limits);
  await Promise.all([deps.store.record(keys.payer_creates, now, rules.payer_creates), deps.store.record(keys.ip_creates, now, rules.ip_creates)]);
}

/** Counts a decline against the payer and the card. */
export async function recordDecline(deps: VelocityDeps, subject: VelocitySubject): Promise<void> {
  const now = deps.clock.now();
  const keys = counterKeys(subject);
  const rules = windowRules(deps.limits);
  await Promise.all([deps.store.record(keys.payer_declines, now, rules.payer_declines), deps.store.record(keys.card_declines, now, rules.card_declines)]);
}
