// CORS as the API's "Every response" rules say. The Lambda responses get `corsHeaders`
// (functions/http/middlewares.ts); preflights never reach a function: API Gateway
// answers them in AWS (lib/), the local gateway with `preflightHeaders` locally.

export const allowedMethods = 'GET, POST, DELETE';
export const allowedHeaders = 'Authorization, Content-Type';
/** What a browser script may read of a response besides the CORS-safelisted headers. */
export const exposedHeaders = 'Retry-After, X-Request-Id, Idempotent-Replayed';
/** Browsers cache a preflight this long (Chromium caps it at 2 hours). */
export const preflightMaxAgeSeconds = 3600;

/** The request's Origin header, whatever its letter case; undefined when absent. */
export function originOf(headers: Record<string, string | string[] | undefined> | null | undefined): string | undefined {
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'origin')?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/** Headers of every response to an allowed origin (errors included); none for any other origin. */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (origin === undefined || !allowedOrigins.includes(origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': exposedHeaders };
}

/** A preflight's answer headers (its status is 204 whatever the origin; an unlisted one gets none of these). */
export function preflightHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  const headers = corsHeaders(origin, allowedOrigins);
  if (Object.keys(headers).length === 0) return {};
  return {
    ...headers,
    'Access-Control-Allow-Methods': allowedMethods,
    'Access-Control-Allow-Headers': allowedHeaders,
    'Access-Control-Max-Age': String(preflightMaxAgeSeconds),
  };
}
