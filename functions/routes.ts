// The one route table. The local server and the CDK API stack both read it, so a
// route exists in both or in neither. `handler` names the file under
// functions/handlers/ whose `handler` export serves the route. The entries live
// in ./routes/, one file per resource; this is the only place they are joined.
// Entries are written out in full rather than built by helpers (the duplicate
// finder sees their common shape): each route then reads at a glance.
import type { RouteUse } from './routes/route-definition.ts';
import { serviceRoutes } from './routes/service.ts';
import { merchantRoutes } from './routes/merchants.ts';
import { checkoutRoutes } from './routes/checkouts.ts';
import { mandateRoutes } from './routes/mandates.ts';
import { opsRoutes } from './routes/ops.ts';
import { ipnRoutes } from './routes/ipn.ts';
import { eventRoutes } from './routes/events.ts';

export { routeIn, routeUses, type RouteAccess, type RouteDefinition, type RouteUse } from './routes/route-definition.ts';

export const routes = [...serviceRoutes, ...merchantRoutes, ...checkoutRoutes, ...mandateRoutes, ...opsRoutes, ...ipnRoutes, ...eventRoutes] as const;

/**
 * Functions fed by a queue rather than a route: the CDK app gives each its queue
 * (settings in functions/adapters/queue/) and exactly its `uses`; locally the
 * in-process queue calls the same handler (local/ipn-consumer.ts).
 */
export const queueConsumers = [
  {
    id: 'ipn.process',
    handler: 'ipn-process',
    queue: 'ipn',
    summary: 'Fetches each IPN-notified checkout from the provider and records its state',
    // Reads and updates checkouts; opens the merchant's credential to fetch from the provider; audits what changed.
    uses: ['payments:read-write', 'token-key:decrypt', 'audit:write'],
  },
] as const satisfies readonly { id: string; handler: string; queue: 'ipn'; summary: string; uses: readonly RouteUse[] }[];

/**
 * The events functions, fed by the payments table's stream and the webhook delivery queue
 * (EventDelivery in the CDK app; local/event-publisher.ts and local/webhook-deliverer.ts
 * locally). The CDK app grants each exactly its `uses`, plus what its event source needs
 * of its role (reading the stream and its dead letters; consuming the delivery queue).
 */
export const eventFunctions = [
  {
    id: 'events.publish',
    handler: 'events-publish',
    summary: 'Committed checkout, account and mandate changes become events, one delivery attempt queued per endpoint',
    // Writes event items and publication markers; queues first attempts; puts each event on the bus.
    uses: ['payments:read-write', 'webhook-queue:send', 'event-bus:put'],
  },
  {
    id: 'webhooks.deliver',
    handler: 'webhooks-deliver',
    summary: 'One signed attempt per message, the next one queued with its delay',
    // Records attempts (and disables an endpoint on 410); opens the endpoint's secret to sign; queues the retry.
    uses: ['payments:read-write', 'webhook-secret:open', 'webhook-queue:send'],
  },
] as const satisfies readonly { id: string; handler: 'events-publish' | 'webhooks-deliver'; summary: string; uses: readonly RouteUse[] }[];

/**
 * Functions run on a schedule rather than by a route or a queue: the CDK app gives each an
 * EventBridge rule firing every `rateMinutes` and exactly its `uses`; locally `npm start`
 * runs the same pass on a timer.
 */
export const scheduledJobs = [
  {
    id: 'reconcile.scheduled',
    handler: 'reconcile-scheduled',
    summary: 'One reconciliation pass: settles unknown outcomes, re-reads stale checkouts (docs/money-movement.md)',
    // Audits each change it makes to a checkout (system:reconciler).
    uses: ['payments:read-write', 'token-key:decrypt', 'platform-secret', 'audit:write'] as RouteUse[],
    // RECONCILE_INTERVAL_SECONDS' default; the CDK rule runs at this rate.
    rateMinutes: 5,
  },
] as const satisfies readonly { id: string; handler: string; summary: string; uses: readonly RouteUse[]; rateMinutes: number }[];
