// Sends a webhook: one POST, no redirect followed (a 3xx is an answer like any
// other non-2xx), the whole exchange within the timeout (15 s).
// In AWS the address rules apply after DNS resolution, inside the connection's own
// lookup: the address checked is the address connected to, so a name that
// resolves elsewhere between a check and the connection (DNS rebinding) cannot
// reach a private, loopback or link-local address. Node's fetch cannot pin the
// looked-up address, so this uses node:http(s) with the same AbortSignal.timeout.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPublicAddress, type UrlPolicy } from '#functions/domain/events.ts';
import type { HostResolver, WebhookRequest, WebhookResponse, WebhookSender } from '#functions/ports/webhook-sender.ts';
import type { WebhookSendRecord } from '#functions/observability.ts';

export const webhookTimeoutMs = 15_000;

/** A lookup that refuses names resolving to any non-public address. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as unknown as LookupAddress[];
    if (list.length === 0 || !list.every((a) => isPublicAddress(a.address))) {
      return callback(Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'EADDRNOTPUBLIC' }), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    callback(null, first.address, first.family);
  });
};

export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly policy: UrlPolicy,
    private readonly timeoutMs = webhookTimeoutMs,
    /** Told of every POST when it ends (the composition root logs it and publishes its latency). */
    private readonly onSend?: (send: WebhookSendRecord) => void,
  ) {}

  async send(webhook: WebhookRequest): Promise<WebhookResponse> {
    const url = new URL(webhook.url);
    const started = performance.now();
    const response = await this.post(webhook, url);
    // An observer's failure never changes the delivery's recorded outcome (the POST has happened).
    try {
      // The host only: a URL's path or query may hold the merchant's secret.
      this.onSend?.({ host: url.host, durationMs: performance.now() - started, statusCode: response.statusCode, ...(response.error ? { error: response.error } : {}) });
    } catch {
      // Logging and metrics are best effort here.
    }
    return response;
  }

  private post(webhook: WebhookRequest, url: URL): Promise<WebhookResponse> {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { ...webhook.headers, 'content-length': String(Buffer.byteLength(webhook.body)), 'user-agent': 'payments-webhooks/1' },
          signal: AbortSignal.timeout(this.timeoutMs),
          ...(this.policy === 'aws' ? { lookup: publicOnlyLookup } : {}),
        },
        (res) => {
          // The answer's body is not kept; reading it lets the connection close cleanly.
          res.resume();
          res.on('end', () => resolve({ statusCode: res.statusCode ?? null }));
          res.on('error', (error) => resolve({ statusCode: null, error: error.name }));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ statusCode: null, error: error.code ?? error.name }));
      req.end(webhook.body);
    });
  }
}

export const dnsResolver: HostResolver = {
  resolve: (hostname) =>
    new Promise((resolve) => {
      dnsLookup(hostname, { all: true }, (error, addresses) => resolve(error ? [] : addresses.map((a) => a.address)));
    }),
};
