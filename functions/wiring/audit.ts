// Composition root, audit part: the audit log (its own DynamoDB table) and what a
// failed write does: an ERROR line holding the whole record (it holds no secret;
// the log group is kept a year, so the record survives there) and the
// AuditWriteFailed metric, published at once so that even the authorizer, which
// flushes no metrics, reports it.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '#functions/config.ts';
import { systemClock } from '#functions/adapters/system-clock.ts';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { DynamoDbAuditLog } from '#functions/adapters/dynamodb/audit-log.ts';
import type { AuditDeps } from '#functions/app/audit.ts';
import type { AuditRecord } from '#functions/domain/audit-record.ts';
import { logger, metrics } from '#functions/observability.ts';
import { once } from './once.ts';

export const auditWriteFailedMetric = 'AuditWriteFailed';

export function reportAuditWriteFailure(error: unknown, record: AuditRecord): void {
  logger.error('audit write failed: the record is kept in this line', { audit_record: record, error: error as Error });
  const single = metrics.singleMetric();
  single.addMetric(auditWriteFailedMetric, MetricUnit.Count, 1);
}

export const auditDeps = once<AuditDeps>(() => {
  const cfg = config();
  const { documentClient } = createDynamoDbClients({
    region: cfg.region,
    endpoint: cfg.tables.endpoint,
    // dynalite (an endpoint is set) accepts any credentials. Keyed on the endpoint, not the runtime: the
    // rotation function runs with the default runtime setting (it needs no token issuer) but in AWS.
    ...(cfg.tables.endpoint !== undefined ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return {
    log: new DynamoDbAuditLog({ client: documentClient, tableName: cfg.tables.audit, retentionDays: cfg.auditRetentionDays }),
    clock: systemClock,
    onWriteFailure: reportAuditWriteFailure,
  };
});
