// A scripted stand-in for WePay on 127.0.0.1: each path answers from a queue of
// replies (then a default), and every request is recorded for assertions.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreateCheckoutInput } from '#functions/ports/payment-provider.ts';

/** Made-up credentials and a checkout request for the client's tests (never real ones). */
export const merchantToken = 'STAGE_merchant-token-0123456789abcdef';
export const app = { clientId: '112233', clientSecret: 'client-secret-fedcba9876', appAccessToken: 'STAGE_app-token-aaaabbbbcccc' };
export const checkoutInput: CreateCheckoutInput = {
  accountId: '777',
  uniqueId: 'u-1',
  amount: 10400,
  currency: 'USD',
  shortDescription: 'Two coffees',
  type: 'goods',
  fee: { appFee: 400, feePayer: 'payee_from_app' },
  creditCardId: '55555',
  autoCapture: true,
  referenceId: 'order-7f3a',
};

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Reply = (req: IncomingMessage, res: ServerResponse) => void;

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

export const wepayError = (status: number, error: string, code: number, description: string, headers: Record<string, string> = {}) =>
  json(status, { error, error_description: description, error_code: code }, headers);

/** The connection is closed without an answer. */
export const drop: Reply = (req) => req.socket.destroy();

/** No answer at all: the client's timeout has to fire. */
export const hang: Reply = () => undefined;

export const html = (status: number): Reply => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end('<html><body>Bad gateway</body></html>');
};

export class FakeWePay {
  readonly requests: RecordedRequest[] = [];
  private readonly queues = new Map<string, Reply[]>();
  private readonly defaults = new Map<string, Reply>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '';
        const path = url.split('?')[0]!.replace(/^\/v2/, '');
        this.requests.push({ method: req.method ?? '', url, path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const reply = this.queues.get(path)?.shift() ?? this.defaults.get(path) ?? wepayError(404, 'invalid_request', 1001, 'unknown call');
        reply(req, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2`;
    return this;
  }

  /** Replies for the next calls to `path`, in order. */
  script(path: string, ...replies: Reply[]): this {
    this.queues.set(path, [...(this.queues.get(path) ?? []), ...replies]);
    return this;
  }

  /** The reply once the script for `path` is used up. */
  otherwise(path: string, reply: Reply): this {
    this.defaults.set(path, reply);
    return this;
  }

  callsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A WePay checkout as the wire carries it: decimal dollars, numeric ids. */
export function checkoutJson(overrides: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    checkout_id: '1234567',
    account_id: '777',
    type: '"goods"',
    short_description: '"Two coffees"',
    currency: '"USD"',
    amount: '104.00',
    state: '"authorized"',
    fee: '{"app_fee": 4.00, "processing_fee": 3.32, "fee_payer": "payee_from_app"}',
    unique_id: '"u-1"',
    reference_id: '"order-7f3a"',
    create_time: '1700000000',
    refund: '{"amount_refunded": 0, "refund_reason": null}',
    chargeback: '{"amount_charged_back": 0}',
    ...overrides,
  };
  return `{${Object.entries(fields).map(([k, v]) => `"${k}": ${v}`).join(', ')}}`;
}
