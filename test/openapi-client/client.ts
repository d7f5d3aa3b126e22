// A small client of the API typed only by what openapi-typescript generates from
// GET /v1/openapi.json (`payments-api.ts`, written next to this file by
// test/integration/openapi/generated-types.test.ts, which then type-checks both with tsc).
// It is excluded from `npm run typecheck`: the generated file exists only there.
// A schema that is wrong (a self-reference, a missing or mistyped field, a wrong
// required list, a missing route or error code) makes this file fail to compile.
import type { components, operations } from './payments-api.ts';

type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Operation = keyof operations;
type RequestOf<O extends Operation> = operations[O] extends { requestBody: infer R } ? JsonBody<R> : never;
type ResponseOf<O extends Operation, S extends keyof operations[O]['responses']> = JsonBody<operations[O]['responses'][S]>;
type FormOf<O extends Operation> = operations[O] extends { requestBody: { content: { 'application/x-www-form-urlencoded': infer B } } } ? B : never;
type QueryOf<O extends Operation> = NonNullable<operations[O]['parameters']['query']>;
/** The error codes an operation documents, over all its error statuses. */
type ErrorCodeOf<O extends Operation> = {
  [S in keyof operations[O]['responses']]: JsonBody<operations[O]['responses'][S]> extends { error: { code: infer C } } ? C : never;
}[keyof operations[O]['responses']];

// The one platform API used, declared here so that only the ES library is needed to compile (fast).
declare function fetch(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: components['schemas']['Error'],
  ) {
    super(`${status} ${body.error.code}: ${body.error.message}`);
  }
}

export class PaymentsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  private async send<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<T> {
    const search = Object.entries(query ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
      .join('&');
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}${search === '' ? '' : `?${search}`}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await response.json();
    if (!response.ok) throw new ApiError(response.status, json as components['schemas']['Error']);
    return json as T;
  }

  health = () => this.send<ResponseOf<'health', 200>>('GET', '/v1/health');
  openapi = () => this.send<ResponseOf<'openapi', 200>>('GET', '/v1/openapi.json');
  quoteFees = (body: RequestOf<'fees.quote'>) => this.send<ResponseOf<'fees.quote', 200>>('POST', '/v1/fees/quote', body);
  createMerchant = (body: RequestOf<'merchants.create'>) => this.send<ResponseOf<'merchants.create', 201>>('POST', '/v1/merchants', body);
  getMerchant = (id: string) => this.send<ResponseOf<'merchants.get', 200>>('GET', `/v1/merchants/${encodeURIComponent(id)}`);
  createCheckout = (body: RequestOf<'checkouts.create'>) => this.send<ResponseOf<'checkouts.create', 201>>('POST', '/v1/checkouts', body);
  listCheckouts = (query: QueryOf<'checkouts.list'> = {}) => this.send<ResponseOf<'checkouts.list', 200>>('GET', '/v1/checkouts', undefined, query);
  getCheckout = (id: string) => this.send<ResponseOf<'checkouts.get', 200>>('GET', `/v1/checkouts/${encodeURIComponent(id)}`);
  capture = (id: string, body: RequestOf<'checkouts.capture'>) =>
    this.send<ResponseOf<'checkouts.capture', 200>>('POST', `/v1/checkouts/${encodeURIComponent(id)}/capture`, body);
  cancel = (id: string, body: RequestOf<'checkouts.cancel'>) =>
    this.send<ResponseOf<'checkouts.cancel', 200>>('POST', `/v1/checkouts/${encodeURIComponent(id)}/cancel`, body);
  refund = (id: string, body: RequestOf<'checkouts.refund'>) =>
    this.send<ResponseOf<'checkouts.refund', 200>>('POST', `/v1/checkouts/${encodeURIComponent(id)}/refund`, body);
  listMerchants = (query: QueryOf<'merchants.list'> = {}) => this.send<ResponseOf<'merchants.list', 200>>('GET', '/v1/merchants', undefined, query);
  reconcile = () => this.send<ResponseOf<'reconciliations.create', 200>>('POST', '/v1/reconciliations', {});
  listAuditEvents = (query: QueryOf<'audit_events.list'> = {}) => this.send<ResponseOf<'audit_events.list', 200>>('GET', '/v1/audit_events', undefined, query);
  createWebhookEndpoint = (body: RequestOf<'webhook_endpoints.create'>) =>
    this.send<ResponseOf<'webhook_endpoints.create', 201>>('POST', '/v1/webhook_endpoints', body);
  listWebhookEndpoints = (query: QueryOf<'webhook_endpoints.list'> = {}) =>
    this.send<ResponseOf<'webhook_endpoints.list', 200>>('GET', '/v1/webhook_endpoints', undefined, query);
  getWebhookEndpoint = (id: string) => this.send<ResponseOf<'webhook_endpoints.get', 200>>('GET', `/v1/webhook_endpoints/${encodeURIComponent(id)}`);
  deleteWebhookEndpoint = (id: string) => this.send<ResponseOf<'webhook_endpoints.delete', 200>>('DELETE', `/v1/webhook_endpoints/${encodeURIComponent(id)}`);
  rotateWebhookSecret = (id: string) =>
    this.send<ResponseOf<'webhook_endpoints.rotate_secret', 200>>('POST', `/v1/webhook_endpoints/${encodeURIComponent(id)}/rotate_secret`, {});
  listEvents = (query: QueryOf<'events.list'> = {}) => this.send<ResponseOf<'events.list', 200>>('GET', '/v1/events', undefined, query);
  getEvent = (id: string) => this.send<ResponseOf<'events.get', 200>>('GET', `/v1/events/${encodeURIComponent(id)}`);
  redeliverEvent = (id: string) => this.send<ResponseOf<'events.redeliver', 200>>('POST', `/v1/events/${encodeURIComponent(id)}/redeliver`, {});
  createMandate = (body: RequestOf<'mandates.create'>) => this.send<ResponseOf<'mandates.create', 201>>('POST', '/v1/mandates', body);
  listMandates = (query: QueryOf<'mandates.list'> = {}) => this.send<ResponseOf<'mandates.list', 200>>('GET', '/v1/mandates', undefined, query);
  currentMandate = () => this.send<ResponseOf<'mandates.current', 200>>('GET', '/v1/mandates/current');
  getMandate = (id: string) => this.send<ResponseOf<'mandates.get', 200>>('GET', `/v1/mandates/${encodeURIComponent(id)}`);
  mandateCheckouts = (id: string, query: QueryOf<'mandates.checkouts'> = {}) =>
    this.send<ResponseOf<'mandates.checkouts', 200>>('GET', `/v1/mandates/${encodeURIComponent(id)}/checkouts`, undefined, query);
  revokeMandate = (id: string) => this.send<ResponseOf<'mandates.revoke', 200>>('POST', `/v1/mandates/${encodeURIComponent(id)}/revoke`, {});
}

