// Builds the CDK app as `npx cdk synth` would, from cdk.json's context, with
// bundling skipped (no esbuild runs) so the infra tests stay fast.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildPaymentsApp } from '#lib/payments-app.ts';
import { projectRoot } from '#lib/constructs/payments-function.ts';
import type { PaymentsStage } from '#lib/payments-stage.ts';

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export function buildTestApp(overrides: Record<string, unknown> = {}): { app: App; stages: PaymentsStage[] } {
  const app = new App({
    context: { ...cdkJsonContext(), ...overrides, 'aws:cdk:bundling-stacks': [] },
  });
  const stages = buildPaymentsApp(app, { validateOnSynth: false });
  return { app, stages };
}
