// The scheduled reconciliation (an EventBridge rule every RECONCILE_INTERVAL_SECONDS;
// locally a timer in local/runtime.ts): one pass per event. A pass already running
// (a requested one) is not an error: the next event comes soon.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, metrics } from '#functions/observability.ts';
import { runReconcilePass } from '#functions/wiring/reconcile.ts';

export const handler = middy<ScheduledEvent, void, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async () => {
    try {
      await runReconcilePass();
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidStateError') return;
      throw error;
    }
  });
