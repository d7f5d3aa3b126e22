// Composition root, reconciliation part: one pass as both entry points run it
// (the ops route and the schedule), with the metrics on-call's alarms watch
// (ReconcileUnresolved every pass, 0 included; ReconcileFailed when a pass throws),
// and the audit log its changes are recorded in (actor system:reconciler).
import { config } from '#functions/config.ts';
import { defaultReconcileSettings, runReconciliation, type ReconcileReport } from '#functions/app/reconcile.ts';
import { businessMetric, countMetric, logger } from '#functions/observability.ts';
import { auditDeps } from './audit.ts';
import { checkoutDeps } from './provider.ts';
import { reconciliationLease } from './storage.ts';

export async function runReconcilePass(): Promise<ReconcileReport> {
  let report: ReconcileReport;
  try {
    const deps = { ...(await checkoutDeps()), lease: reconciliationLease(), audit: auditDeps() };
    report = await runReconciliation(deps, defaultReconcileSettings(config().reconcile.staleSeconds));
  } catch (error) {
    // A pass refused because another one runs is not a failure.
    if (!(error instanceof Error && error.name === 'InvalidStateError')) {
      countMetric(businessMetric.reconcileFailed);
      logger.error('reconciliation pass failed', { error });
    }
    throw error;
  }
  countMetric(businessMetric.reconcileUnresolved, report.unresolved);
  logger.info('reconciliation pass', { ...report });
  return report;
}
