// Fault injection for tests: a fault armed on a path applies to the next `times`
// calls of that path, then disarms itself.

export type FaultMode = 'drop_after_commit' | 'drop_before_commit' | 'unknown_error' | 'throttle' | { delay_ms: number };

export interface ArmedFault {
  path: string;
  mode: FaultMode;
  remaining: number;
}

/** The fault's name as the calls log shows it: the mode, or `delay_ms:<D>`. */
export function faultName(mode: FaultMode): string {
  return typeof mode === 'string' ? mode : `delay_ms:${mode.delay_ms}`;
}

export function parseFaultMode(value: unknown): FaultMode | undefined {
  if (value === 'drop_after_commit' || value === 'drop_before_commit' || value === 'unknown_error' || value === 'throttle') {
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const delay = (value as Record<string, unknown>)['delay_ms'];
    if (typeof delay === 'number' && Number.isInteger(delay) && delay >= 0 && delay <= 600_000) return { delay_ms: delay };
  }
  return undefined;
}

export class FaultInjector {
  private faults: ArmedFault[] = [];

  arm(path: string, mode: FaultMode, times: number): void {
    this.faults.push({ path, mode, remaining: times });
  }

  clear(): void {
    this.faults = [];
  }

  list(): ArmedFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** The fault for this call, if one is armed on its path (oldest first); counts it down. */
  take(path: string): FaultMode | undefined {
    const fault = this.faults.find((candidate) => candidate.path === path && candidate.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((candidate) => candidate.remaining > 0);
    return fault.mode;
  }
}
