import { z } from 'zod';
import type { ReconcileReport } from '#functions/app/reconcile.ts';

/** No fields: a pass takes no parameters (an empty body is `{}`). */
export const createReconciliationRequest = z.strictObject({}).meta({ id: 'CreateReconciliationRequest' });

export const reconciliationReport = z
  .object({
    checked: z.int(),
    updated: z.int(),
    settled: z.int(),
    unresolved: z.int(),
    started_at: z.string(),
    finished_at: z.string(),
  })
  .meta({ id: 'ReconciliationReport', description: 'One reconciliation pass: checkouts read, changed, and unknown outcomes settled or left.' });

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
