// One helper grants a function exactly the access it needs and sets the
// environment variable that names what it was granted, in the same call, so
// grants and configuration never drift apart. The variable names are those
// functions/config.ts reads.
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { PaymentsFunction } from '#lib/constructs/payments-function.ts';
import type { TokenContext, WebhookSecretContext } from '#functions/ports/token-vault.ts';

/**
 * What a key grant may seal or open: merchants' provider tokens, or webhook endpoints' signing
 * secrets. The vault binds each ciphertext to its purpose and to the one entity it belongs to
 * (the encryption context's other key), and IAM requires both.
 */
type KeyPurpose = TokenContext['purpose'] | WebhookSecretContext['purpose'];
const entityContextKey: Record<KeyPurpose, string> = { provider_access_token: 'merchant_id', webhook_secret: 'endpoint_id' };

/** `append`: PutItem alone, for the append-only audit table (a conditional put; never an update or delete). */
export type TableAccess = 'read' | 'readWrite' | 'append';
/** `seal` wraps new data keys (Encryption SDK encrypt), `unseal` unwraps them (decrypt). */
export type KeyAccess = 'seal' | 'unseal' | 'sealAndUnseal';
/** `read`: the functions that use the secret; `rotate`: its rotation function (new versions, label moves). */
export type SecretAccess = 'read' | 'rotate';
/** `send`: a producer (the IPN receiver, webhook delivery attempts); `consume`: the role of a function an SQS event source mapping feeds. */
export type QueueAccess = 'send' | 'consume';

export type Grant =
  | {
      kind: 'table';
      table: dynamodb.ITableV2;
      /** The table's GSIs, named one by one (no `index/*`): from its declaration. */
      indexNames: readonly string[];
      access: TableAccess;
      env: 'PAYMENTS_TABLE_NAME' | 'IDEMPOTENCY_TABLE_NAME' | 'AUDIT_TABLE_NAME';
    }
  | { kind: 'key'; key: kms.IKey; access: KeyAccess; purpose: KeyPurpose; env: 'TOKEN_KMS_KEY_ARN' }
  | { kind: 'secret'; secret: secretsmanager.ISecret; access: SecretAccess; env: 'PLATFORM_SECRET_ID' }
  // `none`: Lambda itself sends with the function's role (a stream event source mapping's
  // on-failure destination); the function's code never names the queue.
  | { kind: 'queue'; queue: sqs.IQueue; access: 'send'; env: 'IPN_QUEUE_URL' | 'WEBHOOK_QUEUE_URL' | 'none' }
  // A consumer never names its queue: Lambda's poller receives and deletes with the function's role
  // and hands it the messages, so there is no variable to set.
  | { kind: 'queue'; queue: sqs.IQueue; access: 'consume' }
  // PutEvents on one bus, and its key only through EventBridge.
  | { kind: 'bus'; bus: events.IEventBus; key: kms.IKey; env: 'EVENT_BUS_NAME' };

// Table items are written by PutItem/UpdateItem/DeleteItem with conditions: no
// scans, no batch deletes, no table-level actions. A TransactWriteItems (a new checkout
// stored with its answer) needs no action of its own: IAM authorizes each of its items
// by the PutItem, UpdateItem or DeleteItem action it makes.
const tableActions: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
  // The audit trail: a new record is one conditional PutItem (attribute_not_exists). No UpdateItem,
  // DeleteItem or BatchWriteItem (which can delete), no reads: a writer cannot even look records up.
  // IAM cannot require the condition itself; record ids are 128 random bits, so a put never meets an
  // existing id by chance, and point-in-time recovery keeps every earlier state of the table.
  append: ['dynamodb:PutItem'],
};

// Tables are encrypted with the customer-managed key, so using them needs the key too.
const tableKeyActions: Record<TableAccess, string[]> = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  readWrite: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
  append: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
};

// What Secrets Manager's rotation protocol calls (DescribeSecret for the version labels,
// PutSecretValue for AWSPENDING, UpdateSecretVersionStage to promote it); nothing that
// deletes, restores or reconfigures the secret.
const secretActions: Record<SecretAccess, string[]> = {
  read: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
  rotate: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
};

// Secrets Manager decrypts a version's data key to read it and generates one to write it.
const secretKeyActions: Record<SecretAccess, string[]> = {
  read: ['kms:Decrypt'],
  rotate: ['kms:Decrypt', 'kms:GenerateDataKey'],
};

const envelopeKeyActions: Record<KeyAccess, string[]> = {
  seal: ['kms:GenerateDataKey', 'kms:Encrypt'],
  unseal: ['kms:Decrypt'],
  sealAndUnseal: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
};

