// Composition root, time part: the one clock every runtime's use cases get.
export { systemClock } from '#functions/adapters/system-clock.ts';
