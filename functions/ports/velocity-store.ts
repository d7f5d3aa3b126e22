// Where the velocity windows live: one counter per (dimension, subject), each
// holding the timestamps of its recent events. Only the events a window needs
// are kept, and a counter expires when its newest event has left the window.
import type { WindowRule } from '#functions/domain/velocity.ts';

export interface VelocityStore {
  /** Each counter's recent events (epoch ms); an unknown or expired counter has none. */
  recent(counterKeys: readonly string[], now: number): Promise<ReadonlyMap<string, readonly number[]>>;
  /** Adds an event at `at`, keeping what `rule` needs; concurrent records of one counter all count. */
  record(counterKey: string, at: number, rule: WindowRule): Promise<void>;
}
