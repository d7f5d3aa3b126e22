// The reference checkout page at /demo/, served by the local runtime only: the
// API gateway stand-in calls this before routing, so it is not in the route
// table and the CDK app (which builds functions from functions/routes.ts) never
// deploys it. app.ts is bundled for the browser with esbuild on first request.
//
// /demo/config.json hands the page dev.json's tokens: a demo shortcut for the
// local dev users only. A real frontend gets its user's token from its login.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localSecretsPath } from '#local/secrets-file.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

interface DemoConfig {
  sandbox_url: string;
  client_id: string;
  account_id: string;
  tokens: { payer: string; merchant: string };
}

async function readConfig(dataDir: string): Promise<DemoConfig> {
  const dev = JSON.parse(await readFile(join(dataDir, 'dev.json'), 'utf8')) as Partial<DemoConfig> & { tokens: DemoConfig['tokens'] };
  // dev.json carries client_id in runtimes that write it; otherwise it is the sandbox app's, from the local platform secret.
  const clientId = dev.client_id ?? String((JSON.parse(await readFile(localSecretsPath(dataDir), 'utf8')) as { client_id: string | number }).client_id);
  return { sandbox_url: dev.sandbox_url!, client_id: clientId, account_id: dev.account_id!, tokens: { payer: dev.tokens.payer, merchant: dev.tokens.merchant } };
}

async function bundleApp(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(here, 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...extra,
  });
  res.end(body);
}

/** A request handler for /demo/…; answers false for any other path, which then goes to the API's routing. */
export function demoPages(dataDir: string): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  let app: Promise<string> | undefined;
  return async (req, res) => {
    // The raw target, not a URL parse: `//host` or an absolute form must fall through to the gateway's 404.
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/demo' && !path.startsWith('/demo/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'GET only\n', { Allow: 'GET, HEAD' });
      return true;
    }
    try {
      if (path === '/demo') send(res, 308, 'text/plain; charset=utf-8', '', { Location: '/demo/' });
      else if (path === '/demo/') {
        const { sandbox_url } = await readConfig(dataDir);
        // Scripts and styles only from here; the page talks to the API (same origin) and to the sandbox's tokenization only.
        const csp = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ${sandbox_url}; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;
        send(res, 200, 'text/html; charset=utf-8', await readFile(join(here, 'index.html'), 'utf8'), { 'Content-Security-Policy': csp });
      } else if (path === '/demo/styles.css') send(res, 200, 'text/css; charset=utf-8', await readFile(join(here, 'styles.css'), 'utf8'));
      else if (path === '/demo/app.js') {
        app ??= bundleApp();
        send(res, 200, 'text/javascript; charset=utf-8', await app);
      } else if (path === '/demo/config.json') send(res, 200, 'application/json', JSON.stringify(await readConfig(dataDir)));
      else send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
    } catch (error) {
      app = undefined;
      send(res, 500, 'text/plain; charset=utf-8', `The demo page could not be served: ${(error as Error).message}\n`);
    }
    return true;
  };
}