/** One call per documented operation: a route added to the API without a line here fails to compile. */
export const everyRoute: { [O in Operation]: (client: PaymentsClient) => Promise<unknown> } = {
  health: (c) => c.health(),
  openapi: (c) => c.openapi(),
  'fees.quote': (c) => c.quoteFees({ currency: 'USD', amount: 10400, app_fee: 400 }),
  'merchants.create': (c) =>
    c.createMerchant({ email: 'owner@example.com', first_name: 'Ada', last_name: 'Lovelace', account: { name: 'Blue Bottle Cafe', description: 'Coffee' } }),
  'merchants.get': (c) => c.getMerchant('acc_1'),
  'checkouts.create': (c) => c.createCheckout(minimalCheckout),
  'checkouts.list': (c) => c.listCheckouts({ limit: 10 }),
  'checkouts.get': (c) => c.getCheckout('chk_1'),
  'checkouts.capture': (c) => c.capture('chk_1', { unique_id: 'capture-1' }),
  'checkouts.cancel': (c) => c.cancel('chk_1', { unique_id: 'cancel-1', reason: 'Changed my mind' }),
  'checkouts.refund': (c) => c.refund('chk_1', { unique_id: 'refund-1', reason: 'Cold coffee' }),
  'merchants.list': (c) => c.listMerchants({ limit: 10 }),
  'reconciliations.create': (c) => c.reconcile(),
  'audit_events.list': (c) => c.listAuditEvents({ action: 'checkouts.refund', limit: 5 }),
  'webhook_endpoints.create': (c) => c.createWebhookEndpoint({ url: 'https://platform.example.com/hooks', events: ['*'] }),
  'webhook_endpoints.list': (c) => c.listWebhookEndpoints(),
  'webhook_endpoints.get': (c) => c.getWebhookEndpoint('we_1'),
  'webhook_endpoints.delete': (c) => c.deleteWebhookEndpoint('we_1'),
  'webhook_endpoints.rotate_secret': (c) => c.rotateWebhookSecret('we_1'),
  'events.list': (c) => c.listEvents({ type: 'checkout.captured' }),
  'events.get': (c) => c.getEvent('evt_1'),
  'events.redeliver': (c) => c.redeliverEvent('evt_1'),
  'mandates.create': (c) =>
    c.createMandate({
      agent: { name: 'Trip planner' },
      currency: 'USD',
      per_checkout_max: 5000,
      total_max: 20000,
      account_ids: ['acc_1'],
      credit_card_id: 'tok_1',
      expires_at: '2027-01-31T00:00:00Z',
    }),
  'mandates.list': (c) => c.listMandates({ limit: 10 }),
  'mandates.current': (c) => c.currentMandate(),
  'mandates.get': (c) => c.getMandate('mdt_1'),
  'mandates.checkouts': (c) => c.mandateCheckouts('mdt_1', { limit: 10 }),
  'mandates.revoke': (c) => c.revokeMandate('mdt_1'),
  // The provider's callback, not a browser's call: its form body and answer are typed all the same.
  'ipn.wepay': async () => {
    const form: FormOf<'ipn.wepay'> = { checkout_id: '12345' };
    const answer: ResponseOf<'ipn.wepay', 200> = { status: 'received' };
    return [form, answer];
  },
};

