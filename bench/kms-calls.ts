// How many KMS calls the token vault makes per request, cold and warm.
//   npx tsx bench/kms-calls.ts [requests] [merchants]
// A real KMS client whose middleware stack answers locally (no network, no AWS)
// and counts every command, so the figures are what the Encryption SDK and its
// caching materials manager actually ask of KMS. "Cold" is a fresh vault per
// request (a new Lambda instance); "warm" is one vault reused for every request.
import { randomBytes } from 'node:crypto';
import { KMS } from '@aws-sdk/client-kms';
import { kmsTokenVault } from '#functions/adapters/token-vault/kms-token-vault.ts';
import { defaultMaterialsCacheOptions as cache } from '#functions/adapters/token-vault/envelope-token-vault.ts';
import type { TokenContext, TokenVault } from '#functions/ports/token-vault.ts';

const requests = Number(process.argv[2] ?? 1000);
const merchantCount = Number(process.argv[3] ?? 20);
const region = 'us-east-1';
const keyArn = `arn:aws:kms:${region}:111122223333:key/00000000-0000-4000-8000-000000000000`;

const kmsCalls = new Map<string, number>();
const totalKmsCalls = () => [...kmsCalls.values()].reduce((sum, count) => sum + count, 0);

/** A KMS client that never leaves the process: wrapped keys are ids into this map. */
function countingLocalKms(): KMS {
  const wrapped = new Map<string, { key: Buffer; context: string }>();
  const client = new KMS({ region, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      kmsCalls.set(command, (kmsCalls.get(command) ?? 0) + 1);
      const input = args.input as { CiphertextBlob?: Uint8Array; EncryptionContext?: Record<string, string> };
      const boundContext = JSON.stringify(input.EncryptionContext ?? {});
      if (command === 'GenerateDataKeyCommand') {
        const key = randomBytes(32);
        const id = randomBytes(16);
        wrapped.set(id.toString('hex'), { key, context: boundContext });
        return { output: { KeyId: keyArn, Plaintext: Uint8Array.from(key), CiphertextBlob: id, $metadata: {} }, response: {} };
      }
      if (command === 'DecryptCommand') {
        const entry = wrapped.get(Buffer.from(input.CiphertextBlob ?? []).toString('hex'));
        if (!entry || entry.context !== boundContext) throw new Error('InvalidCiphertextException');
        return { output: { KeyId: keyArn, Plaintext: Uint8Array.from(entry.key), $metadata: {} }, response: {} };
      }
      throw new Error(`The bench KMS does not answer ${command}`);
    },
    { step: 'initialize', name: 'benchLocalKms' },
  );
  return client;
}

const kms = countingLocalKms();
const newVault = (): TokenVault => kmsTokenVault({ keyArn, region, kmsClient: kms });
const merchants: TokenContext[] = Array.from({ length: merchantCount }, (_, i) => ({ merchantId: `acct_${1000 + i}`, purpose: 'provider_access_token' }));
const merchantAt = (i: number): TokenContext => merchants[i % merchants.length]!;
const token = (i: number) => `STAGE_bench-token-${i}-${randomBytes(8).toString('hex')}`;

interface Figure {
  calls: number;
  perRequest: number;
  microsPerRequest: number;
}

async function measure(count: number, request: (i: number) => Promise<unknown>): Promise<Figure> {
  const callsBefore = totalKmsCalls();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await request(i);
  const elapsedMicros = Number(process.hrtime.bigint() - started) / 1000;
  const calls = totalKmsCalls() - callsBefore;
  return { calls, perRequest: calls / count, microsPerRequest: elapsedMicros / count };
}

const plural = (n: number) => `${n} KMS call${n === 1 ? '' : 's'}`;

// Tokens sealed once at onboarding, as the payments table would hold them.
const sealedBy = newVault();
const sealed = await Promise.all(merchants.map((merchant, i) => sealedBy.seal(token(i), merchant)));
const sealedAt = (i: number) => sealed[i % sealed.length]!;

// seal(): onboarding.
const sealCold = await measure(requests, (i) => newVault().seal(token(i), merchantAt(i)));
const sealWarm = newVault();
const sealWarmDistinct = await measure(requests, (i) => sealWarm.seal(token(i), { merchantId: `acct_new_${i}`, purpose: 'provider_access_token' }));
const reseal = newVault();
const resealFirst = await measure(1, (i) => reseal.seal(token(i), merchantAt(0)));
const resealWarm = await measure(requests, (i) => reseal.seal(token(i), merchantAt(0)));

// open(): every checkout.
const openCold = await measure(requests, (i) => newVault().open(sealedAt(i), merchantAt(i)));
const warmOne = newVault();
const openWarmOneFirst = await measure(1, () => warmOne.open(sealedAt(0), merchantAt(0)));
const openWarmOne = await measure(requests, () => warmOne.open(sealedAt(0), merchantAt(0)));
const warmMany = newVault();
const openWarmMany = await measure(requests, (i) => warmMany.open(sealedAt(i), merchantAt(i)));

const perRequest = (f: Figure) => f.perRequest.toFixed(3);
const timing = (f: Figure) => `~${f.microsPerRequest.toFixed(0)} µs/request in-process`;
console.log(`KMS calls per request: mocked KMS, ${requests} requests, ${merchantCount} merchants, cache maxAge ${cache.maxAgeMs / 1000} s, ${cache.maxMessagesEncrypted} messages per data key`);
console.log(`seal(): cold ${perRequest(sealCold)} KMS calls per request; warm, a new merchant each request: ${perRequest(sealWarmDistinct)} (a merchant's context gets its own data key) [${timing(sealWarmDistinct)}]`);
console.log(`seal(), same merchant again, warm: ${plural(resealFirst.calls)} on the first request, then ${resealWarm.calls} over ${requests} = ${perRequest(resealWarm)} per request (a fresh data key every ${cache.maxMessagesEncrypted} messages) [${timing(resealWarm)}]`);
console.log(`open(): cold ${perRequest(openCold)} KMS calls per request [${timing(openCold)}]; warm, one merchant: ${plural(openWarmOneFirst.calls)} on the first request, then ${openWarmOne.calls} over ${requests} = ${perRequest(openWarmOne)} per request [${timing(openWarmOne)}]`);
console.log(`open(): warm, ${merchantCount} merchants in turn: ${openWarmMany.calls} calls over ${requests} = ${perRequest(openWarmMany)} per request (one Decrypt per merchant per maxAge) [${timing(openWarmMany)}]`);
console.log(`KMS commands seen: ${[...kmsCalls].map(([command, count]) => `${command} ${count}`).join(', ')}`);
