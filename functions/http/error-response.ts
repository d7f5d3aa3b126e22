// The one place named errors become HTTP responses (the API's error table).
import { type ErrorCode, PaymentsError } from '#functions/domain/errors.ts';

const statusAndType: Record<ErrorCode, [number, string]> = {
  parameter_missing: [400, 'invalid_request'],
  parameter_invalid: [400, 'invalid_request'],
  unknown_parameter: [400, 'invalid_request'],
  body_unparseable: [400, 'invalid_request'],
  credentials_in_url: [400, 'invalid_request'],
  raw_card_data: [400, 'invalid_request'],
  app_fee_too_high: [400, 'invalid_request'],
  account_name_unrecognizable: [400, 'invalid_request'],
  account_name_invalid: [400, 'invalid_request'],
  authentication_required: [401, 'authentication_error'],
  token_invalid: [401, 'authentication_error'],
  token_expired: [401, 'authentication_error'],
  token_revoked: [401, 'authentication_error'],
  card_declined: [402, 'card_error'],
  permission_denied: [403, 'permission_error'],
  mandate_scope: [403, 'permission_error'],
  mandate_exceeded: [403, 'permission_error'],
  resource_missing: [404, 'not_found'],
  method_not_allowed: [405, 'invalid_request'],
  idempotency_key_in_use: [409, 'idempotency_error'],
  invalid_state: [409, 'invalid_request'],
  checkout_busy: [409, 'invalid_request'],
  email_in_use: [409, 'invalid_request'],
  body_too_large: [413, 'invalid_request'],
  unsupported_media_type: [415, 'invalid_request'],
  idempotency_key_reused: [422, 'idempotency_error'],
  rate_limited: [429, 'rate_limit_error'],
  provider_error: [502, 'provider_error'],
  provider_unavailable: [503, 'provider_error'],
  internal_error: [500, 'api_error'],
};

export function statusOf(code: ErrorCode): number {
  return statusAndType[code][0];
}

/** The error body's `type` for a code (the OpenAPI document lists them per response). */
export function errorTypeOf(code: ErrorCode): string {
  return statusAndType[code][1];
}

export interface ErrorBody {
  error: { type: string; code: ErrorCode; message: string; param?: string; request_id: string };
}

export interface ErrorResponse {
  statusCode: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** Anything that is not a PaymentsError is a bug: 500 with a generic message, never its text or stack. */
export function errorResponse(error: unknown, requestId: string): ErrorResponse {
  if (!(error instanceof PaymentsError)) {
    return {
      statusCode: 500,
      body: { error: { type: 'api_error', code: 'internal_error', message: 'An internal error occurred', request_id: requestId } },
      headers: {},
    };
  }
  const [statusCode, type] = statusAndType[error.code];
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  return {
    statusCode,
    body: {
      error: {
        type,
        code: error.code,
        message: error.message,
        ...(error.param === undefined ? {} : { param: error.param }),
        request_id: requestId,
      },
    },
    headers,
  };
}
