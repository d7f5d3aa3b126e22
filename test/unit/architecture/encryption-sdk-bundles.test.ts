// Which bundles carry the Encryption SDK and the X-Ray SDK, as esbuild builds them with
// the CDK app's settings: tree-shaking, not the import graph, decides (a function whose
// composition root imports the vault's wiring for other routes must still leave the SDK
// out when it never builds a vault).
import { build, stop } from 'esbuild';
import { esbuildOptionsFor, handlerEntry } from '#lib/constructs/payments-function.ts';

/** The packages whose code ends up in the handler's bundle (bytes in the output, not merely parsed). */
async function packagesIn(handler: string): Promise<Set<string>> {
  const result = await build({ ...esbuildOptionsFor(handlerEntry(handler)), outfile: `/virtual/${handler}/index.mjs`, write: false, metafile: true, logLevel: 'error' });
  const [output] = Object.values(result.metafile.outputs);
  const packages = new Set<string>();
  for (const [input, { bytesInOutput }] of Object.entries(output!.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    if (name && bytesInOutput > 0) packages.add(name);
  }
  return packages;
}

const carriesEncryptionSdk = (packages: Set<string>) => [...packages].some((name) => name.startsWith('@aws-crypto/'));

afterAll(() => stop());

describe('bundles and the Encryption SDK', () => {
  it.each(['events-get', 'events-list', 'events-redeliver', 'events-publish', 'webhook-endpoints-get', 'webhook-endpoints-list', 'webhook-endpoints-delete'])(
    '%s never opens or seals a secret, so carries neither the Encryption SDK nor KMS',
    async (handler) => {
      const packages = await packagesIn(handler);
      expect(carriesEncryptionSdk(packages)).toBe(false);
      expect(packages.has('@aws-sdk/client-kms')).toBe(false);
    },
  );

  it.each(['webhook-endpoints-create', 'checkouts-create'])('%s, which seals or opens, carries it but not the umbrella package nor the X-Ray SDK', async (handler) => {
    const packages = await packagesIn(handler);
    expect(packages.has('@aws-crypto/encrypt-node')).toBe(true);
    expect(packages.has('@aws-crypto/decrypt-node')).toBe(true);
    // client-node's hierarchical keyring and raw RSA keyring are not used here.
    expect(packages.has('@aws-crypto/branch-keystore-node')).toBe(false);
    expect(packages.has('@aws-crypto/raw-rsa-keyring-node')).toBe(false);
    expect(packages.has('aws-xray-sdk-core')).toBe(false);
  });
});
