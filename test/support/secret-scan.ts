// Looks for credentials and card numbers in text a test collected: log lines,
// response bodies, files. A finding names what was found and where, never the
// secret itself, so a failing test does not print the secret either.
//
// Usage at the end of an integration test file:
//   const logs = collectLogs();                               // before the runtime starts
//   const api = await startTestRuntime({ log: logs.log });
//   ...flows...
//   expectLogsFreeOfSecrets(logs, await knownSecretsOf(api.dataDir, extra));
//   logs.stop();
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { containsCardNumber } from '#functions/domain/card-data.ts';
import { localSecretsPath } from '#local/secrets-file.ts';
import { captureOutput } from './log-capture.ts';

export type SecretKind = 'jwt' | 'bearer_token' | 'known_secret' | 'card_number';

/** A value that must never appear; `label` says what it is (e.g. "client_secret") and is what a finding shows. */
export interface KnownSecret {
  label: string;
  value: string;
}

export interface SecretFinding {
  kind: SecretKind;
  /** The known secret's label, or a description of the pattern. */
  label: string;
  /** Character offset in the scanned text. */
  index: number;
}

const jwt = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g;
// A bearer credential is a token-like run (with a digit in it) after "Bearer" on the same line;
// the logger's "Bearer [REDACTED]" is not, nor is WePay's `"token_type": "BEARER"`.
const bearer = /\bBearer[ \t]+(?!\[REDACTED)(?=[\w.~+/=-]*\d)[\w.~+/=-]{8,}/gi;
// The same runs functions/domain/card-data.ts looks at; whether a run is a card is decided there.
const digitRun = /\d(?:[ -]?\d)*/g;
// A UUID (request ids, Lambda request ids) can hold a Luhn-valid digit-and-dash run by chance
// (about one in a thousand); no card number is written in a UUID's 8-4-4-4-12 shape.
const uuid = /(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/gi;

/** Known secrets shorter than this are not searched for: they would match by chance. */
const minimumKnownSecretLength = 12;

/** Every credential-like or card-like thing in `text`, plus every occurrence of a known secret. */
export function findSecrets(text: string, known: readonly KnownSecret[] = []): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const match of text.matchAll(jwt)) findings.push({ kind: 'jwt', label: 'a JWT', index: match.index });
  for (const match of text.matchAll(bearer)) findings.push({ kind: 'bearer_token', label: 'a bearer token', index: match.index });
  const withoutUuids = text.replace(uuid, (found) => 'u'.repeat(found.length));
  for (const match of withoutUuids.matchAll(digitRun)) {
    if (containsCardNumber(match[0])) findings.push({ kind: 'card_number', label: 'a Luhn-valid 13–19 digit number', index: match.index });
  }
  for (const secret of known) {
    if (secret.value.length < minimumKnownSecretLength) continue;
    for (let index = text.indexOf(secret.value); index !== -1; index = text.indexOf(secret.value, index + 1)) {
      findings.push({ kind: 'known_secret', label: secret.label, index });
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}

/** A failure message: what was found, with a little context whose secret-like parts are blanked out. */
export function describeFindings(text: string, findings: readonly SecretFinding[], source: string): string {
  const shown = findings.slice(0, 10).map((finding) => {
    // Blank out anything token-like or digit-run-like near the finding, which may be another finding.
    const before = text
      .slice(Math.max(0, finding.index - 60), finding.index)
      .replace(/[\w.~+/=-]{12,}/g, '…')
      .replace(/\d(?:[ -]?\d){3,}/g, '…');
    return `  ${finding.kind} (${finding.label}) at ${finding.index}, after: ${JSON.stringify(before)}`;
  });
  const more = findings.length > shown.length ? `\n  … and ${findings.length - shown.length} more` : '';
  return `${findings.length} secret(s) in ${source}:\n${shown.join('\n')}${more}`;
}

/** Fails the test, without printing any secret, when `text` holds one. */
export function expectNoSecrets(text: string, known: readonly KnownSecret[], source: string): void {
  const findings = findSecrets(text, known);
  if (findings.length > 0) throw new Error(describeFindings(text, findings, source));
}

/**
 * The secrets a local runtime's data directory holds by design (the platform's
 * credentials in secrets/platform.json, the dev tokens in dev.json), plus any
 * the test captured itself (e.g. merchant access tokens seen on the wire).
 */
export async function knownSecretsOf(dataDir: string, extra: readonly KnownSecret[] = []): Promise<KnownSecret[]> {
  const platform = JSON.parse(await readFile(localSecretsPath(dataDir), 'utf8')) as Record<string, string>;
  const dev = JSON.parse(await readFile(join(dataDir, 'dev.json'), 'utf8')) as { tokens: Record<string, string> };
  return [
    { label: 'client_secret', value: platform.client_secret ?? '' },
    { label: 'app_access_token', value: platform.app_access_token ?? '' },
    { label: 'ipn_route_secret', value: platform.ipn_route_secret ?? '' },
    ...Object.entries(dev.tokens).map(([user, value]) => ({ label: `dev token ${user}`, value })),
    ...extra,
  ].filter((secret) => secret.value !== '');
}

export interface LogCollector {
  /** Pass as the runtime's `log` option: the API gateway's and the sandbox's lines. */
  log: (line: string) => void;
  /** Every line so far: the runtime's, then everything written to stdout/stderr (the Powertools logger's JSON lines). */
  lines(): string[];
  text(): string;
  /** Stops capturing stdout/stderr. */
  stop(): void;
}

/** Starts collecting the runtime's log lines and the process's output (which it swallows until `stop()`). */
/**
 * CloudWatch EMF metric lines (Powertools Metrics) carry `_aws.Timestamp`, an
 * epoch-milliseconds number of 13 digits that passes the Luhn check one time in
 * ten. It is written by Powertools, never taken from a request, so it is dropped
 * before the scan; everything else on the line is still scanned.
 */
export function withoutEmfTimestamp(line: string): string {
  if (!line.includes('"_aws"')) return line;
  try {
    const parsed = JSON.parse(line) as { _aws?: { Timestamp?: unknown } };
    if (parsed._aws && typeof parsed._aws.Timestamp === 'number') {
      delete parsed._aws.Timestamp;
      return JSON.stringify(parsed);
    }
  } catch {
    // Not JSON after all: scan it as it is.
  }
  return line;
}

export function collectLogs(): LogCollector {
  const runtimeLines: string[] = [];
  const output = captureOutput();
  const lines = () => [...runtimeLines, ...output.text().split('\n').filter((line) => line.trim() !== '').map(withoutEmfTimestamp)];
  return {
    log: (line) => runtimeLines.push(line),
    lines,
    text: () => lines().join('\n'),
    stop: () => output.restore(),
  };
}

/**
 * Asserts that the collected logs hold no secret and no card number, and that
 * there were logs to look at (so the check cannot pass on an empty capture):
 * at least `minimumLines` lines, among them at least one Powertools JSON line.
 */
export function expectLogsFreeOfSecrets(logs: LogCollector, known: readonly KnownSecret[], minimumLines = 1): void {
  const lines = logs.lines();
  expect(lines.length).toBeGreaterThanOrEqual(minimumLines);
  expect(lines.some((line) => line.startsWith('{') && line.includes('"level"'))).toBe(true);
  expectNoSecrets(lines.join('\n'), known, 'the collected log lines');
}
