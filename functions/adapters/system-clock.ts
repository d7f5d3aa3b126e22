import type { Clock } from '#functions/ports/clock.ts';

/** The wall clock; tests inject their own Clock instead. */
export const systemClock: Clock = { now: () => Date.now() };
