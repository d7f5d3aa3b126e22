// CIS AWS Foundations-style metric filters on the trail's CloudWatch log group: changes that
// weaken the controls everything else relies on. The monitoring stack alarms on each metric
// (lib/monitoring/cloudtrail-alarms.ts); the filters live with the log group they read.
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface TrailMetricFilter {
  /** The construct id, the metric name and the alarm id. */
  id: 'KmsKeyDisabledOrScheduledForDeletion' | 'IamPolicyChanged' | 'CloudTrailChanged' | 'RootAccountUsed';
  pattern: string;
  /** What a match means, for the alarm's description. */
  summary: string;
}

const either = (field: string, values: string[]) => values.map((value) => `($.${field} = ${value})`).join(' || ');

const iamPolicyEvents = [
  'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy', 'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy',
  'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
  'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy',
];

export const trailMetricFilters: readonly TrailMetricFilter[] = [
  {
    id: 'KmsKeyDisabledOrScheduledForDeletion',
    pattern: `{ ($.eventSource = kms.amazonaws.com) && (${either('eventName', ['DisableKey', 'ScheduleKeyDeletion'])}) }`,
    summary: 'a KMS key was disabled or scheduled for deletion (if it is the payments key, tables, logs, secrets and queues become unreadable)',
  },
  {
    // Every deploy changes the functions' role policies through CloudFormation: those changes are
    // reviewed in code, and alarming on them would train on-call to ignore this alarm.
    id: 'IamPolicyChanged',
    pattern: `{ ($.eventSource = iam.amazonaws.com) && (${either('eventName', iamPolicyEvents)}) && ($.sourceIPAddress != cloudformation.amazonaws.com) }`,
    summary: 'an IAM policy was created, changed, attached or detached outside a CloudFormation deploy',
  },
  {
    id: 'CloudTrailChanged',
    pattern: `{ ${either('eventName', ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging', 'PutEventSelectors'])} }`,
    summary: 'a trail was created, changed, deleted, or its logging stopped or started',
  },
  {
    id: 'RootAccountUsed',
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    summary: "the account's root user made a call",
  },
];

/** One namespace per environment: two environments sharing an account each count their own trail's events once. */
export function trailMetricNamespace(environment: string): string {
  return `Payments/${environment}/CloudTrail`;
}

export function addTrailMetricFilters(scope: Construct, trail: cloudtrail.Trail, environment: string): logs.MetricFilter[] {
  const logGroup = trail.logGroup;
  if (!logGroup) throw new Error('The trail has no CloudWatch Logs log group to filter');
  return trailMetricFilters.map(
    (filter) =>
      new logs.MetricFilter(scope, `TrailMetric${filter.id}`, {
        logGroup,
        filterPattern: logs.FilterPattern.literal(filter.pattern),
        metricNamespace: trailMetricNamespace(environment),
        metricName: filter.id,
        metricValue: '1',
      }),
  );
}
