// Sending one webhook: an HTTP POST that follows no redirects and gives up after its timeout.

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookResponse {
  /** Null when no answer came (timeout, refused connection, refused address). */
  statusCode: number | null;
  /** Why no answer came; never holds the body or headers sent. */
  error?: string;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

/** A delivery's next attempt to make: scheduled (due at `dueAt`) or an extra one (redeliver). */
export type DeliveryMessage =
  | { kind: 'scheduled'; eventId: string; endpointId: string; dueAt: string }
  | { kind: 'extra'; eventId: string; endpointId: string };

/** Where deliveries wait for their attempt (SQS in AWS; timers locally). Each message is one delivery. */
export interface DeliveryQueue {
  send(message: DeliveryMessage, delayMs: number): Promise<void>;
}

/** Where new events are also announced (the EventBridge bus in AWS; nothing locally). */
export interface EventBus {
  publish(events: readonly { id: string; type: string; body: string }[]): Promise<void>;
}

/** DNS: the addresses a host name resolves to (empty when it does not resolve). */
export interface HostResolver {
  resolve(hostname: string): Promise<string[]>;
}
