// Composition root, IPN part: the queue between the receiver and the processor.
import { config, requireSetting } from '#functions/config.ts';
import type { IpnQueue } from '#functions/ports/ipn-queue.ts';
import { SqsIpnQueue } from '#functions/adapters/queue/sqs-ipn-queue.ts';
import { inProcessQueue } from '#functions/adapters/queue/in-process-queue.ts';
import { once } from './once.ts';

/** The local runtime consumes this queue with the processor handler (local/runtime.ts). */
export const localIpnQueueName = 'ipn';

export const ipnQueue = once<IpnQueue>(() => {
  const cfg = config();
  if (cfg.runtime === 'aws') return new SqsIpnQueue(requireSetting(cfg.ipnQueueUrl, 'IPN_QUEUE_URL'));
  const queue = inProcessQueue(localIpnQueueName);
  return { enqueue: async (notice) => queue.send(JSON.stringify(notice)) };
});
