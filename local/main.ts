// `npm start`: the API on $PORT (3000) and the sandbox on $SANDBOX_PORT (3001),
// state under $PAYMENTS_DATA_DIR (.local/). Ctrl-C stops everything.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { DataDirInUseError, lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { startLocalRuntime } from './runtime.ts';

// The AWS SDK warns on Node < 22 that *future* SDK releases will need Node 22; the
// project supports Node 20 locally (package.json engines), and the multi-line
// warning would bury start-up errors such as a busy port. Set it to anything but
// "true" to see the warning again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The local runtime's own settings; the handlers' settings are functions/config.ts's (zod/mini
// there and here, so `npm start` runs the functions with the one zod they have in Lambda;
// config.ts, loaded through ./runtime.ts, sets its English locale).
const port = z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65_535));
const settings = z
  .object({
    PORT: z._default(port, 3000),
    SANDBOX_PORT: z._default(port, 3001),
    PAYMENTS_DATA_DIR: z._default(z.string().check(z.minLength(1)), '.local'),
    /** Multiplies the sandbox's lifecycle delays and IPN retry schedule: 0.01 makes 15 minutes 9 s. */
    SANDBOX_TIME_SCALE: z._default(z.coerce.number().check(z.positive()), 1),
    /** `text` (default): one line per request; `json`: the functions' JSON log lines and EMF metrics, as in CloudWatch. */
    LOG_FORMAT: z._default(z.enum(['text', 'json']), 'text'),
  })
  .safeParse(process.env);
if (!settings.success) {
  console.error(`Invalid setting: ${settings.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(1);
}
const { PORT, SANDBOX_PORT, PAYMENTS_DATA_DIR: dataDir, SANDBOX_TIME_SCALE, LOG_FORMAT } = settings.data;

let lock: DataDirLock;
try {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  lock = lockDataDir(resolve(dataDir));
} catch (error) {
  console.error(error instanceof DataDirInUseError ? error.message : `Could not lock ${resolve(dataDir)}: ${(error as Error).message}`);
  process.exit(1);
}

try {
  const runtime = await startLocalRuntime({
    dataDir,
    port: PORT,
    sandboxPort: SANDBOX_PORT,
    sandbox: { timeScale: SANDBOX_TIME_SCALE },
    logFormat: LOG_FORMAT,
    // In json, stdout carries only the functions' JSON lines (pipe it to jq); the runtime's own lines go to stderr.
    log: LOG_FORMAT === 'json' ? (line) => console.error(line) : (line) => console.log(line),
  });
  console.log(`API      ${runtime.apiUrl}   (try ${runtime.apiUrl}/v1/health)`);
  console.log(`Sandbox  ${runtime.sandboxUrl}`);
  console.log(`Tokens, account and card ids: ${dataDir}/dev.json`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await runtime.close();
    lock.release();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  lock.release();
  const err = error as NodeJS.ErrnoException & { port?: number };
  if (err.code === 'EADDRINUSE') {
    console.error(`Port ${err.port ?? ''} is already in use: stop what holds it, or set PORT / SANDBOX_PORT.`);
  } else {
    console.error(`Could not start: ${err.message}`);
  }
  process.exit(1);
}
