// The IPN queue's delivery settings, declared once: the CDK app builds the SQS
// queue and its event source from them, and the local in-process queue behaves
// the same way.
export const ipnQueueSettings = {
  /** Deliveries of a notice before it goes to the dead-letter queue. */
  maxReceiveCount: 5,
  /** Seconds a delivered notice stays invisible: six times the processor's timeout, as AWS advises for SQS event sources. */
  visibilityTimeoutSeconds: 180,
  /** Notices per processor invocation. */
  batchSize: 10,
  /** Days a dead-lettered notice is kept for inspection and redrive. */
  deadLetterRetentionDays: 14,
} as const;
