// Every call the sandbox receives, oldest first, for tests to inspect. Kept in
// memory only (it is introspection, not provider state): a restart empties it.

export interface RecordedCall {
  path: string;
  unique_id: string | null;
  checkout_id: number | null;
  /** The HTTP status answered, or null when the connection was dropped without an answer (see `fault`). */
  status: number | null;
  /** WePay's error_code when the call failed. */
  error_code: number | null;
  at: string;
  /** The injected fault that applied to this call, if any: a mode name or `delay_ms:<D>`. */
  fault: string | null;
  /** True for a call made inside /v2/batch/create. */
  via_batch: boolean;
}

const LOG_LIMIT = 100_000;

function idOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return null;
}

export class CallLog {
  private calls: RecordedCall[] = [];

  record(entry: {
    path: string;
    params: unknown;
    status: number | null;
    body: unknown;
    fault: string | null;
    viaBatch: boolean;
  }): void {
    const params = (typeof entry.params === 'object' && entry.params !== null ? entry.params : {}) as Record<string, unknown>;
    const body = (typeof entry.body === 'object' && entry.body !== null ? entry.body : {}) as Record<string, unknown>;
    const uniqueId = params['unique_id'];
    this.calls.push({
      path: entry.path,
      unique_id: typeof uniqueId === 'string' || typeof uniqueId === 'number' ? String(uniqueId) : null,
      checkout_id: idOrNull(body['checkout_id']) ?? idOrNull(params['checkout_id']),
      status: entry.status,
      error_code: typeof body['error_code'] === 'number' ? body['error_code'] : null,
      at: new Date().toISOString(),
      fault: entry.fault,
      via_batch: entry.viaBatch,
    });
    if (this.calls.length > LOG_LIMIT) this.calls.shift();
  }

  list(path: string | null): RecordedCall[] {
    return path === null ? [...this.calls] : this.calls.filter((call) => call.path === path);
  }

  clear(): void {
    this.calls = [];
  }
}
