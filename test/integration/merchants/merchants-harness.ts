// The runtime of `npm start` with a recording proxy between the API and the
// provider sandbox, plus what the merchant tests need around it: fresh merchant
// users from the local issuer, the sandbox's test API, and every reply kept.
import { randomBytes, randomUUID } from 'node:crypto';
import { ensureLocalIssuer, type LocalIssuer } from '#local/issuer.ts';
import { expectEveryResponseHeaders, type Reply } from '../../support/api-expectations.ts';
import type { KnownSecret } from '../../support/secret-scan.ts';
import { startTestRuntime, type CallOptions, type TestRuntime } from '../../support/local-runtime.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';

export interface SandboxCall {
  path: string;
  status: number | null;
  error_code?: number | null;
  fault?: string | null;
}

export interface MerchantHarness {
  api: TestRuntime;
  proxy: RecordingProxy;
  issuer: LocalIssuer;
  sandboxUrl: string;
  /** The text of every API reply so far (for the no-credentials-in-responses check). */
  replies: string[];
  /** One API call; every reply passes the API's every-response header checks. */
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** A user of the local issuer with a fresh `sub`. */
  newUser(groups: readonly string[]): { sub: string; token: string };
  /** The sandbox's calls log for a path. */
  sandboxCalls(path: string): Promise<SandboxCall[]>;
  /** Every access token the provider issued through the proxy (/v2/user/register answers), as known secrets. */
  providerAccessTokens(): KnownSecret[];
  armFault(path: string, mode: string, times?: number): Promise<void>;
  clearFaults(): Promise<void>;
  close(): Promise<void>;
}

export async function startMerchantHarness(options: { log?: (line: string) => void } = {}): Promise<MerchantHarness> {
  let sandboxUrl = '';
  const proxy = await startRecordingProxy(() => sandboxUrl);
  const api = await startTestRuntime({
    // The functions' JSON lines too (LOG_FORMAT=json): the secret scans read every line.
    logFormat: 'json',
    ...options,
    providerBaseUrl: (url) => {
      sandboxUrl = url;
      return `${proxy.url}/v2`;
    },
  });
  // The same data directory, hence the same key pair and dev users as the runtime's issuer.
  const issuer = await ensureLocalIssuer(api.dataDir);
  const replies: string[] = [];

  const sandbox = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandboxUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`sandbox ${method} ${path} answered ${response.status}`);
    const text = await response.text();
    return (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  };

  return {
    api,
    proxy,
    issuer,
    sandboxUrl,
    replies,
    async call(method, path, callOptions) {
      const reply = await api.call(method, path, callOptions);
      replies.push(reply.text);
      expectEveryResponseHeaders(reply);
      return reply;
    },
    newUser(groups) {
      const sub = randomUUID();
      return { sub, token: issuer.mint({ sub, groups }) };
    },
    async sandboxCalls(path) {
      return ((await sandbox('GET', `/__sandbox/calls?path=${encodeURIComponent(path)}`)).calls as SandboxCall[]);
    },
    providerAccessTokens() {
      return proxy
        .exchanges('/v2/user/register')
        .map((exchange) => exchange.response?.access_token)
        .filter((token): token is string => typeof token === 'string')
        .map((value) => ({ label: 'merchant access token', value }));
    },
    async armFault(path, mode, times = 1) {
      await sandbox('POST', '/__sandbox/faults', { path, mode, times });
    },
    async clearFaults() {
      await sandbox('DELETE', '/__sandbox/faults');
    },
    async close() {
      await api.close();
      await proxy.close();
    },
  };
}

/**
 * A unique email of letters only: a UUID in it would, about once in 500, hold a
 * Luhn-valid digit run, which the API rightly refuses as raw_card_data.
 */
export function uniqueEmail(): string {
  const letters = Array.from(randomBytes(16), (byte) => String.fromCharCode(97 + (byte % 26))).join('');
  return `owner-${letters}@example.com`;
}

/** A POST /v1/merchants body as in the API contract, with a unique email unless one is given. */
export function onboardingBody(name: string, email = uniqueEmail()) {
  return { email, first_name: 'Ada', last_name: 'Lovelace', account: { name, description: 'Coffee' } };
}
