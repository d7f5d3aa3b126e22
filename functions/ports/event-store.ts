// Where events and their deliveries live, and how far each subject's changes were published.
import type { Delivery, DeliveryStatus, EventType, StoredEvent } from '#functions/domain/events.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';

/** What an attempt's answer changes on its delivery. */
export interface AttemptRecord {
  lastStatusCode: number | null;
  /** Absent: the status stays as it is. */
  status?: DeliveryStatus;
  /** Clears `nextAttemptAt` (delivered or failed). */
  clearNextAttempt: boolean;
  /** Only while the delivery is still pending (a scheduled failure never overwrites a concurrent success). */
  onlyIfPending: boolean;
}

export interface EventStore {
  /** Stores the event unless one with its id exists: true when stored by this call. */
  putIfAbsent(event: StoredEvent): Promise<boolean>;
  /** The event, or undefined when unknown or past its expiry. */
  get(id: string): Promise<StoredEvent | undefined>;
  /** Newest first, optionally of one type; expired events left out. */
  list(page: PageRequest & { type?: EventType }): Promise<Page<StoredEvent>>;
  /**
   * Claims the scheduled attempt due at `dueAt` (the delivery is pending and still
   * due then): counts it and moves `nextAttemptAt` to `nextAttemptAt`. Undefined when
   * another worker claimed it first or the delivery is settled.
   */
  claimScheduledAttempt(eventId: string, endpointId: string, dueAt: string, nextAttemptAt: string | null): Promise<Delivery | undefined>;
  /** Counts a redelivery attempt; undefined when the event or delivery is gone. */
  claimExtraAttempt(eventId: string, endpointId: string): Promise<Delivery | undefined>;
  recordAttempt(eventId: string, endpointId: string, record: AttemptRecord): Promise<void>;
  /** Every change of the subject up to this version has its events stored (0: none). */
  publishedVersion(subjectId: string): Promise<number>;
  markPublished(subjectId: string, version: number): Promise<void>;
  /** Local catch-up: events created since `sinceIso` with a pending delivery. */
  listPendingSince(sinceIso: string): Promise<StoredEvent[]>;
}
