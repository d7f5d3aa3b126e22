// Everything `npm start` runs, on one machine and without AWS: dynalite on disk,
// the local key and secrets files, the local JWT issuer, the WePay sandbox, and
// the API Gateway stand-in calling the same handler modules as Lambda. Tests
// start it on free ports with their own data directory.
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { config } from '#functions/config.ts';
import { auditTable, idempotencyTable, paymentsTable, tableDefinitions } from '#functions/adapters/dynamodb/table-definitions.ts';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { ensureTables } from '#local/adapters/ensure-tables.ts';
import { startApiGateway } from './api-gateway.ts';
import { startLocalDynamoDb } from './dynamodb.ts';
import { devUsers, ensureLocalIssuer, type DevUser } from './issuer.ts';
import { composeLocalRuntime } from './composition.ts';
import { ensureLocalKey } from './keyring.ts';
import { ensureLocalSecrets, localSecretsPath } from './secrets-file.ts';
import { startSandbox, type SandboxOptions } from './sandbox/server.ts';
import { ensureDevCards } from './dev-cards.ts';
import { runInvocation, type InvocationLog } from '#functions/observability.ts';
import { ensureDemoMerchant } from './demo-merchant.ts';
import { startIpnConsumer } from './ipn-consumer.ts';
import { startReconcileTimer } from './reconcile-timer.ts';
import { startEventPublisher } from './event-publisher.ts';
import { startWebhookDeliverer } from './webhook-deliverer.ts';
import { demoPages } from './demo/server.ts';

export interface LocalRuntimeOptions {
  dataDir: string;
  port: number;
  sandboxPort: number;
  host?: string;
  /**
   * Give checkouts a callback URI so the sandbox sends IPNs (default true). Benches turn it off
   * so that the IPN processor's work does not mix into the per-request figures.
   */
  ipnCallbacks?: boolean;
  /** Sandbox settings for tests: lifecycle delays, time scale, throttle. */
  sandbox?: Pick<SandboxOptions, 'lifecycle' | 'timeScale' | 'throttle' | 'ipnBatchWindowMs'>;
  /** The runtime's own lines (one per request, sandbox events; in `text` also the functions' warnings and errors). */
  log?: (line: string) => void;
  /**
   * `text` (default): one line per request, and the functions' warnings and errors as one
   * line each, through `log`; `json`: the functions' JSON log lines and EMF metrics on stdout.
   */
  logFormat?: 'text' | 'json';
  /**
   * Tests: the provider base URL the API calls, given the sandbox's URL (default
   * `${sandboxUrl}/v2`), e.g. a recording proxy in front of the sandbox.
   */
  providerBaseUrl?: (sandboxUrl: string) => string;
  /** Tests: `watch: false` publishes no write as it happens (a process dying before publication); start-up catch-up still runs. */
  events?: { watch?: boolean };
}

export interface DevJson {
  api_url: string;
  sandbox_url: string;
  tokens: Record<DevUser, string>;
  /** The demo merchant account, owned by the `merchant` token's user. */
  account_id: string;
  /** The sandbox app's client id: what a browser needs to tokenize a card. */
  client_id: string;
  credit_card_ids: { success: string; decline: string };
}

export interface LocalRuntime {
  apiUrl: string;
  sandboxUrl: string;
  dataDir: string;
  dev: DevJson;
  close(): Promise<void>;
}

/** Closes what was started, newest first, even when a later step fails. */
class Resources {
  private readonly closers: (() => Promise<void>)[] = [];
  add(close: () => Promise<void>) {
    this.closers.unshift(close);
  }
  async closeAll() {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
  }
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  const host = options.host ?? '127.0.0.1';
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const resources = new Resources();
  try {
    const { credentials } = await ensureLocalSecrets(dataDir);
    const tokenKey = await ensureLocalKey(dataDir);
    const issuer = await ensureLocalIssuer(dataDir);

    const dynamo = await startLocalDynamoDb({ dataDir });
    resources.add(() => dynamo.close());
    const tableNames = { [idempotencyTable.id]: 'idempotency', [paymentsTable.id]: 'payments', [auditTable.id]: 'audit' };
    const { client } = createDynamoDbClients({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTables(client, tableDefinitions, tableNames);

    const sandbox = await startSandbox({
      port: options.sandboxPort,
      host,
      dataDir,
      app: { clientId: credentials.clientId, clientSecret: credentials.clientSecret, accessToken: credentials.appAccessToken },
      ...options.sandbox,
      ...(options.log ? { log: options.log } : {}),
    });
    resources.add(() => sandbox.close());

    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const invocationLog: InvocationLog = options.logFormat === 'json' ? { format: 'json' } : { format: 'text', write: log };
    const invoke = <T>(run: () => Promise<T>) => runInvocation(invocationLog, run);
    const loadHandler = (name: string) => import(new URL(`../functions/handlers/${name}.ts`, import.meta.url).href);
    const api = await startApiGateway({
      port: options.port,
      host,
      loadHandler,
      invoke,
      requestLog: log,
      log,
      localPages: demoPages(dataDir),
    });
    resources.add(() => api.close());

    composeLocalRuntime({
      dataDir,
      dynamoDbEndpoint: dynamo.endpoint,
      tables: { payments: tableNames[paymentsTable.id]!, idempotency: tableNames[idempotencyTable.id]!, audit: tableNames[auditTable.id]! },
      issuer: { url: issuer.issuer, jwksPath: issuer.jwksPath },
      platformSecretsFile: localSecretsPath(dataDir),
      tokenKey,
      providerBaseUrl: options.providerBaseUrl?.(sandbox.url) ?? `${sandbox.url}/v2`,
      timeScale: options.sandbox?.timeScale ?? 1,
      api: { url: api.url, port: api.port },
      ipnCallbacks: options.ipnCallbacks !== false,
    });
    resources.add(
      startIpnConsumer({ dataDir, loadHandler, invoke, timeScale: options.sandbox?.timeScale ?? 1, log }),
    );

    // The scheduled reconciliation, on the sandbox's time scale like every other local delay.
    resources.add(
      startReconcileTimer({
        loadHandler,
        invoke,
        intervalMs: config().reconcile.intervalSeconds * 1000 * (options.sandbox?.timeScale ?? 1),
        log,
      }),
    );

    const eventsFrom = { endpoint: dynamo.endpoint, tableName: tableNames[paymentsTable.id]!, ...(options.log ? { log: options.log } : {}) };
    resources.add(await startWebhookDeliverer({ loadHandler, ...eventsFrom }));
    resources.add(await startEventPublisher({ dynamoServer: dynamo.server, ...eventsFrom, ...(options.events?.watch === false ? { watch: false } : {}) }));

    const cards = await ensureDevCards(dataDir, sandbox, credentials.clientId);
    const tokens = Object.fromEntries(devUsers.map((user) => [user, issuer.devToken(user)])) as Record<DevUser, string>;
    const dev: DevJson = {
      api_url: api.url,
      sandbox_url: sandbox.url,
      tokens,
      account_id: await ensureDemoMerchant(api.url, tokens.merchant, dataDir),
      client_id: credentials.clientId,
      credit_card_ids: cards,
    };
    // Written last, atomically: its presence means both servers listen.
    const devPath = join(dataDir, 'dev.json');
    await writeFile(`${devPath}.tmp`, `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });
    await rename(`${devPath}.tmp`, devPath);

    return { apiUrl: api.url, sandboxUrl: sandbox.url, dataDir, dev, close: () => resources.closeAll() };
  } catch (error) {
    await resources.closeAll();
    throw error;
  }
}
