// `npm start`: the API on $PORT (3000) and the sandbox on $SANDBOX_PORT (3001),
// state under $PAYMENTS_DATA_DIR (.local/). Ctrl-C stops everything.
import { startLocalRuntime } from './runtime.ts';

// The AWS SDK warns on Node < 22 that *future* SDK releases will need Node 22; the
// project supports Node 20 locally (package.json engines), and the multi-line
// warning would bury start-up errors such as a busy port. Set it to anything but
// "true" to see the warning again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const port = Number(process.env.PORT ?? 3000);
const sandboxPort = Number(process.env.SANDBOX_PORT ?? 3001);
const dataDir = process.env.PAYMENTS_DATA_DIR ?? '.local';

try {
  const runtime = await startLocalRuntime({ dataDir, port, sandboxPort });
  console.log(`API      ${runtime.apiUrl}   (try ${runtime.apiUrl}/v1/health)`);
  console.log(`Sandbox  ${runtime.sandboxUrl}`);
  console.log(`Tokens, account and card ids: ${dataDir}/dev.json`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  const err = error as NodeJS.ErrnoException & { port?: number };
  if (err.code === 'EADDRINUSE') {
    console.error(`Port ${err.port ?? ''} is already in use: stop what holds it, or set PORT / SANDBOX_PORT.`);
  } else {
    console.error(`Could not start: ${err.message}`);
  }
  process.exit(1);
}
