// The API's "Every response" rules, as assertions shared by unit and integration tests.

export interface Reply {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The parsed JSON body; shapes are asserted field by field in the tests. */
  body: any;
  /** The body as sent. */
  text: string;
}

const oneYearSeconds = 365 * 24 * 3600;

/** The four headers of every response; an error's X-Request-Id is its body's request_id. */
export function expectEveryResponseHeaders(reply: Reply): void {
  const hsts = reply.headers['strict-transport-security'] ?? '';
  const maxAge = /(?:^|;)\s*max-age=(\d+)/i.exec(hsts);
  expect(maxAge).not.toBeNull();
  expect(Number(maxAge![1])).toBeGreaterThanOrEqual(oneYearSeconds);
  expect(hsts).toMatch(/;\s*includeSubDomains/i);
  expect(reply.headers['cache-control']).toBe('no-store');
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['x-request-id']).toMatch(/^req_\S+$/);
  if (reply.status >= 400) expect(reply.body?.error?.request_id).toBe(reply.headers['x-request-id']);
}

/** The exact error body of the API contract (no other fields, no stack), with the headers of every response. */
export function expectApiError(reply: Reply, expected: { status: number; type: string; code: string; param?: string }): void {
  expect({ status: reply.status, type: reply.body?.error?.type, code: reply.body?.error?.code }).toEqual({
    status: expected.status,
    type: expected.type,
    code: expected.code,
  });
  expect(Object.keys(reply.body)).toEqual(['error']);
  const { error } = reply.body as { error: Record<string, unknown> };
  const allowed = ['type', 'code', 'message', 'param', 'request_id'];
  expect(Object.keys(error).filter((key) => !allowed.includes(key))).toEqual([]);
  expect(typeof error.message).toBe('string');
  expect((error.message as string).length).toBeGreaterThan(0);
  expect(error.param).toBe(expected.param);
  expect(reply.text).not.toMatch(/\bat .+:\d+:\d+|stack|node_modules|\.ts\b/);
  expectEveryResponseHeaders(reply);
}
