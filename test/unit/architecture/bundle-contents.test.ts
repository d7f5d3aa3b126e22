// What goes into a function's bundle as esbuild builds it with the CDK app's settings: the
// Encryption SDK, the X-Ray SDK, which repositories, which route tables, the SDK's event-stream
// codec. Tree-shaking, not the import graph, decides (a function whose composition root imports
// the vault's wiring for other routes must still leave the SDK out when it never builds a vault).
import { readFileSync, readdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { build, stop, type Metafile } from 'esbuild';
import { esbuildOptionsFor, handlerEntry, handlersDir, memorySizeFor, projectRoot } from '#lib/constructs/payments-function.ts';

/** Each handler's bundle, built once for the whole file. */
const builds = new Map<string, Promise<Metafile['outputs'][string]>>();
function bundleOf(handler: string) {
  let built = builds.get(handler);
  if (!built) {
    built = build({ ...esbuildOptionsFor(handlerEntry(handler)), outfile: `/virtual/${handler}/index.mjs`, write: false, metafile: true, logLevel: 'error' }).then(
      (result) => Object.values(result.metafile.outputs)[0]!,
    );
    builds.set(handler, built);
  }
  return built;
}

/** The bytes each file contributes to the handler's bundle (what is in the output, not merely parsed). */
async function bytesByInput(handler: string): Promise<Map<string, number>> {
  const output = await bundleOf(handler);
  return new Map(Object.entries(output.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
}

/** The packages whose code ends up in the handler's bundle. */
async function packagesIn(handler: string): Promise<Set<string>> {
  const packages = new Set<string>();
  for (const input of (await bytesByInput(handler)).keys()) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    if (name) packages.add(name);
  }
  return packages;
}

const carriesEncryptionSdk = (packages: Set<string>) => [...packages].some((name) => name.startsWith('@aws-crypto/'));

afterAll(() => stop());

const handlers = readdirSync(handlersDir).filter((file) => file.endsWith('.ts')).map((file) => file.replace(/\.ts$/, '')).sort();

describe('bundles and the Encryption SDK', () => {
  // memorySizeFor gives 512 MB to the functions whose uses open or seal a secret, for the SDK's import.
  it.each(handlers.filter((handler) => memorySizeFor(handler) === 256))('%s, at 256 MB, carries neither the Encryption SDK nor KMS', async (handler) => {
    const packages = await packagesIn(handler);
    expect(carriesEncryptionSdk(packages)).toBe(false);
    expect(packages.has('@aws-sdk/client-kms')).toBe(false);
  });

  it.each(handlers.filter((handler) => memorySizeFor(handler) === 512))('%s, at 512 MB, carries it, but not the umbrella package nor the X-Ray SDK', async (handler) => {
    const packages = await packagesIn(handler);
    expect(packages.has('@aws-crypto/encrypt-node') || packages.has('@aws-crypto/decrypt-node')).toBe(true);
    expect(packages.has('@aws-crypto/client-node')).toBe(false);
    // client-node's hierarchical keyring and raw RSA keyring are not used here.
    expect(packages.has('@aws-crypto/branch-keystore-node')).toBe(false);
    expect(packages.has('@aws-crypto/raw-rsa-keyring-node')).toBe(false);
    expect(packages.has('aws-xray-sdk-core')).toBe(false);
  });

  it('holds both kinds of function', () => {
    expect(handlers.filter((handler) => memorySizeFor(handler) === 512).length).toBeGreaterThanOrEqual(10);
    expect(handlers.filter((handler) => memorySizeFor(handler) === 256).length).toBeGreaterThanOrEqual(20);
  });
});

describe('bundles and the storage wiring', () => {
  it('the events publisher carries only the repositories it uses, not every one the wiring can build', async () => {
    const bytes = await bytesByInput('events-publish');
    expect(bytes.get('functions/adapters/dynamodb/event-store.ts')).toBeGreaterThan(1_000);
    // A module whose class was dropped may leave a few bytes of its module wrapper behind.
    for (const unused of ['idempotency-store', 'velocity-store', 'merchant-repository', 'reconciliation-lease', 'checkout-repository']) {
      expect(bytes.get(`functions/adapters/dynamodb/${unused}.ts`) ?? 0).toBeLessThan(100);
    }
  });
});

describe('bundles and the route table', () => {
  // Each resource's table brings its schemas; the joined table would bring every route's.
  it.each([
    ['mandates-create', 'mandates'],
    ['events-redeliver', 'events'],
    ['checkouts-capture', 'checkouts'],
    ['health', 'service'],
  ])('%s carries its own resource\'s route table (%s) and no other', async (handler, resource) => {
    const routeFiles = [...(await bytesByInput(handler)).keys()].filter((input) => input.startsWith('functions/routes')).sort();
    expect(routeFiles).toEqual([`functions/routes/${resource}.ts`, 'functions/routes/route-definition.ts'].sort());
  });

  it('the authorizer, which audits a refusal on any route, carries the whole table', async () => {
    const bytes = await bytesByInput('authorize');
    expect(bytes.has('functions/routes.ts')).toBe(true);
    expect(bytes.has('functions/routes/checkouts.ts')).toBe(true);
  });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

describe("bundles and the SDK's event-stream codec", () => {
  // In Lambda an external module cannot be found (the runtime's SDK copy is not on the bundle's
  // path): only an import made when an operation streams events may name it, never one at load.
  it.each(handlers)('%s leaves it out, and names it in no import but the dynamic one', async (handler) => {
    const output = await bundleOf(handler);
    expect(Object.keys(output.inputs).filter((input) => /event-?streams?/.test(input))).toEqual([]);
    for (const imported of output.imports.filter((entry) => entry.external && !isBuiltin(entry.path))) {
      expect(imported).toEqual({ path: '@smithy/core/event-streams', kind: 'dynamic-import', external: true });
    }
  });

  // The codec is loaded only for an operation that streams events; a client with one mentions it.
  it('is needed by none of the AWS clients in the bundles', async () => {
    const clients = new Set<string>();
    for (const handler of handlers) for (const name of await packagesIn(handler)) if (name.startsWith('@aws-sdk/client-')) clients.add(name);
    expect([...clients].sort()).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-eventbridge', '@aws-sdk/client-kms', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sqs']);
    const mentions = [...clients].flatMap((client) =>
      filesUnder(join(projectRoot, 'node_modules', client, 'dist-es'))
        .filter((file) => /event-?stream/i.test(readFileSync(file, 'utf8')))
        .map((file) => file.slice(projectRoot.length + 1)),
    );
    expect(mentions).toEqual([]);
  });
});
