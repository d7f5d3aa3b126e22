// The runbook sections, one per alarm kind: `### <name>` headings in docs/runbooks.md. An alarm's
// description ends with `Runbook: <runbookUrl>#<name in lower case>` (the heading's anchor).
export const runbooks = {
  apiServerErrors: 'ApiServerErrorRate',
  apiLatency: 'ApiLatencyP99',
  api4xxRate: 'Api4xxRate',
  functionErrors: 'FunctionErrors',
  authorizerErrors: 'AuthorizerErrors',
  functionThrottles: 'FunctionThrottles',
  tableThrottles: 'DynamoDbThrottles',
  tableSystemErrors: 'DynamoDbSystemErrors',
  deadLetters: 'DeadLetterQueueNotEmpty',
  undeliveredPages: 'UndeliveredPages',
  ipnBacklog: 'IpnQueueOldestMessage',
  reconcileUnresolved: 'ReconcileUnresolved',
  reconcileFailed: 'ReconcileFailed',
  webhookDeliveriesFailed: 'WebhookDeliveriesFailed',
  paymentsFailing: 'PaymentsFailing',
  declineRatio: 'DeclineRatio',
  velocityLimited: 'VelocityLimited',
  providerFailureRate: 'ProviderFailureRate',
  checkoutVolume: 'CheckoutVolumeLow',
  wafBlocked: 'WafBlockedRequests',
  auditWriteFailed: 'AuditWriteFailed',
  kmsKeyDisabled: 'KmsKeyDisabledOrScheduledForDeletion',
  iamPolicyChanged: 'IamPolicyChanged',
  cloudTrailChanged: 'CloudTrailChanged',
  rootUsed: 'RootAccountUsed',
} as const;

export type RunbookName = (typeof runbooks)[keyof typeof runbooks];

/** An alarm's description: what it saw, then where its runbook section is. */
export function alarmDescription(summary: string, runbookUrl: string, runbook: RunbookName): string {
  return `${summary}. Runbook: ${runbookUrl}#${runbook.toLowerCase()}`;
}
