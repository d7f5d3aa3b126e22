// Headers on every response, errors included.
export const securityHeaders: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** `req_` + the API Gateway request id, so a client's report finds the access log line. */
export function requestIdFrom(awsRequestId: string): string {
  return `req_${awsRequestId}`;
}
