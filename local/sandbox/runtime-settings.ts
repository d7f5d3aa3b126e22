// The settings of a running sandbox that `/__sandbox/config` reads and changes
// (not persisted: a restart takes them from the start options again).
import type { LifecycleDelays } from '#local/sandbox/checkout-lifecycle.ts';
import type { Throttle, ThrottleLimit } from '#local/sandbox/throttle.ts';

export interface RuntimeSettings {
  /** False: IPNs are not sent (as if lost) until set back to true. */
  ipn: boolean;
  timeScale: number;
  lifecycle: LifecycleDelays;
  ipnBatchWindowMs: number;
}

function isNonNegativeNumberOrNull(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}

function parseThrottle(value: unknown): ThrottleLimit | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'object' || value === undefined) return undefined;
  const { calls, window_s: windowS } = value as Record<string, unknown>;
  if (typeof calls !== 'number' || !Number.isInteger(calls) || calls < 1) return undefined;
  if (typeof windowS !== 'number' || !(windowS > 0)) return undefined;
  return { calls, window_s: windowS };
}

/**
 * Applies the given subset of settings, in order; answers why a value is refused
 * (the settings before it are already applied, as they always were).
 */
export function applySettings(settings: RuntimeSettings, throttle: Throttle, body: Record<string, unknown>): string | undefined {
  if ('ipn' in body) {
    if (typeof body['ipn'] !== 'boolean') return 'ipn must be true or false';
    settings.ipn = body['ipn'];
  }
  if ('throttle' in body) {
    const limit = parseThrottle(body['throttle']);
    if (limit === undefined) return 'throttle must be null or {"calls": N, "window_s": S}';
    throttle.configure(limit);
  }
  if ('lifecycle' in body) {
    const given = body['lifecycle'] as Record<string, unknown> | null;
    const capture = given?.['captureAfterMs'] ?? null;
    const release = given?.['releaseAfterMs'] ?? null;
    if (!isNonNegativeNumberOrNull(capture) || !isNonNegativeNumberOrNull(release)) {
      return 'lifecycle must be {"captureAfterMs": ms | null, "releaseAfterMs": ms | null}';
    }
    settings.lifecycle = { captureAfterMs: capture, releaseAfterMs: release };
  }
  if ('timeScale' in body) {
    const scale = body['timeScale'];
    if (typeof scale !== 'number' || !(scale > 0)) return 'timeScale must be a number greater than 0';
    settings.timeScale = scale;
  }
  if ('ipnBatchWindowMs' in body) {
    const windowMs = body['ipnBatchWindowMs'];
    if (typeof windowMs !== 'number' || !(windowMs >= 0)) return 'ipnBatchWindowMs must be a number ≥ 0';
    settings.ipnBatchWindowMs = windowMs;
  }
  return undefined;
}
