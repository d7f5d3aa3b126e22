// Consumes the payments table's DynamoDB stream (new and old images): each
// checkout write's new change entries, and each new merchant account, become
// events. A failed record is reported back (partial batch response) and the
// stream retries from it; the deterministic event ids make the retry harmless.
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { checkoutFromItem, merchantAccountFromItem } from '#functions/adapters/dynamodb/stream-images.ts';
import { publishAccountCreated, publishCheckoutChanges } from '#functions/app/events/publish.ts';
import { logger, tracer } from '#functions/observability.ts';
import { publishDeps } from '#functions/wiring/events.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const image = (value: Record<string, unknown> | undefined) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);

async function processRecord(record: DynamoDBRecord): Promise<void> {
  const after = image(record.dynamodb?.NewImage);
  if (!after) return;
  const before = image(record.dynamodb?.OldImage);
  if (after['entity'] === 'checkout') {
    // The entries this write added: those past the old image's version.
    const since = typeof before?.['version'] === 'number' ? before['version'] : 0;
    const published = await publishCheckoutChanges(publishDeps(), checkoutFromItem(after), since);
    if (published.length > 0) logger.info('events published', { event_ids: published.map((e) => e.id) });
  } else if (after['entity'] === 'merchant_account' && !before) {
    const event = await publishAccountCreated(publishDeps(), merchantAccountFromItem(after));
    logger.info('events published', { event_ids: [event.id] });
  }
}

export const handler = middy<DynamoDBStreamEvent, unknown, Error, Context>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => processPartialResponse(event, processRecord, processor, { context }));
