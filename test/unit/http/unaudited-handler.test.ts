// The pipeline without the audit log is for routes that are never audited: building
// an audited route's handler with it fails at load, so no write escapes its record.
import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';
import { routes } from '#functions/routes.ts';

describe('unauditedHttpHandler', () => {
  it('builds the handler of a route that is not audited', () => {
    expect(typeof unauditedHttpHandler(routes, 'health', async () => ({ statusCode: 200, body: { status: 'ok' } }))).toBe('function');
  });

  it('refuses an audited route (a POST under /v1)', () => {
    expect(() => unauditedHttpHandler(routes, 'checkouts.create', async () => ({ statusCode: 201, body: {} }))).toThrow(/is audited/);
  });
});
