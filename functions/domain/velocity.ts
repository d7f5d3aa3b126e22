// Card-testing protection: sliding windows over recent events (creates and
// declines) per payer, per card token and per source IP. Pure arithmetic over
// timestamps; where they are kept is a port's business.
import { RateLimitedError } from './errors.ts';

/** What a window counts, and over whom. */
export type VelocityDimension = 'payer_creates' | 'payer_declines' | 'card_declines' | 'ip_creates';

export interface WindowRule {
  dimension: VelocityDimension;
  limit: number;
  windowMs: number;
}

/** The API's limits; each count is configurable (functions/config.ts). */
export interface VelocityLimits {
  createsPerMinute: number;
  declinesPerHour: number;
  declinesPerCardPerDay: number;
  createsPerIpPerMinute: number;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export function windowRules(limits: VelocityLimits): Record<VelocityDimension, WindowRule> {
  return {
    payer_creates: { dimension: 'payer_creates', limit: limits.createsPerMinute, windowMs: minute },
    payer_declines: { dimension: 'payer_declines', limit: limits.declinesPerHour, windowMs: hour },
    card_declines: { dimension: 'card_declines', limit: limits.declinesPerCardPerDay, windowMs: day },
    ip_creates: { dimension: 'ip_creates', limit: limits.createsPerIpPerMinute, windowMs: minute },
  };
}

/** The events still inside the window ending at `now` (an event exactly `windowMs` old has left it). */
export function eventsInWindow(events: readonly number[], now: number, windowMs: number): number[] {
  return events.filter((at) => at > now - windowMs && at <= now);
}

export type WindowVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Whether one more event fits: refused when the window already holds `limit`
 * events; then Retry-After is the seconds until the oldest of the last `limit`
 * leaves it (at least 1), when exactly one more would fit again.
 */
export function judgeWindow(events: readonly number[], now: number, rule: WindowRule): WindowVerdict {
  const inWindow = eventsInWindow(events, now, rule.windowMs).sort((a, b) => a - b);
  if (inWindow.length < rule.limit) return { allowed: true };
  const freesASlot = inWindow[inWindow.length - rule.limit]!;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((freesASlot + rule.windowMs - now) / 1000)) };
}

/** What a counter keeps after recording an event: only the window's events, at most `limit` of them (enough to judge). */
export function withEvent(events: readonly number[], at: number, rule: WindowRule): number[] {
  return [...eventsInWindow(events, at, rule.windowMs), at].sort((a, b) => a - b).slice(-Math.max(1, rule.limit));
}

/** A create refused by a velocity limit; `dimension` names the limit (the longest wait when several). */
export class VelocityLimitedError extends RateLimitedError {
  constructor(
    readonly dimension: VelocityDimension,
    retryAfterSeconds: number,
  ) {
    super('Too many checkout attempts; retry after the time in Retry-After', retryAfterSeconds);
  }
}
