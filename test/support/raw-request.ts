// One HTTP request exactly as given: any method token, a path sent byte for byte
// (malformed percent-encoding included), header names fetch would normalize or
// refuse. The reply is a `Reply`; a body that is not JSON is kept as text only.
import { request } from 'node:http';
import type { Reply } from './api-expectations.ts';

export interface RawRequest {
  method: string;
  /** Sent as is on the request line. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function rawRequest(baseUrl: string, options: RawRequest): Promise<Reply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: options.method, path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = text === '' ? null : JSON.parse(text);
        } catch {
          body = null;
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
        resolve({ status: res.statusCode ?? 0, headers, body, text });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
