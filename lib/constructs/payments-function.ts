// One construct carries every default a function needs, so each function
// declaration is a few lines and no default is repeated.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventFunctions, queueConsumers, routes, scheduledJobs, type RouteUse } from '#functions/routes.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const handlersDir = path.join(projectRoot, 'functions', 'handlers');
export const handlerEntry = (handler: string) => path.join(handlersDir, `${handler}.ts`);

/** The newest Node runtime aws-cdk-lib offers; esbuild's target follows it. */
export const nodeRuntime = lambda.Runtime.NODEJS_24_X;
const esbuildTarget = 'node24';

/** PCI DSS 10.7: keep audit logs at least a year. */
export const logRetention = logs.RetentionDays.ONE_YEAR;

// ESM bundles have no `require`; some CommonJS dependencies still call it.
const createRequireBanner =
  "import { createRequire as __paymentsCreateRequire } from 'node:module'; const require = __paymentsCreateRequire(import.meta.url);";

/**
 * In Lambda the SDK's default credential chain always stops at its first link, the
 * environment; the bundles get that link alone (functions/adapters/lambda-credentials.ts),
 * without the SSO, INI, process, web-identity and metadata links and their STS and SSO
 * clients: 131-132 KiB less in every bundle that uses an AWS client, and a faster import.
 */
const bundleAliases = {
  '@aws-sdk/credential-provider-node': path.join(projectRoot, 'functions', 'adapters', 'lambda-credentials.ts'),
} as const;

/**
 * Left out of every bundle: the SDK loads its event-stream codec with a dynamic import only
 * for an operation that streams events, and none of the clients the functions use
 * (DynamoDB, SQS, EventBridge, KMS, Secrets Manager) has one. esbuild would otherwise inline
 * it: ≈ 19 KiB in every bundle with an AWS client. test/unit/architecture/bundle-contents.test.ts
 * fails if a bundled client ever mentions event streams, or if a bundle imports the codec other
 * than dynamically (in Lambda the external module cannot be found: a static import would fail
 * every cold start).
 */
const bundleExternals = ['@smithy/core/event-streams'] as const;

/**
 * esbuild settings of every function bundle (bench/bundle-size.ts measures bundles built
 * with them; bench/README.md has the figures behind each choice):
 * - the AWS SDK is bundled, not taken from the runtime: one minified file imports
 *   2-3× faster than the runtime's node_modules copy, and the version is the one tested;
 * - no source map in the asset and no `--enable-source-maps`: the map is 4.5× the bundle
 *   (2.8 MiB for checkouts-create), all of it fetched at a cold start, and issue 16
 *   measured the flag at 17-19% of the cold import; a minified stack trace
 *   (file:line:column) is mapped back with the same commit rebuilt with `--sourcemap`
 *   (esbuild's output is deterministic). Not `keepNames` either: 7% more bundle for
 *   names that the rebuilt map gives anyway.
 */
export const bundleSettings = {
  target: esbuildTarget,
  platform: 'node',
  minify: true,
  mainFields: ['module', 'main'],
  banner: createRequireBanner,
  alias: bundleAliases,
  external: bundleExternals,
} as const;

/** What `bundleSettings` amounts to as esbuild's own options, for the benches and tests that build an entry (a handler: handlerEntry) as the CDK app does. */
export function esbuildOptionsFor(entry: string) {
  return {
    entryPoints: [entry],
    bundle: true,
    format: 'esm' as const,
    target: bundleSettings.target,
    platform: bundleSettings.platform,
    minify: bundleSettings.minify,
    mainFields: [...bundleSettings.mainFields],
    banner: { js: bundleSettings.banner },
    alias: { ...bundleSettings.alias },
    external: [...bundleSettings.external],
  };
}

/** What `bundleSettings` amounts to as the CDK's NodejsFunction bundling options (the same choices: a test compares them). */
export function cdkBundlingOptions() {
  return {
    format: OutputFormat.ESM,
    target: bundleSettings.target,
    minify: bundleSettings.minify,
    mainFields: [...bundleSettings.mainFields],
    banner: bundleSettings.banner,
    sourceMap: false,
    // The runtime ships AWS SDK v3, but the bundled one loads faster and is the version the tests ran against;
    // only the event-stream codec no function uses stays out (bundleExternals).
    externalModules: [...bundleSettings.external],
    esbuildArgs: { '--alias': Object.entries(bundleSettings.alias).map(([from, to]) => `${from}=${to}`) },
  };
}

