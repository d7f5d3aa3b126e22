// The whole app: one stage per environment declared in context, and the
// compliance packs every synth runs (cdk-nag v3: CDK's policy-validation
// plugins, so `cdk synth` fails on any finding that is not acknowledged).
import { Validations, type App } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks, PCIDSS321Checks, ServerlessChecks, type NagPack } from 'cdk-nag';
import { parseEnvironments } from '#lib/environment-config.ts';
import { PaymentsStage } from '#lib/payments-stage.ts';

export function compliancePacks(scope: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new PCIDSS321Checks(scope), new ServerlessChecks(scope)];
}

export interface PaymentsAppOptions {
  /** Register the packs as synth-time validation plugins (the CLI); tests call validateScope instead. */
  validateOnSynth?: boolean;
}

export function buildPaymentsApp(app: App, options: PaymentsAppOptions = {}): PaymentsStage[] {
  const environments = parseEnvironments(app.node.tryGetContext('environments'));
  const stages = environments.map((config) => new PaymentsStage(app, config.name, { config }));
  // Registered once on the App: a pack walks the whole construct tree (every stage) on each run.
  if (options.validateOnSynth ?? true) Validations.of(app).addPlugins(...compliancePacks(app));
  return stages;
}