// Only the required fields: type, fee, reference_id and auto_capture are optional (they have defaults or may be absent).
const minimalCheckout: RequestOf<'checkouts.create'> = {
  unique_id: 'order-1',
  account_id: 'acc_1',
  amount: 10400,
  currency: 'USD',
  short_description: 'Two coffees',
  payment_method: { type: 'credit_card', credit_card: { id: 'tok_1' } },
};

const checkoutStates = { new: 1, authorized: 1, captured: 1, released: 1, cancelled: 1, refunded: 1, charged_back: 1, failed: 1, expired: 1 } as const;

/** What a frontend does with the answers; every field read here must exist with this type. */
export async function tour(client: PaymentsClient): Promise<string[]> {
  const lines: string[] = [];
  const health = await client.health();
  const ok: 'ok' = health.status;
  lines.push(ok);

  const quote = await client.quoteFees({ currency: 'CAD', price: 10000, policy: { app_fee_bps: 400, payer_share_bps: 100 } });
  const totals: number[] = [quote.amount, quote.app_fee, quote.processing_fee, quote.payer_total, quote.merchant_net, quote.platform_net];
  lines.push(`${quote.currency} ${quote.fee_payer} ${totals.join(' ')}`);

  const account = await client.createMerchant({ email: 'a@example.com', first_name: 'A', last_name: 'B', account: { name: 'Cafe Name', description: 'x' } });
  lines.push(`${account.id} ${account.name} ${account.statement_descriptor} ${account.state} ${account.owner} ${account.created_at}`);
  lines.push((await client.getMerchant(account.id)).statement_descriptor);

  const checkout = await client.createCheckout({
    ...minimalCheckout,
    type: 'goods',
    fee: { app_fee: 400, fee_payer: 'payer' },
    payment_method: { type: 'credit_card', credit_card: { id: 12345, auto_capture: false } },
    reference_id: 'order-7f3a',
  });
  const fee: number = checkout.fee.app_fee + checkout.fee.processing_fee;
  const states: Record<typeof checkout.state, 1> = checkoutStates;
  const known: keyof typeof checkoutStates = checkout.state;
  const reference: string | undefined = checkout.reference_id;
  lines.push(`${checkout.id} ${checkout.unique_id} ${checkout.account_id} ${checkout.amount} ${checkout.currency} ${checkout.short_description} ${checkout.type}`);
  lines.push(`${fee} ${checkout.fee.fee_payer} ${Object.keys(states).length} ${known} ${reference} ${checkout.amount_refunded} ${checkout.amount_charged_back}`);
  lines.push(`${checkout.provider.name} ${checkout.provider.checkout_id} ${checkout.created_at} ${checkout.updated_at}`);

  const page = await client.listCheckouts({ account_id: checkout.account_id, limit: 20 });
  const next: string | null = page.next_cursor;
  const more = next === null ? [] : (await client.listCheckouts({ cursor: next })).data;
  lines.push([...page.data, ...more].map((c) => c.id).join(','));

  for (const after of [
    await client.getCheckout(checkout.id),
    await client.capture(checkout.id, { unique_id: 'capture-1' }),
    await client.refund(checkout.id, { unique_id: 'refund-1', reason: 'Cold coffee', amount: 500 }),
    await client.cancel(checkout.id, { unique_id: 'cancel-1', reason: 'Changed my mind' }),
  ]) {
    lines.push(`${after.state} ${after.amount_refunded}`);
  }

  const document = await client.openapi();
  lines.push(document.openapi);
  return lines;
}

/** Documented errors a frontend branches on. */
export function explain(code: ErrorCodeOf<'checkouts.create'>): string {
  switch (code) {
    case 'card_declined':
      return 'Try another card';
    case 'idempotency_key_in_use':
    case 'rate_limited':
    case 'provider_unavailable':
      return 'Retry later with the same unique_id';
    default:
      return code;
  }
}
export const refundCodes: ErrorCodeOf<'checkouts.refund'>[] = ['invalid_state', 'idempotency_key_reused', 'resource_missing', 'permission_denied'];
export const quoteCodes: ErrorCodeOf<'fees.quote'>[] = ['app_fee_too_high', 'raw_card_data', 'credentials_in_url', 'token_expired'];

// What the schemas refuse, the types refuse too.
export const refused = [
  // @ts-expect-error amount is an integer of minor units, not a string
  (c: PaymentsClient) => c.createCheckout({ ...minimalCheckout, amount: '104.00' }),
  // @ts-expect-error EUR is not a supported currency
  (c: PaymentsClient) => c.quoteFees({ currency: 'EUR', amount: 100, app_fee: 0 }),
  // @ts-expect-error unique_id is required
  (c: PaymentsClient) => c.capture('chk_1', {}),
  // @ts-expect-error an unknown body field is rejected (additionalProperties: false)
  (c: PaymentsClient) => c.cancel('chk_1', { unique_id: 'u', reason: 'r', amount: 1 }),
  // @ts-expect-error card_declined is not an answer of the fee quote
  (): ErrorCodeOf<'fees.quote'> => 'card_declined',
];
