// One environment (stage or prod): its stateful, API and monitoring stacks,
// their cost-allocation tags, and a warning for each example value it still holds.
import { Annotations, Stage, Tags, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiStack } from '#lib/api-stack.ts';
import { placeholdersIn, type EnvironmentConfig } from '#lib/environment-config.ts';
import { MonitoringStack } from '#lib/monitoring-stack.ts';
import { StatefulStack } from '#lib/stateful-stack.ts';

export interface PaymentsStageProps extends StageProps {
  config: EnvironmentConfig;
}

/** The tag keys every stack and taggable resource carries (activate them as cost-allocation tags in Billing). */
export const costAllocationTagKeys = ['project', 'environment', 'cost-center'] as const;

export class PaymentsStage extends Stage {
  readonly stateful: StatefulStack;
  readonly api: ApiStack;
  readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: PaymentsStageProps) {
    const { config } = props;
    super(scope, id, { ...props, env: { account: config.account, region: config.region } });
    const prefix = `payments-${config.name}`;
    this.stateful = new StatefulStack(this, 'Stateful', { config, stackName: `${prefix}-stateful` });
    this.api = new ApiStack(this, 'Api', { config, stateful: this.stateful, stackName: `${prefix}-api` });
    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      config,
      stackName: `${prefix}-monitoring`,
      key: this.stateful.key,
      api: this.api.api,
      webAcl: this.api.webAcl,
      authorizer: this.api.authorizerFunction,
      functions: [
        this.api.authorizerFunction,
        ...this.api.routeFunctions.values(),
        ...this.api.queueConsumerFunctions.values(),
        ...this.api.scheduledJobFunctions.values(),
        ...this.api.eventDelivery.functions,
        this.stateful.platformSecretRotation,
      ],
      tables: Object.values(this.stateful.tables),
      deadLetterQueues: this.api.deadLetterQueues,
      ipnQueue: this.api.ipnQueue,
      scheduleRules: [...this.api.scheduleRules.values()],
    });

    const tags: Record<(typeof costAllocationTagKeys)[number], string> = {
      project: config.tags.project,
      environment: config.name,
      'cost-center': config.tags.costCenter,
    };
    for (const [key, value] of Object.entries(tags)) Tags.of(this).add(key, value);

    // The example configuration synthesizes (for review and the tests); `npm run deploy` refuses it (bin/preflight.ts).
    // Each warning goes on the stacks the value lands in: the CLI prints a stack's annotations, not a stage's.
    for (const placeholder of placeholdersIn(config)) {
      const stacks = /\.(runbookUrl|onCallSubscriptions|undeliveredPageSubscriptions)/.test(placeholder)
        ? [this.monitoring]
        : /\.(corsAllowedOrigins|ipnBaseUrl)/.test(placeholder)
          ? [this.api]
          : [this.stateful, this.api, this.monitoring];
      for (const stack of stacks) Annotations.of(stack).addWarning(`${placeholder}: replace it before deploying (docs/deploy.md)`);
    }
  }
}
