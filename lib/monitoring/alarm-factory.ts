// Creates the environment's alarms the same way: named payments-<env>-<id>, described with their
// runbook section, notifying one topic on ALARM and on OK, and listed for the dashboard.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import { alarmDescription, type RunbookName } from '#lib/monitoring/runbooks.ts';

export interface ThresholdAlarmOptions {
  metric: cloudwatch.IMetric;
  threshold: number;
  /** Defaults to >= threshold. */
  comparison?: cloudwatch.ComparisonOperator;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  summary: string;
  /** Defaults to NOT_BREACHING: no traffic is not an incident; these alarms watch what traffic does. */
  treatMissingData?: cloudwatch.TreatMissingData;
  /** Defaults to the on-call topic. */
  topic?: sns.ITopic;
}

export class AlarmFactory {
  /** Every alarm made here, for the dashboard's status widget. */
  readonly alarms: cloudwatch.AlarmBase[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly config: EnvironmentConfig,
    /** The on-call topic. */
    readonly topic: sns.ITopic,
  ) {}

  alarmName(id: string): string {
    return `payments-${this.config.name}-${id}`;
  }

  description(summary: string, runbook: RunbookName): string {
    return alarmDescription(summary, this.config.runbookUrl, runbook);
  }

  alarm(id: string, runbook: RunbookName, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this.scope, id, {
      alarmName: this.alarmName(id),
      alarmDescription: this.description(options.summary, runbook),
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return this.notify(alarm, options.topic);
  }

  /** Sends an alarm made elsewhere (anomaly detection, composite) to a topic, on ALARM and on OK. */
  notify<T extends cloudwatch.AlarmBase>(alarm: T, topic: sns.ITopic = this.topic): T {
    alarm.addAlarmAction(new actions.SnsAction(topic));
    alarm.addOkAction(new actions.SnsAction(topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
