// Webhook deliveries locally: each message its own timer, handed to the consumer
// when due (the local runtime's deliverer calls the same handler SQS feeds in AWS).
// Nothing here survives a restart: the delivery state does (on the event items),
// and the deliverer re-sends what is pending when it starts.
import type { DeliveryMessage, DeliveryQueue } from '#functions/ports/webhook-sender.ts';

type Consumer = (message: DeliveryMessage) => Promise<void>;

class InProcessDeliveryQueue implements DeliveryQueue {
  private consumer: Consumer | undefined;
  private readonly waiting: DeliveryMessage[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();

  async send(message: DeliveryMessage, delayMs: number): Promise<void> {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.hand(message);
    }, Math.max(0, delayMs));
    this.timers.add(timer);
  }

  consume(consumer: Consumer): void {
    this.consumer = consumer;
    for (const message of this.waiting.splice(0)) this.hand(message);
  }

  /** Stops every timer and waits for the attempts under way. */
  async stop(): Promise<void> {
    this.consumer = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private hand(message: DeliveryMessage): void {
    if (!this.consumer) {
      this.waiting.push(message);
      return;
    }
    // Each message on its own: a slow endpoint delays nothing else.
    const run = this.consumer(message).catch(() => undefined);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }
}

let queue: InProcessDeliveryQueue | undefined;

/** The process's one local delivery queue. */
export function inProcessDeliveryQueue(): InProcessDeliveryQueue {
  queue ??= new InProcessDeliveryQueue();
  return queue;
}
