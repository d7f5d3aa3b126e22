// The local runtime's stand-in for SQS: messages are delivered in batches to one
// consumer, a message the consumer reports as failed is delivered again after a
// delay, and after maxReceiveCount deliveries it goes to the dead letters. One
// instance per queue name per process: the handler that sends and the local
// runtime that consumes share it.
import { randomUUID } from 'node:crypto';

export interface QueuedMessage {
  messageId: string;
  body: string;
  /** 1 on the first delivery. */
  receiveCount: number;
  sentAt: number;
}

/** Returns the ids of the messages that failed (SQS's partial batch response). */
export type QueueConsumer = (messages: QueuedMessage[]) => Promise<string[]>;

export interface InProcessQueueSettings {
  maxReceiveCount: number;
  batchSize: number;
  /** Delay before a failed message is delivered again (SQS: its visibility timeout). */
  retryDelayMs: number;
  onDeadLetter: (message: QueuedMessage) => void | Promise<void>;
}

export class InProcessQueue {
  private readonly ready: QueuedMessage[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private consumer: QueueConsumer | undefined;
  private settings: InProcessQueueSettings | undefined;
  private draining: Promise<void> | undefined;

  send(body: string): void {
    this.ready.push({ messageId: randomUUID(), body, receiveCount: 0, sentAt: Date.now() });
    this.drain();
  }

  consume(consumer: QueueConsumer, settings: InProcessQueueSettings): void {
    this.consumer = consumer;
    this.settings = settings;
    this.drain();
  }

  /** Stops delivering; messages not yet delivered are dropped with the process, as local state is. */
  async stop(): Promise<void> {
    this.consumer = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.draining;
  }

  /** Resolves once nothing is waiting to be delivered or being processed (tests). */
  async idle(): Promise<void> {
    while (this.draining || this.ready.length > 0 || this.timers.size > 0) {
      await (this.draining ?? new Promise((resolve) => setTimeout(resolve, 5)));
    }
  }

  private drain(): void {
    if (this.draining || !this.consumer || this.ready.length === 0) return;
    this.draining = this.deliverAll().finally(() => {
      this.draining = undefined;
      this.drain();
    });
  }

  private async deliverAll(): Promise<void> {
    const consumer = this.consumer;
    const settings = this.settings;
    if (!consumer || !settings) return;
    while (this.ready.length > 0 && this.consumer) {
      const batch = this.ready.splice(0, settings.batchSize).map((m) => ({ ...m, receiveCount: m.receiveCount + 1 }));
      let failed: Set<string>;
      try {
        failed = new Set(await consumer(batch));
      } catch {
        failed = new Set(batch.map((m) => m.messageId)); // the whole invocation failed
      }
      for (const message of batch.filter((m) => failed.has(m.messageId))) {
        if (message.receiveCount >= settings.maxReceiveCount) {
          await settings.onDeadLetter(message);
          continue;
        }
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.ready.push(message);
          this.drain();
        }, settings.retryDelayMs);
        timer.unref();
        this.timers.add(timer);
      }
    }
  }
}

const queues = new Map<string, InProcessQueue>();

/** The IPN receiver's queue, consumed by the processor handler (local/ipn-consumer.ts). */
export const localIpnQueueName = 'ipn';

export function inProcessQueue(name: string): InProcessQueue {
  let queue = queues.get(name);
  if (!queue) {
    queue = new InProcessQueue();
    queues.set(name, queue);
  }
  return queue;
}
