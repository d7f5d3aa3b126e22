// Consumes the payments table's DynamoDB stream (new and old images): each
// checkout write's new change entries, and each new merchant account, become
// events. A failed record is reported back (partial batch response) and the
// stream retries from it; the deterministic event ids make the retry harmless.
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { publishAccountCreated, publishCheckoutChanges, publishMandateEvents } from '#functions/app/events/publish.ts';
import { logger } from '#functions/observability.ts';
import { publishDeps, streamChangeOf } from '#functions/wiring/events.ts';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function processRecord(record: DynamoDBRecord): Promise<void> {
  const change = streamChangeOf(record);
  if (change?.kind === 'checkout') {
    // The entries this write added: those past the old image's version.
    const published = await publishCheckoutChanges(publishDeps(), change.checkout, change.previousVersion);
    if (published.length > 0) logger.info('events published', { event_ids: published.map((e) => e.id) });
  } else if (change?.kind === 'mandate') {
    const published = await publishMandateEvents(publishDeps(), change.mandate, change.publishedUpTo);
    if (published.length > 0) logger.info('events published', { event_ids: published.map((e) => e.id) });
  } else if (change?.kind === 'account_created') {
    const event = await publishAccountCreated(publishDeps(), change.account);
    logger.info('events published', { event_ids: [event.id] });
  }
}

export const handler = middy<DynamoDBStreamEvent, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => processPartialResponse(event, processRecord, processor, { context }));