// `send`: a producer only sends (no GetQueueUrl: the URL comes from its variable; no GetQueueAttributes).
// `consume`: what Lambda's poller calls with the function's role, as the Lambda and SQS guides list
// for SQS event sources. No sqs:ChangeMessageVisibility: neither the poller nor the handler calls it
// (a failed notice, reported in the partial batch response, reappears when its visibility timeout
// ends), and no GetQueueUrl; CDK's SqsEventSource would grant both, so it is not used.
const queueActions: Record<QueueAccess, string[]> = {
  send: ['sqs:SendMessage'],
  consume: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
};

// SQS generates (and reuses, for its data key reuse period) a data key to encrypt what a producer
// sends, and decrypts it for both producers and consumers; it does so with the caller's permissions.
const queueKeyActions: Record<QueueAccess, string[]> = {
  send: ['kms:GenerateDataKey', 'kms:Decrypt'],
  consume: ['kms:Decrypt'],
};

/** Grants `fn` what `grant` describes and sets the variable that names it. */
export function grantTo(fn: PaymentsFunction, grant: Grant): void {
  switch (grant.kind) {
    case 'table': {
      const { table, access } = grant;
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: tableActions[access],
          // The table and its declared indexes (listings read the GSIs), nothing wider; a put writes the table only.
          resources: [table.tableArn, ...(access === 'append' ? [] : grant.indexNames.map((index) => `${table.tableArn}/index/${index}`))],
        }),
      );
      if (table.encryptionKey) {
        fn.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: tableKeyActions[access],
            resources: [table.encryptionKey.keyArn],
            // Only when DynamoDB itself uses the key on the function's behalf.
            conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${fn.function.stack.region}.amazonaws.com` } },
          }),
        );
      }
      fn.addEnvironment(grant.env, table.tableName);
      return;
    }
    case 'key': {
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: envelopeKeyActions[grant.access],
          resources: [grant.key.keyArn],
          // The vault always binds a ciphertext to (merchant_id or endpoint_id, purpose): the key
          // cannot be used for anything else through this grant, nor for the other purpose.
          conditions: {
            StringEquals: { 'kms:EncryptionContext:purpose': grant.purpose },
            Null: { [`kms:EncryptionContext:${entityContextKey[grant.purpose]}`]: 'false' },
          },
        }),
      );
      fn.addEnvironment(grant.env, grant.key.keyArn);
      return;
    }
    case 'secret': {
      // Explicit statements rather than secret.grantRead(), which would also write the
      // role into the key's policy: a reference from the stateful stack back to this one.
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: secretActions[grant.access], resources: [grant.secret.secretArn] }));
      if (grant.secret.encryptionKey) {
        fn.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: secretKeyActions[grant.access],
            resources: [grant.secret.encryptionKey.keyArn],
            // Only through Secrets Manager, and only for this secret's versions (the context it encrypts them with).
            conditions: {
              StringEquals: {
                'kms:ViaService': `secretsmanager.${fn.function.stack.region}.amazonaws.com`,
                'kms:EncryptionContext:SecretARN': grant.secret.secretArn,
              },
            },
          }),
        );
      }
      fn.addEnvironment(grant.env, grant.secret.secretArn);
      return;
    }
    case 'queue': {
      const { queue, access } = grant;
      // Explicit statements rather than queue.grantSendMessages()/grantConsumeMessages(), which add
      // GetQueueUrl and GetQueueAttributes or ChangeMessageVisibility, and the key actions without conditions.
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: queueActions[access], resources: [queue.queueArn] }));
      if (queue.encryptionMasterKey) {
        fn.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: queueKeyActions[access],
            resources: [queue.encryptionMasterKey.keyArn],
            // Only when SQS uses the key on the function's behalf, and only for this queue's messages
            // (SQS encrypts them with the queue's ARN as encryption context).
            conditions: {
              StringEquals: {
                'kms:ViaService': `sqs.${fn.function.stack.region}.amazonaws.com`,
                'kms:EncryptionContext:aws:sqs:arn': queue.queueArn,
              },
            },
          }),
        );
      }
      if (grant.access === 'send' && grant.env !== 'none') fn.addEnvironment(grant.env, queue.queueUrl);
      return;
    }
    case 'bus': {
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [grant.bus.eventBusArn] }));
      // The encrypted bus's key, only through EventBridge (the key policy lets EventBridge itself use it for this bus alone).
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [grant.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `events.${fn.function.stack.region}.amazonaws.com` } },
        }),
      );
      fn.addEnvironment(grant.env, grant.bus.eventBusName);
      return;
    }
  }
}
