// Locally, the scheduled reconciliation is a timer calling the same handler the
// EventBridge rule invokes in AWS, every RECONCILE_INTERVAL_SECONDS × SANDBOX_TIME_SCALE.
import type { ScheduledEvent } from 'aws-lambda';
import { lambdaContext } from './gateway-request.ts';

type ScheduledHandler = (event: ScheduledEvent, context: ReturnType<typeof lambdaContext>) => Promise<void>;

export interface ReconcileTimerOptions {
  loadHandler: (name: string) => Promise<unknown>;
  /** Runs one invocation with its own logger and metrics (local/runtime.ts). */
  invoke: <T>(run: () => Promise<T>) => Promise<T>;
  intervalMs: number;
  log?: (line: string) => void;
}

/** Starts the timer; returns the function that stops it (and waits for a pass under way). */
export function startReconcileTimer(options: ReconcileTimerOptions): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return; // the previous pass is still going: skip this tick
    running = (async () => {
      const { handler } = (await options.loadHandler('reconcile-scheduled')) as { handler: ScheduledHandler };
      const event = {
        version: '0',
        id: `local-${Date.now()}`,
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [],
        detail: {},
      } as ScheduledEvent;
      await options.invoke(() => handler(event, lambdaContext('reconcile-scheduled', event.id, 60_000)));
    })()
      .catch((error: unknown) => options.log?.(`reconciliation pass failed: ${error instanceof Error ? error.message : 'unknown'}`))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, Math.max(1, options.intervalMs));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
