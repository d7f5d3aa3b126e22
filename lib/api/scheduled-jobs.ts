// The functions of `scheduledJobs` (functions/routes.ts): each with exactly its
// uses' grants and an EventBridge rule that invokes it every `rateMinutes`.
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { scheduledJobs, type RouteUse } from '#functions/routes.ts';
import { grantTo, type Grant } from '#lib/constructs/grants.ts';
import { PaymentsFunction, type PaymentsFunctionProps } from '#lib/constructs/payments-function.ts';

export type ScheduledJob = (typeof scheduledJobs)[number];

export interface ScheduledJobFunction {
  job: ScheduledJob;
  function: PaymentsFunction;
  rule: events.Rule;
}

/** Lambda's ceiling; a pass that runs longer than its interval overlaps the next, which the reconciler allows. */
const maximumTimeout = Duration.minutes(15);

/** A job's timeout: its whole interval, at most Lambda's 15 minutes. */
export function scheduledJobTimeout(job: Pick<ScheduledJob, 'rateMinutes'>): Duration {
  return Duration.minutes(Math.min(job.rateMinutes, maximumTimeout.toMinutes()));
}

/**
 * Built in `scope` (the API stack) directly, like the other functions, so construct paths and
 * logical ids read `Job-<id>`. `defaults` are the environment, network and log key every function gets.
 */
export function addScheduledJobs(
  scope: Construct,
  defaults: Pick<PaymentsFunctionProps, 'environment' | 'network' | 'logKey' | 'logLevel'>,
  grantsFor: (uses: readonly RouteUse[]) => Grant[],
): ScheduledJobFunction[] {
  return scheduledJobs.map((job) => {
    const fn = new PaymentsFunction(scope, `Job-${job.id}`, {
      ...defaults,
      handler: job.handler,
      description: `every ${job.rateMinutes} min: ${job.summary}`,
      timeout: scheduledJobTimeout(job),
      // One pass at a time is the norm; the second slot lets a late pass finish while the next starts.
      reservedConcurrency: 2,
      // EventBridge invokes it asynchronously: an invocation that fails its retries lands in the dead-letter queue.
      asynchronous: true,
    });
    for (const grant of grantsFor(job.uses)) grantTo(fn, grant);
    const rule = new events.Rule(scope, `Schedule-${job.id}`, {
      description: `Runs ${job.handler} every ${job.rateMinutes} minutes`,
      schedule: events.Schedule.rate(Duration.minutes(job.rateMinutes)),
      // No retries by EventBridge past the next run: a schedule event carries no data, the next one does the same work.
      targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 2, maxEventAge: Duration.minutes(job.rateMinutes) })],
    });
    Validations.of(rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: `A schedule event carries no data: one EventBridge could not deliver is replaced by the next, ${job.rateMinutes} minutes later, which does the same work; delivery failures page through the rule's FailedInvocations alarm (runbook ReconcileFailed) rather than sitting in a queue.`,
    });
    return { job, function: fn, rule };
  });
}
