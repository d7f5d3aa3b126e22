// Composition root, IPN part: the queue between the receiver and the processor.
import { config, requireSetting } from '#functions/config.ts';
import type { IpnQueue } from '#functions/ports/ipn-queue.ts';
import { SqsIpnQueue } from '#functions/adapters/queue/sqs-ipn-queue.ts';
import { once } from './once.ts';
import { runtimePart } from './runtime-parts.ts';

export const ipnQueue = once<IpnQueue>(() => runtimePart('ipnQueue', () => new SqsIpnQueue(requireSetting(config().ipnQueueUrl, 'IPN_QUEUE_URL'))));
