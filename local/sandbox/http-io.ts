// The sandbox's HTTP plumbing: bounded request bodies, JSON answers, the test
// API's error body, and CORS for the one call a payer's browser makes.
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends Error {}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** The test API's errors (not WePay's shape: these are not WePay calls). */
export function introspectionError(response: ServerResponse, status: number, description: string): void {
  sendJson(response, status, { error: status === 404 ? 'not_found' : 'invalid_request', error_description: description });
}

// WePay's tokenization is called by the payer's browser, from any page: any origin may call it.
const browserCallable = new Set(['/v2/credit_card/create']);
export const browserPreflight = {
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '3600',
};

export function browserCors(pathname: string): Record<string, string> {
  return browserCallable.has(pathname) ? { 'Access-Control-Allow-Origin': '*' } : {};
}
