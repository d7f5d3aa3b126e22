// One environment (stage or prod): its stateful, API and monitoring stacks.
import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiStack } from '#lib/api-stack.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import { MonitoringStack } from '#lib/monitoring-stack.ts';
import { StatefulStack } from '#lib/stateful-stack.ts';

export interface PaymentsStageProps extends StageProps {
  config: EnvironmentConfig;
}

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
      functions: [
        this.api.authorizerFunction,
        ...this.api.routeFunctions.values(),
        ...this.api.queueConsumerFunctions.values(),
        this.stateful.platformSecretRotation,
      ],
      tables: Object.values(this.stateful.tables),
      deadLetterQueues: this.api.deadLetterQueues,
      ipnQueue: this.api.ipnQueue,
    });
  }
}
