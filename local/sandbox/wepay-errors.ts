// WePay's error body {"error", "error_description", "error_code"} and the HTTP
// statuses the sandbox answers them with.

export type WepayErrorCategory =
  | 'invalid_request'
  | 'access_denied'
  | 'invalid_scope'
  | 'invalid_client'
  | 'processing_error'
  | 'throttle_exceeded';

/** The exact wording clients match (case-insensitively) to decide that a retry with the same unique_id is safe. */
export const UNKNOWN_ERROR_DESCRIPTION = 'There was an unknown error - please contact for support';
export const GENERAL_DECLINE_DESCRIPTION = 'Unable to charge payment method: general decline';

export interface WepayErrorBody {
  error: WepayErrorCategory;
  error_description: string;
  error_code: number;
}

export class WepayError extends Error {
  constructor(
    readonly status: number,
    readonly category: WepayErrorCategory,
    readonly code: number,
    readonly description: string,
    /** Extra response headers (Retry-After on throttling). */
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'WepayError';
  }

  get body(): WepayErrorBody {
    return { error: this.category, error_description: this.description, error_code: this.code };
  }
}

export const unknownCall = (path: string) => new WepayError(404, 'invalid_request', 1001, `unknown call: ${path}`);
export const missingAuthorization = () =>
  new WepayError(401, 'access_denied', 1002, 'this call requires an Authorization: Bearer header');
export const invalidParameter = (description: string) => new WepayError(400, 'invalid_request', 1003, description);
export const missingParameter = (name: string) =>
  new WepayError(400, 'invalid_request', 1004, `${name} parameter is required`);
export const unparseableBody = () => new WepayError(400, 'invalid_request', 1005, 'the request body is not valid JSON');
export const invalidToken = () => new WepayError(401, 'access_denied', 1006, 'access_token is invalid');
export const invalidClient = () => new WepayError(401, 'invalid_client', 1006, 'client authentication failed');
/** A valid token acting on an account of another user: access_denied, 1006 (WePay documents nothing more precise). */
export const notYourAccount = () =>
  new WepayError(401, 'access_denied', 1006, 'this access_token does not have permission to access that object');
export const revokedToken = () => new WepayError(401, 'access_denied', 1011, 'access_token has been revoked');
export const throttled = (retryAfterSeconds: number) =>
  new WepayError(400, 'throttle_exceeded', 1007, 'too many requests, please try again later', {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });
/** Unknown error: 500, as WePay answers unexpected failures on its side with a server error. */
export const unknownError = () => new WepayError(500, 'processing_error', 1008, UNKNOWN_ERROR_DESCRIPTION);
export const generalDecline = () => new WepayError(400, 'processing_error', 1008, GENERAL_DECLINE_DESCRIPTION);
export const invalidState = (action: string, state: string) =>
  new WepayError(400, 'invalid_request', 4004, `checkout cannot be ${action} in state "${state}"`);
