// The stateless front: WAF, the REST API, the authorizer and one function per
// route of functions/routes.ts, the IPN queue and its consumer, the scheduled
// jobs, events and webhook delivery (EventDelivery), and in isolated environments
// the VPC. Receives the stateful resources as props. Each part is built by a module
// of lib/api/ (or a construct) in this stack's scope, so the deployed resources are the stack's.
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { paymentsTable } from '#functions/adapters/dynamodb/table-definitions.ts';
import { addGatewayErrorResponses } from '#lib/api-error-responses.ts';
import { gatewayCorsHeaders } from '#lib/api/cors.ts';
import { createFirewall } from '#lib/api/firewall.ts';
import { createNetwork } from '#lib/api/network.ts';
import { addQueueConsumers, createIpnQueue } from '#lib/api/queues.ts';
import { createRestApi } from '#lib/api/rest-api.ts';
import { addRoutes } from '#lib/api/routes.ts';
import { addScheduledJobs } from '#lib/api/scheduled-jobs.ts';
import { grantsFor, type Queues } from '#lib/api/uses.ts';
import { EventDelivery } from '#lib/constructs/event-delivery.ts';
import type { PaymentsFunction } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import type { StatefulStack } from '#lib/stateful-stack.ts';

export { isUnauthenticated } from '#lib/api/routes.ts';

export interface ApiStackProps extends StackProps {
  config: EnvironmentConfig;
  stateful: StatefulStack;
}

export class ApiStack extends Stack {
  readonly api: apigw.RestApi;
  readonly webAcl: wafv2.CfnWebACL;
  readonly authorizerFunction: PaymentsFunction;
  /** One per route, keyed by route id. */
  readonly routeFunctions: Map<string, PaymentsFunction>;
  /** One per entry of `queueConsumers`, keyed by its id. */
  readonly queueConsumerFunctions: Map<string, PaymentsFunction>;
  /** The IPN queue: the receiver sends each notice, the processor consumes it. */
  readonly ipnQueue: sqs.Queue;
  /** Where the IPN queue moves a notice after ipnQueueSettings.maxReceiveCount failed deliveries. */
  readonly ipnDeadLetterQueue: sqs.Queue;
  /** One per entry of `scheduledJobs`, keyed by its id. */
  readonly scheduledJobFunctions = new Map<string, PaymentsFunction>();
  /** The EventBridge rules that run them, keyed by job id (the monitoring stack alarms on failed invocations). */
  readonly scheduleRules = new Map<string, events.Rule>();
  /** The events publisher (payments table stream), the EventBridge bus, the webhook delivery queue and deliverer. */
  readonly eventDelivery: EventDelivery;
  /** Dead-letter queues the monitoring stack alarms on: the IPN queue's, the events publisher's and webhook deliveries', and any asynchronous function's. */
  readonly deadLetterQueues: sqs.IQueue[] = [];

  private readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    this.config = props.config;
    const { config, stateful } = props;
    const network = config.vpcIsolation ? createNetwork(this, config, stateful.key) : undefined;
    if (!network) {
      // Reason comes from the environment's context (vpcIsolationWaiver), required when isolation is off.
      Validations.of(this).acknowledge({ id: 'PCI.DSS.321-LambdaInsideVPC', reason: config.vpcIsolationWaiver ?? '' });
    }

    this.api = createRestApi(this, config, stateful.key);
    const ipnBaseUrl =
      config.ipnBaseUrl ?? `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${config.name}`;
    const defaults = {
      logKey: stateful.key,
      network,
      logLevel: config.logLevel,
      environment: {
        PAYMENTS_RUNTIME: 'aws',
        LOG_LEVEL: config.logLevel,
        POWERTOOLS_SERVICE_NAME: 'payments',
        POWERTOOLS_METRICS_NAMESPACE: 'Payments',
        PROVIDER_BASE_URL: config.providerBaseUrl,
        IPN_BASE_URL: ipnBaseUrl,
        // Provider timeout and attempts keep functions/config.ts's defaults, sized for API Gateway's 29 s.
        CORS_ALLOWED_ORIGINS: config.corsAllowedOrigins.join(','),
        AUTH_ISSUER: stateful.tokenIssuer.issuer,
        AUTH_AUDIENCE: stateful.tokenIssuer.audience,
        AUTH_JWKS: stateful.tokenIssuer.jwks,
      },
    };
    ({ queue: this.ipnQueue, deadLetterQueue: this.ipnDeadLetterQueue } = createIpnQueue(this, stateful.key));
    // Before the routes: webhook_endpoints.create/rotate_secret and events.redeliver are granted its key purpose and queue.
    this.eventDelivery = new EventDelivery(this, 'Events', {
      table: stateful.tables[paymentsTable.id]!,
      key: stateful.key,
      environment: defaults.environment,
      logLevel: config.logLevel,
      reservedConcurrency: config.concurrency.handler,
      ...(network ? { network } : {}),
    });
    const queues: Queues = { ipn: this.ipnQueue, webhookDeliveries: this.eventDelivery.deliveryQueue };
    const grants = (uses: Parameters<typeof grantsFor>[0]) => grantsFor(uses, stateful, queues, { bus: this.eventDelivery.bus });
    this.eventDelivery.grantUses(grants);

    ({ authorizerFunction: this.authorizerFunction, routeFunctions: this.routeFunctions } = addRoutes(this, this.api, {
      defaults,
      grantsFor: grants,
      concurrency: config.concurrency,
      corsAllowedOrigins: config.corsAllowedOrigins,
    }));
    addGatewayErrorResponses(this.api, gatewayCorsHeaders(config.corsAllowedOrigins));
    this.webAcl = createFirewall(this, config, this.api, stateful.key);
    this.queueConsumerFunctions = addQueueConsumers(this, { queues, defaults, grantsFor: grants, reservedConcurrency: config.concurrency.handler });
    for (const scheduled of addScheduledJobs(this, defaults, grants)) {
      this.scheduledJobFunctions.set(scheduled.job.id, scheduled.function);
      this.scheduleRules.set(scheduled.job.id, scheduled.rule);
    }

    const functions = [this.authorizerFunction, ...this.routeFunctions.values(), ...this.queueConsumerFunctions.values(), ...this.scheduledJobFunctions.values(), ...this.eventDelivery.functions];
    this.deadLetterQueues.push(this.ipnDeadLetterQueue, ...this.eventDelivery.deadLetterQueues, ...functions.flatMap((fn) => (fn.deadLetterQueue ? [fn.deadLetterQueue] : [])));
    Validations.of(this).acknowledge({
      id: 'PCI.DSS.321-IAMNoInlinePolicy',
      reason:
        'Each role here (one per function, the API Gateway logging role, the flow-log role) carries its own least-privilege statements as an inline policy that lives and dies with that role; a customer-managed policy per role would hold the same statements in a second, separately attachable resource, which is what PCI DSS 7.1.2 asks us to avoid.',
    });
    // A named output (no export) instead of RestApi's generated `Endpoint<hash>` one.
    this.api.node.tryRemoveChild('Endpoint');
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API (append v1/health)' });
  }

  /**
   * The environment's availability zones from its context (cdk.json), so the VPC never looks them up:
   * `cdk synth` and `cdk diff` of every stage run offline, without credentials.
   */
  override get availabilityZones(): string[] {
    return [...this.config.availabilityZones];
  }
}
