// Consumes the webhook delivery queue (SQS in AWS, in-process timers locally): each
// message is one attempt of one delivery. An attempt's failure is recorded and its
// retry scheduled by the use case; only an error of ours (storage, KMS) fails the
// record, which SQS then redelivers and finally dead-letters.
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliver } from '#functions/app/events/deliver.ts';
import type { DeliveryMessage } from '#functions/ports/webhook-sender.ts';
import { businessMetric, logger, metrics } from '#functions/observability.ts';
import { deliverDeps } from '#functions/wiring/events.ts';

const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  const message = JSON.parse(record.body) as DeliveryMessage;
  const outcome = await deliver(await deliverDeps(), message);
  // A stale message (its attempt made by another copy, or the delivery settled) is routine: each attempt queues the next first.
  const log = outcome === 'stale' || outcome === 'waiting' ? logger.debug.bind(logger) : logger.info.bind(logger);
  log('webhook attempt', { event_id: message.eventId, endpoint_id: message.endpointId, kind: message.kind, outcome });
  if (outcome === 'failed' || outcome === 'disabled') metrics.addMetric(businessMetric.webhookDeliveryFailed, 'Count', 1);
}

export const handler = middy<SQSEvent, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // WebhookDeliveryFailed feeds the construct's FailedDeliveries alarm.
  .use(logMetrics(metrics))
  .handler(async (event, context) => processPartialResponse(event, processRecord, processor, { context }));
