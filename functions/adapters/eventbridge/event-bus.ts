// New events are also put on the EventBridge bus, so other consumers in the
// account (analytics, another service) can subscribe by rule without touching
// the webhook path.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBus } from '#functions/ports/webhook-sender.ts';

export const eventSource = 'payments.events';

export class EventBridgeBus implements EventBus {
  private readonly client: EventBridgeClient;

  constructor(
    private readonly busName: string,
    client?: EventBridgeClient,
  ) {
    this.client = client ?? new EventBridgeClient({});
  }

  async publish(events: readonly { id: string; type: string; body: string }[]): Promise<void> {
    if (events.length === 0) return;
    const result = await this.client.send(
      new PutEventsCommand({ Entries: events.map((e) => ({ EventBusName: this.busName, Source: eventSource, DetailType: e.type, Detail: e.body })) }),
    );
    // Partial failures do not throw: fail the record so the stream retries it (the event id dedupes).
    if ((result.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge refused ${result.FailedEntryCount} event(s)`);
  }
}
