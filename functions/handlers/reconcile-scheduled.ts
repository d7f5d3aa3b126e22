// Entry point of the scheduled reconciliation pass (scheduledJobs in functions/routes.ts).
// A placeholder so the CDK app can build the function; the reconciler replaces it.
export const handler = async (): Promise<void> => {
  throw new Error('not implemented');
};
