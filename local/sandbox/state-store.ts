// The sandbox's state, persisted as one JSON document under `${dataDir}/sandbox/`.
// Writes are coalesced (a burst of calls costs one write) and atomic (temp file +
// rename), so a crash leaves either the old or the new document, never half of one.
// Access tokens are kept only as SHA-256 digests and card numbers not at all.
import { createHash, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeePayer } from '#local/sandbox/wire-money.ts';

export const checkoutStates = [
  'new',
  'authorized',
  'captured',
  'released',
  'cancelled',
  'refunded',
  'charged back',
  'failed',
  'expired',
] as const;
export type CheckoutState = (typeof checkoutStates)[number];

export interface UserRecord {
  user_id: number;
  email: string;
  first_name: string;
  last_name: string;
  create_time: number;
}

export interface TokenRecord {
  user_id: number;
  revoked: boolean;
}

export interface AccountRecord {
  account_id: number;
  owner_user_id: number;
  name: string;
  description: string;
  reference_id: string | null;
  state: 'active';
  create_time: number;
}

export interface CardRecord {
  credit_card_id: number;
  brand: string;
  last_four: string;
  declines: boolean;
  expiration_month: number;
  expiration_year: number;
  user_name: string;
  create_time: number;
}

export type CheckoutPayment =
  | { kind: 'credit_card'; credit_card_id: number; auto_capture: boolean }
  | { kind: 'hosted' };

/** Amounts in integer cents. */
export interface CheckoutRecord {
  checkout_id: number;
  account_id: number;
  state: CheckoutState;
  short_description: string;
  long_description: string | null;
  type: string;
  currency: string;
  amount: number;
  app_fee: number;
  fee_payer: FeePayer;
  processing_fee: number;
  reference_id: string | null;
  unique_id: string | null;
  amount_refunded: number;
  amount_charged_back: number;
  refund_reason: string | null;
  cancel_reason: string | null;
  create_time: number;
  callback_uri: string | null;
  payment: CheckoutPayment;
  /** The next automatic move (capture, release, expiry), epoch ms; survives restarts. */
  next_transition: { to: CheckoutState; at: number } | null;
}

/** What a unique_id was used for: the checkout it created, or the decline it got. */
export interface UniqueIdRecord {
  fingerprint: string;
  checkout_id: number | null;
  declined: boolean;
}

/** An IPN waiting to be (re)sent: `attempt` tries have been made so far. */
export interface PendingIpn {
  checkout_id: number;
  attempt: number;
  due_at: number;
}

export interface SandboxState {
  version: 1;
  next_id: { user: number; account: number; credit_card: number; checkout: number };
  users: Record<string, UserRecord>;
  /** Keyed by the SHA-256 hex digest of the access token. */
  tokens: Record<string, TokenRecord>;
  accounts: Record<string, AccountRecord>;
  credit_cards: Record<string, CardRecord>;
  checkouts: Record<string, CheckoutRecord>;
  unique_ids: Record<string, UniqueIdRecord>;
  pending_ipns: Record<string, PendingIpn>;
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function freshState(): SandboxState {
  // Ids start at a random base so that two fresh sandboxes rarely hand out the same ids.
  const base = randomInt(1_000, 9_000) * 100_000;
  return {
    version: 1,
    next_id: { user: base + 1, account: base + 1, credit_card: base + 1, checkout: base + 1 },
    users: {},
    tokens: {},
    accounts: {},
    credit_cards: {},
    checkouts: {},
    unique_ids: {},
    pending_ipns: {},
  };
}

const WRITE_DELAY_MS = 20;

export class SandboxStore {
  readonly state: SandboxState;
  private readonly file: string;
  private writeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastWriteMs = 0;
  /** Why the last background write failed, if it did; close() writes again and throws if it still fails. */
  lastWriteError: unknown;

  private constructor(
    private readonly directory: string,
    state: SandboxState,
  ) {
    this.state = state;
    this.file = join(directory, 'state.json');
  }

  /** Opens (or creates) the state under `directory`. */
  static open(directory: string): SandboxStore {
    mkdirSync(directory, { recursive: true });
    let state: SandboxState;
    try {
      state = JSON.parse(readFileSync(join(directory, 'state.json'), 'utf8')) as SandboxState;
      if (state.version !== 1) throw new Error(`unsupported sandbox state version ${String(state.version)}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      state = freshState();
    }
    return new SandboxStore(directory, state);
  }

  nextId(kind: keyof SandboxState['next_id']): number {
    const id = this.state.next_id[kind];
    this.state.next_id[kind] = id + 1;
    return id;
  }

  /**
   * Marks the state changed; it reaches the disk shortly. The wait grows with the
   * cost of a write, so that a large state under load spends most of its time
   * answering calls rather than serializing itself.
   */
  changed(): void {
    if (this.closed || this.writeTimer) return;
    this.writeTimer = setTimeout(() => {
      try {
        this.flush();
      } catch (error) {
        // Kept in memory; the next change (or close) tries again and reports it.
        this.lastWriteError = error;
      }
    }, Math.max(WRITE_DELAY_MS, this.lastWriteMs * 4));
    this.writeTimer.unref();
  }

  /** Writes the state now, atomically. */
  flush(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    const started = Date.now();
    const temporary = join(this.directory, `state.json.${process.pid}.tmp`);
    writeFileSync(temporary, JSON.stringify(this.state));
    renameSync(temporary, this.file);
    this.lastWriteMs = Date.now() - started;
    this.lastWriteError = undefined;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }
}
