import * as z from 'zod/mini';
import type { ReconcileReport } from '#functions/app/reconcile.ts';

/** No fields: a pass takes no parameters (an empty body is `{}`). */
export const createReconciliationRequest = z.strictObject({}).register(z.globalRegistry, { id: 'CreateReconciliationRequest', description: 'Runs one reconciliation pass now.', examples: [{}] });

export const reconciliationReport = z
  .object({
    checked: z.int(),
    updated: z.int(),
    settled: z.int(),
    unresolved: z.int(),
    started_at: z.string(),
    finished_at: z.string(),
  })
  .register(z.globalRegistry, {
    id: 'ReconciliationReport',
    description: 'One reconciliation pass: checkouts read, changed, and unknown outcomes settled or left.',
    examples: [{ checked: 12, updated: 3, settled: 1, unresolved: 0, started_at: '2026-12-01T10:00:00.000Z', finished_at: '2026-12-01T10:00:02.500Z' }],
  });

export function reconciliationReportJson(report: ReconcileReport): z.output<typeof reconciliationReport> {
  return {
    checked: report.checked,
    updated: report.updated,
    settled: report.settled,
    unresolved: report.unresolved,
    started_at: report.startedAt,
    finished_at: report.finishedAt,
  };
}
