// Version 1 kept the whole state in one `state.json`, rewritten on every change.
// Its records are the current ones but for the unique_ids' fingerprints, which
// were the parameters themselves and are now a digest of them.
import { parameterFingerprint, type LegacyStateV1 } from '#local/sandbox/records.ts';
import type { Entry } from '#local/sandbox/persistence/line-file.ts';

export function migrateLegacyState(document: unknown, apply: (entry: Entry) => void): void {
  const state = document as LegacyStateV1;
  if (state?.version !== 1) throw new Error(`unsupported sandbox state version ${String(state?.version)}`);
  apply({ k: 'next_id', id: '', v: state.next_id });
  const kinds = ['users', 'tokens', 'accounts', 'credit_cards', 'checkouts', 'pending_ipns'] as const;
  for (const kind of kinds) {
    for (const [id, value] of Object.entries(state[kind] ?? {})) apply({ k: kind, id, v: value });
  }
  for (const [id, used] of Object.entries(state.unique_ids ?? {})) {
    apply({ k: 'unique_ids', id, v: { ...used, fingerprint: parameterFingerprint(used.fingerprint) } });
  }
}
