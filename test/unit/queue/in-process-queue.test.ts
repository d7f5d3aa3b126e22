import { InProcessQueue, type QueuedMessage } from '#local/adapters/in-process-queue.ts';

function settings(overrides: Partial<{ maxReceiveCount: number; batchSize: number; retryDelayMs: number }> = {}) {
  const deadLetters: QueuedMessage[] = [];
  return { deadLetters, settings: { maxReceiveCount: 3, batchSize: 2, retryDelayMs: 1, onDeadLetter: (m: QueuedMessage) => void deadLetters.push(m), ...overrides } };
}

describe('InProcessQueue', () => {
  it('delivers every message once, in batches of at most batchSize, when the consumer succeeds', async () => {
    const queue = new InProcessQueue();
    const batches: string[][] = [];
    const { settings: s, deadLetters } = settings();
    for (const body of ['a', 'b', 'c']) queue.send(body);
    queue.consume(async (messages) => {
      batches.push(messages.map((m) => m.body));
      return [];
    }, s);
    await queue.idle();
    expect(batches.flat().sort()).toEqual(['a', 'b', 'c']);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(deadLetters).toEqual([]);
  });

  it('delivers again only the messages the consumer reports as failed, counting deliveries', async () => {
    const queue = new InProcessQueue();
    const seen: Record<string, number[]> = {};
    const { settings: s } = settings({ maxReceiveCount: 5 });
    queue.send('ok');
    queue.send('flaky');
    queue.consume(async (messages) => {
      for (const m of messages) (seen[m.body] ??= []).push(m.receiveCount);
      return messages.filter((m) => m.body === 'flaky' && m.receiveCount < 3).map((m) => m.messageId);
    }, s);
    await queue.idle();
    expect(seen).toEqual({ ok: [1], flaky: [1, 2, 3] });
  });

  it('dead-letters a message after maxReceiveCount failed deliveries, also when the whole invocation throws', async () => {
    const queue = new InProcessQueue();
    let deliveries = 0;
    const { settings: s, deadLetters } = settings({ maxReceiveCount: 3 });
    queue.send('poison');
    queue.consume(async () => {
      deliveries++;
      throw new Error('processor crashed');
    }, s);
    await queue.idle();
    expect(deliveries).toBe(3);
    expect(deadLetters.map((m) => [m.body, m.receiveCount])).toEqual([['poison', 3]]);
  });

  it('waits the retry delay before delivering a failed message again', async () => {
    const queue = new InProcessQueue();
    const times: number[] = [];
    const { settings: s } = settings({ maxReceiveCount: 2, retryDelayMs: 60 });
    queue.send('slow');
    queue.consume(async (messages) => {
      times.push(Date.now());
      return messages.map((m) => m.messageId);
    }, s);
    await queue.idle();
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(55);
  });
});