/**
 * Memory per function (MB), chosen from bench/bundle-size.ts's measurements
 * (bench/README.md, "Memory sizes"). Lambda gives CPU in proportion to memory (1,769 MB
 * is one vCPU) and bills memory × duration: a function that mostly waits (on
 * DynamoDB, the provider, a merchant's endpoint) costs less with less memory, while
 * its cold import, pure CPU, takes longer. Measured: RSS after import 46-51 MiB without
 * the Encryption SDK, 56-57 MiB with it; import CPU 1.5-3× as much with it (2026-12-02).
 * So 256 MB (RSS under half of it, import about 7× its one-vCPU time) for the functions
 * without the Encryption SDK, which answer from DynamoDB alone or make one provider
 * call with the platform's credentials; 512 MB for those with it (the provider calls
 * with a merchant's token, webhook signing), whose cold start would otherwise double.
 * Which is which follows from a function's uses in functions/routes.ts: only the
 * `token-key:*` and `webhook-secret:*` uses bring the vault and with it the SDK.
 */
const encryptionSdkUses = /^(token-key|webhook-secret):/;
/** Every function's uses, by handler (those in no table, the authorizer and the rotation, use no key). */
const usesByHandler = new Map<string, readonly RouteUse[]>(
  [...routes, ...queueConsumers, ...scheduledJobs, ...eventFunctions].map((fn) => [fn.handler, fn.uses]),
);

/** 512 MB for a function that seals or opens with the Encryption SDK (a key use), 256 MB for the rest. */
export function memorySizeFor(handler: string): number {
  return (usesByHandler.get(handler) ?? []).some((use) => encryptionSdkUses.test(use)) ? 512 : 256;
}

export interface NetworkPlacement {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroups: ec2.ISecurityGroup[];
}

export interface PaymentsFunctionProps {
  /** File name under functions/handlers/ (without .ts); its `handler` export is the entry point. */
  handler: string;
  description: string;
  /** Encrypts the function's log group. */
  logKey: kms.IKey;
  /** Settings every function reads (runtime, log level, service name...); grants add the rest. */
  environment: Record<string, string>;
  reservedConcurrency: number;
  network?: NetworkPlacement;
  memorySize?: number;
  timeout?: Duration;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Invoked asynchronously (events, queues): gets a KMS-encrypted dead-letter queue, which the monitoring stack alarms on. */
  asynchronous?: boolean;
  /** Who invokes a synchronous function and sees its failures; names it in the dead-letter acknowledgement. */
  synchronousCaller?: string;
}

export class PaymentsFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly handlerName: string;
  readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: PaymentsFunctionProps) {
    super(scope, id);
    this.handlerName = props.handler;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: logRetention,
      // Audit evidence outlives the function: a stack update that replaces it keeps the logs.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An explicit role with no AWS managed policy: only what the log group, X-Ray and grants add.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.handler}: logs, traces and the grants declared for it, nothing else`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.network) {
      // What AWSLambdaVPCAccessExecutionRole would grant, without the managed policy.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    // Findings on the role and on the tracing policy Lambda attaches to it.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: [
        'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) have no resource-level permissions, so X-Ray requires Resource "*".',
        props.network
          ? 'In the VPC, Lambda creates and deletes the function\'s network interfaces before they exist, so the ec2:*NetworkInterface* actions (those of AWSLambdaVPCAccessExecutionRole, inlined to avoid the managed policy) cannot name a resource.'
          : '',
      ].join(' ').trim(),
    });
    if (props.asynchronous) {
      this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: props.logKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(this.deadLetterQueue).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason: `This queue is itself the dead-letter queue of ${props.handler}'s asynchronous invocations: nothing consumes it automatically, so there are no failed receives to redrive; DeadLetterQueueNotEmpty pages as soon as an event lands in it.`,
      });
    } else {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: `${props.handler} is only invoked synchronously (${props.synchronousCaller ?? 'API Gateway waits for its answer and the caller sees any failure'}); a dead-letter queue applies to asynchronous invocations only.`,
      });
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: nodeRuntime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? memorySizeFor(props.handler),
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrency,
      ...(this.deadLetterQueue ? { deadLetterQueue: this.deadLetterQueue } : {}),
      environment: props.environment,
      ...(props.network
        ? { vpc: props.network.vpc, vpcSubnets: props.network.subnets, securityGroups: props.network.securityGroups }
        : {}),
      bundling: cdkBundlingOptions(),
    });
    // The log group is created before the function so the first invocation cannot auto-create an unencrypted one.
    this.function.node.addDependency(this.logGroup);
  }

  /** Adds environment variables; grants call this so the name of what is granted travels with the grant. */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
