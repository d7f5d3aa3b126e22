// The check `npm run deploy -- <stage>` runs before any change: the environment
// must exist in cdk.json's `environments` and hold no value of the committed
// example configuration (placeholdersIn). Pure, so the infra tests call it directly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvironments, placeholdersIn } from '#lib/environment-config.ts';

export interface PreflightResult {
  ok: boolean;
  /** One line per problem, naming the context key. */
  problems: string[];
}

export function preflight(environments: unknown, stage: string | undefined): PreflightResult {
  if (!stage) return { ok: false, problems: ['name the environment to deploy: npm run deploy -- <stage>'] };
  let configs;
  try {
    configs = parseEnvironments(environments);
  } catch (error) {
    return { ok: false, problems: [(error as Error).message] };
  }
  const config = configs.find((candidate) => candidate.name === stage);
  if (!config) {
    return { ok: false, problems: [`no environment "${stage}" in cdk.json (declared: ${configs.map((c) => c.name).join(', ')})`] };
  }
  const problems = placeholdersIn(config);
  return { ok: problems.length === 0, problems };
}

/** The `environments` context value of a cdk.json file. */
export function environmentsFromCdkJson(file: string): unknown {
  const cdkJson = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as { context?: { environments?: unknown } };
  return cdkJson.context?.environments;
}

/** Runs the preflight on a cdk.json file and prints why it failed, if it did (stderr). */
export function checkBeforeDeploy(file: string, stage: string | undefined): boolean {
  const result = preflight(environmentsFromCdkJson(file), stage);
  if (!result.ok) {
    console.error(`Refusing to deploy ${stage ?? '(no stage)'}: fix these in ${file} first (docs/deploy.md).`);
    for (const problem of result.problems) console.error(`  - ${problem}`);
  }
  return result.ok;
}
