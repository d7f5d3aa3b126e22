import * as z from 'zod/mini';
import { mandateStatus, mandateStatuses, maxMandateAccounts, type Mandate, type NewMandate } from '#functions/domain/mandate.ts';
import { currency, pageCursor, pageLimit, positiveMinorUnits } from './fields.ts';

const text = (name: string, max: number) =>
  z.string({ error: `${name} must be a string` }).check(z.minLength(1, { error: `${name} must not be empty` }), z.maxLength(max, { error: `${name} must be at most ${max} characters` }));

export const createMandateRequest = z
  .strictObject({
    agent: z.strictObject({ name: text('agent.name', 255), reference: z.optional(text('agent.reference', 255)) }),
    currency,
    per_checkout_max: positiveMinorUnits('per_checkout_max'),
    total_max: positiveMinorUnits('total_max'),
    max_checkouts: z.optional(
      z.nullable(z.int({ error: 'max_checkouts must be a positive integer or null' }).check(z.positive({ error: 'max_checkouts must be a positive integer or null' }), z.maximum(1_000_000))),
    ),
    account_ids: z
      .array(text('account_ids[]', 128), { error: 'account_ids must be an array of account ids' })
      .check(
        z.minLength(1, { error: `account_ids must hold 1 to ${maxMandateAccounts} accounts` }),
        z.maxLength(maxMandateAccounts, { error: `account_ids must hold 1 to ${maxMandateAccounts} accounts` }),
      ),
    credit_card_id: z.pipe(
      z.union([z.string().check(z.minLength(1), z.maxLength(255)), z.int().check(z.positive())], { error: 'credit_card_id must be the provider token of a card' }),
      z.transform(String),
    ),
    expires_at: z.iso.datetime({ offset: true, error: 'expires_at must be an ISO-8601 timestamp' }),
  })
  .register(z.globalRegistry, {
    id: 'CreateMandateRequest',
    description: 'Lets an agent create checkouts within these limits until expires_at (at most 90 days ahead). Never replayed.',
    examples: [
      {
        agent: { name: 'Trip planner', reference: 'agent-42' },
        currency: 'USD',
        per_checkout_max: 5000,
        total_max: 20000,
        max_checkouts: 10,
        account_ids: ['acc_9a8b7c6d'],
        credit_card_id: '3141592653',
        expires_at: '2027-01-31T00:00:00Z',
      },
    ],
  });

// Repeats the request example's fields on purpose: each example is read alone in the OpenAPI document.
const mandateExample = {
  id: 'mdt_3c4d5e6f',
  payer: 'payer-sub-1',
  agent: { name: 'Trip planner', reference: 'agent-42' },
  currency: 'USD',
  per_checkout_max: 5000,
  total_max: 20000,
  max_checkouts: 10,
  account_ids: ['acc_9a8b7c6d'],
  credit_card_id: '3141592653',
  expires_at: '2027-01-31T00:00:00.000Z',
  status: 'active',
  spent: 0,
  checkouts_count: 0,
  created_at: '2026-12-01T10:00:00.000Z',
  revoked_at: null,
};

const mandateFields = {
  id: z.string(),
  payer: z.string(),
  agent: z.object({ name: z.string(), reference: z.optional(z.string()) }),
  currency,
  per_checkout_max: z.int(),
  total_max: z.int(),
  max_checkouts: z.nullable(z.int()),
  account_ids: z.array(z.string()),
  credit_card_id: z.string(),
  expires_at: z.string(),
  status: z.enum(mandateStatuses),
  spent: z.int(),
  checkouts_count: z.int(),
  created_at: z.string(),
  revoked_at: z.nullable(z.string()),
};

export const mandateResponse = z.object(mandateFields).register(z.globalRegistry, { id: 'Mandate', examples: [mandateExample] });

export const createdMandateResponse = z
  .object({ ...mandateFields, token: z.string() })
  .register(z.globalRegistry, {
    id: 'CreatedMandate',
    description: 'The mandate and, in this answer only, the agent token (stored only as a hash).',
    examples: [{ ...mandateExample, token: 'agt_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5' }],
  });

export const mandateListResponse = z
  .object({ data: z.array(mandateResponse), next_cursor: z.nullable(z.string()) })
  .register(z.globalRegistry, {
    id: 'MandateList',
    description: 'Newest first; pass next_cursor as cursor for the next page (null: no more).',
    examples: [{ data: [mandateExample], next_cursor: null }],
  });

export const listMandatesQuery = z.strictObject({
  limit: pageLimit(),
  cursor: pageCursor(),
});

export const revokeMandateRequest = z.strictObject({}).register(z.globalRegistry, { id: 'RevokeMandateRequest', examples: [{}] });

export function mandateJson(mandate: Mandate, nowMs: number): z.output<typeof mandateResponse> {
  return {
    id: mandate.id,
    payer: mandate.payerSub,
    agent: { name: mandate.agent.name, ...(mandate.agent.reference === undefined ? {} : { reference: mandate.agent.reference }) },
    currency: mandate.currency,
    per_checkout_max: mandate.perCheckoutMax,
    total_max: mandate.totalMax,
    max_checkouts: mandate.maxCheckouts ?? null,
    account_ids: mandate.accountIds,
    credit_card_id: mandate.creditCardId,
    expires_at: mandate.expiresAt,
    status: mandateStatus(mandate, nowMs),
    spent: mandate.spent,
    checkouts_count: mandate.checkoutsCount,
    created_at: mandate.createdAt,
    revoked_at: mandate.revokedAt ?? null,
  };
}

export function newMandateFrom(body: z.output<typeof createMandateRequest>): NewMandate {
  return {
    agent: { name: body.agent.name, ...(body.agent.reference === undefined ? {} : { reference: body.agent.reference }) },
    currency: body.currency,
    perCheckoutMax: body.per_checkout_max,
    totalMax: body.total_max,
    ...(body.max_checkouts === undefined || body.max_checkouts === null ? {} : { maxCheckouts: body.max_checkouts }),
    accountIds: body.account_ids,
    creditCardId: body.credit_card_id,
    expiresAt: body.expires_at,
  };
}
