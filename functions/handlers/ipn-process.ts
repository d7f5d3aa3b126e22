// Consumes the IPN queue (SQS in AWS, the in-process queue locally): each notice
// is checked against the provider and recorded. A failed notice is reported back
// (partial batch response) so that only it is delivered again, then dead-lettered.
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { ipnQueueSettings } from '#functions/wiring/queue-settings.ts';
import { processIpn } from '#functions/app/ipn.ts';
import { PaymentsError } from '#functions/domain/errors.ts';
import type { IpnNotice } from '#functions/ports/ipn-queue.ts';
import { logger } from '#functions/observability.ts';
import { auditDeps } from '#functions/wiring/audit.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';

const processor = new BatchProcessor(EventType.SQS);

async function processRecord(record: SQSRecord): Promise<void> {
  const notice = JSON.parse(record.body) as IpnNotice;
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  try {
    const outcome = await processIpn({ ...(await checkoutDeps()), audit: auditDeps() }, notice);
    logger.info('ipn processed', { provider_checkout_id: notice.checkoutId, outcome, receive_count: receiveCount });
  } catch (error) {
    // The runbook's search: why a notice failed, and whether the queue will try it again.
    const lastTry = receiveCount >= ipnQueueSettings.maxReceiveCount;
    const reason = {
      provider_checkout_id: notice.checkoutId,
      error_code: error instanceof PaymentsError ? error.code : (error as Error).name,
      error_message: (error as Error).message,
      receive_count: receiveCount,
      next: lastTry ? 'dead_letter' : 'redelivery',
    };
    if (lastTry) logger.error('ipn processing failed', reason);
    else logger.warn('ipn processing failed', reason);
    throw error;
  }
}

export const handler = middy<SQSEvent, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => processPartialResponse(event, processRecord, processor, { context }));
