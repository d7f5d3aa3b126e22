// The API's error table, row by row, through the one place that maps named errors
// to HTTP (functions/http/error-response.ts).
import {
  AuthenticationError,
  CardDeclinedError,
  EmailInUseError,
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InvalidRequestError,
  InvalidStateError,
  NotFoundError,
  PermissionDeniedError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  type PaymentsError,
} from '#functions/domain/errors.ts';
import { errorResponse } from '#functions/http/error-response.ts';

const table: [number, string, string[]][] = [
  [
    400,
    'invalid_request',
    [
      'parameter_missing',
      'parameter_invalid',
      'unknown_parameter',
      'body_unparseable',
      'credentials_in_url',
      'raw_card_data',
      'app_fee_too_high',
      'account_name_unrecognizable',
      'account_name_invalid',
    ],
  ],
  [401, 'authentication_error', ['authentication_required', 'token_invalid', 'token_expired']],
  [405, 'invalid_request', ['method_not_allowed']],
  [413, 'invalid_request', ['body_too_large']],
  [415, 'invalid_request', ['unsupported_media_type']],
];

describe.each(table)('%i %s', (status, type, codes) => {
  it.each(codes)('%s', (code) => {
    const error =
      status === 401 ? new AuthenticationError(code as 'token_invalid', 'message') : new InvalidRequestError(code as 'parameter_invalid', 'message', { param: 'p' });
    const mapped = errorResponse(error, 'req_1');
    expect(mapped.statusCode).toBe(status);
    expect(mapped.body.error).toMatchObject({ type, code, request_id: 'req_1' });
  });
});

it.each<[string, PaymentsError, number, string, boolean]>([
  ['card_declined', new CardDeclinedError('declined'), 402, 'card_error', false],
  ['permission_denied', new PermissionDeniedError('no'), 403, 'permission_error', false],
  ['resource_missing', new NotFoundError('none'), 404, 'not_found', false],
  ['idempotency_key_in_use', new IdempotencyKeyInUseError(2), 409, 'idempotency_error', true],
  ['invalid_state', new InvalidStateError('state'), 409, 'invalid_request', false],
  ['email_in_use', new EmailInUseError(), 409, 'invalid_request', false],
  ['idempotency_key_reused', new IdempotencyKeyReusedError(), 422, 'idempotency_error', false],
  ['rate_limited', new RateLimitedError('slow down', 1.2), 429, 'rate_limit_error', true],
  ['provider_error', new ProviderError('refused'), 502, 'provider_error', false],
  ['provider_unavailable', new ProviderUnavailableError(), 503, 'provider_error', true],
])('%s is %i %s, with Retry-After when the API contract asks for it', (code, error, status, type, retryAfter) => {
  const mapped = errorResponse(error, 'req_2');
  expect(mapped.statusCode).toBe(status);
  expect(mapped.body.error).toMatchObject({ type, code });
  if (retryAfter) expect(Number(mapped.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
  else expect(mapped.headers['Retry-After']).toBeUndefined();
});

it('Retry-After is a whole number of seconds, at least 1', () => {
  expect(errorResponse(new RateLimitedError('slow down', 1.2), 'r').headers['Retry-After']).toBe('2');
  expect(errorResponse(new RateLimitedError('slow down', 0), 'r').headers['Retry-After']).toBe('1');
});

it('anything else is 500 api_error internal_error with a generic message and nothing of the error', () => {
  const mapped = errorResponse(Object.assign(new Error('password=hunter2'), { code: 'parameter_invalid', param: 'x' }), 'req_3');
  expect(mapped).toEqual({
    statusCode: 500,
    body: { error: { type: 'api_error', code: 'internal_error', message: 'An internal error occurred', request_id: 'req_3' } },
    headers: {},
  });
});

it('param is present only when the error names one', () => {
  expect(errorResponse(new InvalidRequestError('body_unparseable', 'bad'), 'r').body.error).not.toHaveProperty('param');
  expect(errorResponse(new InvalidRequestError('parameter_invalid', 'bad', { param: 'a.b' }), 'r').body.error.param).toBe('a.b');
});
