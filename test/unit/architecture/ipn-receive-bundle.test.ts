// The IPN receiver only checks a route token against the platform secret and
// queues one SQS message: its bundle (and cold start) must not carry the
// storage and encryption clients that other routes need.
import { fileURLToPath } from 'node:url';
import { packagesReachedFrom } from './import-graph.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const forbidden = [/^@aws-sdk\/client-dynamodb$/, /^@aws-sdk\/lib-dynamodb$/, /^@aws-sdk\/client-kms$/, /^@aws-crypto\//];

describe("the IPN receiver's bundle", () => {
  it('reaches neither DynamoDB, KMS nor the Encryption SDK from functions/handlers/ipn-receive.ts', () => {
    const reached = packagesReachedFrom(root, 'functions/handlers/ipn-receive.ts');
    const leaks = [...reached].filter(([name]) => forbidden.some((pattern) => pattern.test(name))).map(([name, from]) => `${name} (imported by ${from})`);
    expect(leaks).toEqual([]);
  });

  it('does reach the SQS client it sends with (the walk follows the handler)', () => {
    expect([...packagesReachedFrom(root, 'functions/handlers/ipn-receive.ts').keys()]).toContain('@aws-sdk/client-sqs');
  });
});
