// Everything that holds state: the key, the tables, the platform secret, the
// users, and the audit trail. Termination protection is on; every resource is
// retained if the stack is ever deleted. Stateless stacks receive these as props.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { auditTable, tableDefinitions, type TableDefinition } from '#functions/adapters/dynamodb/table-definitions.ts';
import { platformSecretKeys, providerIssuedSecretKeys } from '#functions/adapters/secrets/platform-secret.ts';
import { ipnRouteSecretRotationDays, previousIpnRouteSecretsKept } from '#functions/domain/ipn-route-secret-rotation.ts';
import { grantTo } from '#lib/constructs/grants.ts';
import { PaymentsFunction } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import { createTrail } from '#lib/stateful/audit-trail.ts';
import { addTrailMetricFilters } from '#lib/stateful/trail-metric-filters.ts';
import { createUserPool } from '#lib/stateful/user-pool.ts';

export interface StatefulStackProps extends StackProps {
  config: EnvironmentConfig;
}

/** The Cognito values the authorizer verifies tokens against (AUTH_* in functions/config.ts). */
export interface TokenIssuer {
  issuer: string;
  audience: string;
  jwks: string;
}

export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly tables: Record<TableDefinition['id'], dynamodb.TableV2>;
  readonly platformSecret: secretsmanager.Secret;
  /** Renews ipn_route_secret on the secret's rotation schedule. */
  readonly platformSecretRotation: PaymentsFunction;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly tokenIssuer: TokenIssuer;
  readonly trail: cloudtrail.Trail;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { ...props, terminationProtection: true });

    this.key = this.createKey();
    this.tables = Object.fromEntries(tableDefinitions.map((definition) => [definition.id, this.createTable(definition)]));
    this.platformSecret = this.createPlatformSecret();
    this.platformSecretRotation = this.rotatePlatformSecret(props.config);
    ({ userPool: this.userPool, client: this.userPoolClient } = createUserPool(this));
    const issuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`;
    this.tokenIssuer = { issuer, audience: this.userPoolClient.userPoolClientId, jwks: `${issuer}/.well-known/jwks.json` };
    this.trail = createTrail(this, this.key);
    addTrailMetricFilters(this, this.trail, props.config.name);

    // Named outputs (no exports: nothing imports them, so they never pin a stack) for the deploy guide.
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Cognito user pool of the API users' });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId, description: "The frontend's app client id (the tokens' client_id / aud)" });
    new CfnOutput(this, 'PlatformSecretArn', { value: this.platformSecret.secretArn, description: 'Secret holding the WePay app credentials: fill in after the first deploy (docs/deploy.md)' });
  }

  /**
   * One customer-managed key for tables, logs, the secret, the trail and the
   * on-call topic. The policy trusts the account (so IAM policies, which grant
   * per-function and per-action, decide) and names each AWS service that
   * encrypts with it on our behalf, scoped to this account by condition.
   */
  private createKey(): kms.Key {
    const account = this.account;
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AccountAdministersAndDelegatesUseToIam',
          principals: [new iam.AccountRootPrincipal()],
          actions: [
            'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*',
            'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource',
            'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand',
            'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
          principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          conditions: {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${account}:log-group:*` },
          },
        }),
        new iam.PolicyStatement({
          sid: 'CloudTrailEncryptsThisAccountsTrails',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${this.partition}:cloudtrail:*:${account}:trail/*` },
            StringEquals: { 'aws:SourceAccount': account },
          },
        }),
        new iam.PolicyStatement({
          sid: 'CloudTrailDescribesKey',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
        new iam.PolicyStatement({
          sid: 'SnsDeliversFailedNotificationsToTheEncryptedDeadLetterQueue',
          principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublishToTheEncryptedOnCallTopic',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      ],
    });
    return new kms.Key(this, 'DataKey', {
      description: 'Payments: tables, sealed merchant tokens, platform secret, logs, audit trail, on-call topic',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      policy,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Built from the shared declarations, never re-declared here. */
  private createTable(definition: TableDefinition): dynamodb.TableV2 {
    const attribute = (a: { name: string; type: 'S' | 'N' }): dynamodb.Attribute => ({
      name: a.name,
      type: a.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
    });
    return new dynamodb.TableV2(this, tableConstructId(definition), {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: definition.timeToLiveAttribute,
      ...(definition.stream ? { dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES } : {}),
      globalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
      })),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The platform's credentials, one JSON document (functions/adapters/secrets/platform-secret.ts).
   * The IPN route secret is generated here; the provider-issued fields start as
   * placeholders that fail the functions' validation until an operator sets them
   * (docs/deploy.md).
   */
  private createPlatformSecret(): secretsmanager.Secret {
    const generated = 'ipn_route_secret';
    // Same three keys in the same order as before ipn_route_secret_previous existed: a changed
    // template would make CloudFormation generate a new value over the one operators filled in.
    const template = Object.fromEntries(providerIssuedSecretKeys.map((key) => [key, 'SET_ME_FROM_THE_WEPAY_DASHBOARD']));
    return new secretsmanager.Secret(this, 'PlatformSecret', {
      description:
        `WePay app credentials (${platformSecretKeys.join(', ')}) for ${this.stackName}. ` +
        `ipn_route_secret is rotated every ${ipnRouteSecretRotationDays} days, keeping the last ${previousIpnRouteSecretsKept} in ipn_route_secret_previous; ` +
        `${providerIssuedSecretKeys.join(', ')} are issued by WePay and never rotated here (runbook "Rotate the platform credentials").`,
      encryptionKey: this.key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(template),
        generateStringKey: generated,
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The rotation function and schedule of the platform secret. The function renews
   * ipn_route_secret only (functions/handlers/rotate-ipn-route-secret.ts);
   * client_id, client_secret and app_access_token are issued by WePay, which no
   * function can do: rotating them is re-issuing them in the WePay partner dashboard
   * and pasting them into the secret (runbook "Rotate the platform credentials").
   *
   * It lives here, next to the secret, because the schedule must name it in the
   * secret's stack (which is also where cdk-nag looks for it) and the API stack
   * already depends on this one.
   */
  private rotatePlatformSecret(config: EnvironmentConfig): PaymentsFunction {
    const secret = this.platformSecret;
    const fn = new PaymentsFunction(this, 'PlatformSecretRotation', {
      handler: 'rotate-ipn-route-secret',
      description: `Rotates ipn_route_secret of the platform secret (keeps the previous ${previousIpnRouteSecretsKept}); the WePay-issued fields are copied unchanged`,
      logKey: this.key,
      environment: { LOG_LEVEL: config.logLevel, POWERTOOLS_SERVICE_NAME: 'payments' },
      // Secrets Manager runs one step at a time; the second slot lets a retry start while a slow step ends.
      reservedConcurrency: 2,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logLevel: config.logLevel,
      synchronousCaller:
        'Secrets Manager invokes rotation functions synchronously, one step at a time, records a failed step on the secret and retries the rotation',
    });
    // Exactly this secret's rotation calls, and the key only through Secrets Manager for this secret.
    grantTo(fn, { kind: 'secret', secret, access: 'rotate', env: 'PLATFORM_SECRET_ID' });
    // A finished rotation is audited (actor system:rotation): PutItem on the audit table, nothing more.
    grantTo(fn, { kind: 'table', table: this.tables[auditTable.id]!, indexNames: [], access: 'append', env: 'AUDIT_TABLE_NAME' });
    // Only Secrets Manager, only for this secret, only in this account (no confused deputy).
    const invokePermission = 'InvokedBySecretsManagerForThePlatformSecret';
    fn.function.addPermission(invokePermission, {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceArn: secret.secretArn,
      sourceAccount: this.account,
    });
    const schedule = secret.addRotationSchedule('Rotation', {
      // Handed a reference rather than the function itself, addRotationSchedule adds no grants of
      // its own: it would add secretsmanager:GetRandomPassword on "*" (the function draws its
      // randomness from node:crypto), kms:ReEncrypt* and GenerateDataKey* on the key, and an
      // invoke permission without the source conditions above.
      rotationLambda: lambda.Function.fromFunctionAttributes(this, 'PlatformSecretRotationReference', {
        functionArn: fn.function.functionArn,
        sameEnvironment: true,
      }),
      automaticallyAfter: Duration.days(ipnRouteSecretRotationDays),
      // Not at creation: the WePay-issued fields are still placeholders then (docs/deploy.md, First deploy, step 5), which
      // the rotation refuses, and the generated ipn_route_secret is fresh anyway.
      rotateImmediatelyOnUpdate: false,
    });
    schedule.node.addDependency(fn.function.permissionsNode.findChild(invokePermission), fn.role);
    Validations.of(fn).acknowledge(
      {
        id: 'PCI.DSS.321-IAMNoInlinePolicy',
        reason:
          "The rotation function's role carries its own least-privilege statements (this secret's four rotation calls, the key through Secrets Manager for this secret, its log group, X-Ray) inline, living and dying with the role; a customer-managed policy would be a separately attachable copy, which PCI DSS 7.1.2 asks us to avoid.",
      },
      {
        id: 'PCI.DSS.321-LambdaInsideVPC',
        reason:
          "The rotation function calls only the Secrets Manager API (TLS, SigV4) for this one secret; it handles no cardholder data, reaches no other service, and only Secrets Manager can invoke it (source ARN and account conditions). The VPC lives in the API stack, which depends on this stack, and the secret's rotation schedule must name the function here.",
      },
    );
    return fn;
  }
}

/** Construct ids: `PaymentsTable`, `IdempotencyTable` (stable, they name the physical tables). */
export function tableConstructId(definition: TableDefinition): string {
  return `${definition.id[0]!.toUpperCase()}${definition.id.slice(1)}Table`;
}
