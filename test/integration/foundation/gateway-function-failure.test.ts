// When a function throws outside its pipeline (or its module cannot load), the
// local gateway answers as API Gateway with the CDK app's DEFAULT_5XX response:
// 502, the API's internal_error body, the security headers, and nothing of the error.
import { startApiGateway } from '#local/api-gateway.ts';
import { expectEveryResponseHeaders } from '../../support/api-expectations.ts';
import { call } from '../../support/local-runtime.ts';

test('a function that fails to load gives 502 internal_error with every header and no detail', async () => {
  const gateway = await startApiGateway({
    port: 0,
    loadHandler: async () => {
      throw new Error('SyntaxError in /secret/path/handler.ts');
    },
  });
  try {
    const reply = await call(gateway.url, 'GET', '/v1/health');
    expect(reply.status).toBe(502);
    expect(reply.body).toEqual({
      error: { type: 'api_error', code: 'internal_error', message: 'An internal error occurred', request_id: reply.headers['x-request-id'] },
    });
    expectEveryResponseHeaders(reply);
    expect(JSON.stringify(reply.body)).not.toContain('secret');
  } finally {
    await gateway.close();
  }
});
