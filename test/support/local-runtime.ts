// The local runtime of `npm start`, started in-process for integration tests: free
// ports, a fresh data directory, and a JSON client. It installs its
// configuration and adapters into the process's functions/wiring (one composition
// per process, as one Lambda instance), so run one per test file.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime, type DevJson, type LocalRuntime, type LocalRuntimeOptions } from '#local/runtime.ts';
import type { Reply } from './api-expectations.ts';

export function newDataDir(prefix = 'payments-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A port that was free a moment ago (for child processes, which cannot be given port 0 and report back). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface CallOptions {
  /** An object is sent as JSON; a string as is (set its Content-Type in headers). */
  body?: unknown;
  /** A bearer token, e.g. `dev.tokens.payer`. */
  token?: string;
  headers?: Record<string, string>;
}

/** One HTTP call; the reply's header names are lower-cased and its JSON body parsed. */
export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined && typeof options.body !== 'string') headers['Content-Type'] = 'application/json';
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  Object.assign(headers, options.headers);
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), body: text === '' ? null : JSON.parse(text), text };
}

export interface TestRuntime {
  runtime: LocalRuntime;
  apiUrl: string;
  dataDir: string;
  dev: DevJson;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  close(): Promise<void>;
}

/** Starts the runtime on free ports (a fresh data directory unless one is given). */
export async function startTestRuntime(options: Partial<Omit<LocalRuntimeOptions, 'port' | 'sandboxPort'>> = {}): Promise<TestRuntime> {
  // Every test request comes from one address and a few payers: the velocity limits
  // (card-testing protection) would refuse tests about other things. The velocity
  // tests set their own limits before starting a runtime.
  for (const limit of ['VELOCITY_CREATES_PER_MINUTE', 'VELOCITY_DECLINES_PER_HOUR', 'VELOCITY_DECLINES_PER_CARD_PER_DAY', 'VELOCITY_CREATES_PER_IP_PER_MINUTE']) {
    process.env[limit] ??= '1000000';
  }
  const dataDir = options.dataDir ?? newDataDir();
  const runtime = await startLocalRuntime({ ...options, dataDir, port: 0, sandboxPort: 0, log: options.log ?? (process.env.PAYMENTS_TEST_LOGS === '1' ? (line: string) => process.stderr.write(`${line}\n`) : () => undefined) });
  return {
    runtime,
    apiUrl: runtime.apiUrl,
    dataDir: runtime.dataDir,
    dev: runtime.dev,
    call: (method, path, callOptions) => call(runtime.apiUrl, method, path, callOptions),
    close: () => runtime.close(),
  };
}
