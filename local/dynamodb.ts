// The local runtime's DynamoDB: dynalite in-process, speaking DynamoDB's wire
// protocol on 127.0.0.1, its LevelDB files under `${dataDir}/dynamodb` so that
// state survives restarts. It has no transactions, TTL or streams.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite is CommonJS without type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export interface LocalDynamoDb {
  /** e.g. http://127.0.0.1:54321 */
  endpoint: string;
  /** The dynalite server: the local event publisher watches its writes as a stream would. */
  server: Server;
  /** Stops listening and closes the store (flushing it to disk). */
  close(): Promise<void>;
}

export async function startLocalDynamoDb(options: { dataDir: string; port?: number }): Promise<LocalDynamoDb> {
  const path = join(options.dataDir, 'dynamodb');
  await mkdir(path, { recursive: true });
  // Tables become ACTIVE at once: the default 500 ms in CREATING only slows start-up.
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Clients keep connections alive; without this, close waits for them to time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
