// The queues' delivery settings as the handlers see them (the CDK app and the
// local queue read the same declaration).
export { ipnQueueSettings } from '#functions/adapters/queue/ipn-queue-settings.ts';
