import { httpHandler } from '#functions/http/http-handler.ts';
import { reconciliationReportJson } from '#functions/http/schemas/reconciliations.ts';
import { runReconcilePass } from '#functions/wiring/reconcile.ts';
import { opsRoutes } from '#functions/routes/ops.ts';

// No unique_id, never replayed: the answer describes the moment.
export const handler = httpHandler(opsRoutes, 'reconciliations.create', async () => ({
  statusCode: 200,
  body: reconciliationReportJson(await runReconcilePass()),
}));
