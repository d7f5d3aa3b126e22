// Events and their delivery to the platform's webhook endpoints, as pure rules:
// the catalog of types, deterministic event ids, Standard Webhooks v1 signing,
// the retry schedule, what an HTTP answer means for a delivery, and the URL rules.
// No I/O: hashing and HMAC are computations.
import { createHash, createHmac } from 'node:crypto';
import type { CheckoutEventType } from './checkout-changes.ts';

export const checkoutEventTypes = [
  'checkout.created',
  'checkout.authorized',
  'checkout.captured',
  'checkout.released',
  'checkout.cancelled',
  'checkout.refunded',
  'checkout.charged_back',
  'checkout.failed',
  'checkout.expired',
  'checkout.refund.succeeded',
  'checkout.updated',
] as const satisfies readonly CheckoutEventType[];

export const eventTypes = [...checkoutEventTypes, 'merchant.account.created', 'mandate.created', 'mandate.revoked'] as const;
export type EventType = (typeof eventTypes)[number];

/** Events are kept at least 30 days; a day more so a reader at the edge still finds them. */
export const eventRetentionMs = 31 * 24 * 3600 * 1000;

/**
 * One id per (subject, version, type): the same change published twice is the
 * same event, so at-least-once publication never makes two events of one change.
 */
export function eventIdFor(subjectId: string, version: number, type: EventType): string {
  const digest = createHash('sha256').update(JSON.stringify(['event', subjectId, version, type])).digest('base64url');
  return `evt_${digest.slice(0, 24)}`;
}

/** What a platform receives (and `GET /v1/events` lists): no deliveries. */
export interface EventBody {
  id: string;
  type: EventType;
  created_at: string;
  data: { object: Record<string, unknown>; refund?: Record<string, unknown> };
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  endpointId: string;
  status: DeliveryStatus;
  /** Every attempt made, scheduled ones and redeliveries alike. */
  attempts: number;
  /** Scheduled attempts made: the position in `retryDelaysMs` (redeliveries do not move it). */
  scheduledAttempts: number;
  lastStatusCode: number | null;
  /** ISO-8601: when the next scheduled attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
}

export interface StoredEvent {
  body: EventBody;
  deliveries: Delivery[];
  /** Epoch ms after which the event may be forgotten. */
  expiresAt: number;
}

/**
 * Delay before each scheduled attempt: the first at once, then after 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h and 10 h; after the last, the delivery failed.
 */
export const retryDelaysMs = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** The delay before the scheduled attempt that follows `scheduledAttempts` made ones, or undefined: none left. */
export function delayAfter(scheduledAttempts: number): number | undefined {
  return retryDelaysMs[scheduledAttempts];
}

/** What an endpoint's answer means: a 2xx delivered, a 410 gone (fail and disable), anything else retry. */
export type AttemptOutcome = 'delivered' | 'gone' | 'retry';

export function outcomeOf(statusCode: number | null): AttemptOutcome {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 410) return 'gone';
  return 'retry';
}

export function newDelivery(endpointId: string, at: string): Delivery {
  return { endpointId, status: 'pending', attempts: 0, scheduledAttempts: 0, lastStatusCode: null, nextAttemptAt: at };
}

// --- Secrets and signatures (Standard Webhooks v1) ---

export const secretPrefix = 'whsec_';

/** `whsec_` + the standard base64 of the key bytes (24–64 of them). */
export function formatSecret(key: Uint8Array): string {
  if (key.length < 24 || key.length > 64) throw new RangeError('A webhook secret has 24 to 64 bytes');
  return `${secretPrefix}${Buffer.from(key).toString('base64')}`;
}

export function secretKeyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated. */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretKeyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`)
    .join(' ');
}

export function webhookHeaders(secrets: readonly string[], id: string, nowMs: number, body: string): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, id, timestamp, body),
  };
}

/** A rotated-out secret still signs for this long (24 hours). */
export const secretOverlapMs = 24 * 3600 * 1000;

// --- Endpoint URLs ---

export type UrlPolicy = 'aws' | 'local';

/** Why a URL is refused, or undefined when its form is acceptable (addresses are checked separately). */
export function urlProblem(raw: string, policy: UrlPolicy): string | undefined {
  if (raw.length > 2048) return 'url must be at most 2048 characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'url must not carry user info';
  if (url.protocol === 'https:') {
    if (policy === 'aws' && isLiteralNonPublic(url.hostname)) return 'url must not name a private, loopback or link-local address';
    return undefined;
  }
  if (url.protocol === 'http:' && policy === 'local' && ['127.0.0.1', 'localhost'].includes(url.hostname)) return undefined;
  return policy === 'aws' ? 'url must use https' : 'url must use https, or http on 127.0.0.1 or localhost';
}

function isLiteralNonPublic(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return /^[\d.]+$/.test(host) || host.includes(':') ? !isPublicAddress(host) : false;
}

/** Whether an IP address (v4 or v6) may receive deliveries: not private, loopback, link-local or otherwise special. */
export function isPublicAddress(address: string): boolean {
  const v4 = address.match(/^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
    if (a === 169 && b === 254) return false; // link-local (cloud metadata lives here)
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 100 && b >= 64 && b <= 127) return false; // carrier-grade NAT
    if (a === 192 && b === 0 && Number(v4[3]) === 0) return false;
    if (a === 198 && (b === 18 || b === 19)) return false;
    return true;
  }
  const v6 = address.toLowerCase();
  if (!v6.includes(':')) return false;
  if (v6 === '::' || v6 === '::1') return false;
  if (/^fe[89ab]/.test(v6)) return false; // link-local fe80::/10
  if (/^f[cd]/.test(v6)) return false; // unique local fc00::/7
  if (v6.startsWith('ff')) return false; // multicast
  if (v6.startsWith('64:ff9b:') || v6.startsWith('2001:db8:')) return false;
  return true;
}
