// A recording HTTP proxy between the API and the provider sandbox. The sandbox's
// calls log has no bodies and the sandbox keeps only hashes of the tokens it
// issues, so the tests see what went over the wire here: the scope list of
// /v2/user/register and the access tokens the provider handed out. Records stay
// in memory and are never printed (they hold the platform's client secret).
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  /** e.g. /v2/user/register */
  path: string;
  /** The Authorization header as sent, if any. */
  authorization: string | undefined;
  requestBody: string;
  /** null when the upstream dropped the connection (a sandbox fault). */
  status: number | null;
  responseBody: string;
}

export interface Exchange {
  authorization: string | undefined;
  request: Record<string, unknown>;
  status: number | null;
  response: Record<string, unknown> | undefined;
}

export interface RecordingProxy {
  url: string;
  calls: RecordedCall[];
  /** The parsed JSON bodies of the calls to `path`, oldest first. */
  exchanges(path: string): Exchange[];
  close(): Promise<void>;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the proxy on a free port. `target()` is read per request, so the proxy
 * can be started before the sandbox it forwards to (the runtime's
 * `providerBaseUrl` option hands over the sandbox URL).
 */
export async function startRecordingProxy(target: () => string): Promise<RecordingProxy> {
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const upstream = new URL(req.url ?? '/', target());
      const record: RecordedCall = { method: req.method ?? 'GET', path: upstream.pathname, authorization: req.headers.authorization, requestBody: body.toString('utf8'), status: null, responseBody: '' };
      calls.push(record);
      const headers = { ...req.headers };
      delete headers.host;
      const forward = httpRequest(upstream, { method: req.method, headers }, (upstreamRes) => {
        void readAll(upstreamRes).then(
          (responseBody) => {
            record.status = upstreamRes.statusCode ?? null;
            record.responseBody = responseBody.toString('utf8');
            res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
            res.end(responseBody);
          },
          () => res.destroy(),
        );
      });
      // The sandbox's drop faults close the connection without an answer: do the same to the API.
      forward.on('error', () => res.destroy());
      forward.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    exchanges: (path) =>
      calls
        .filter((call) => call.path === path)
        .map((call) => ({ authorization: call.authorization, request: parseObject(call.requestBody) ?? {}, status: call.status, response: parseObject(call.responseBody) })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
