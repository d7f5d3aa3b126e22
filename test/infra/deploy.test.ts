// What an infra team relies on to deploy: named outputs, cost-allocation tags,
// the Cognito client's flows, warnings for the example configuration, and the
// preflight that refuses to deploy it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Template } from 'aws-cdk-lib/assertions';
import { projectRoot } from '#lib/constructs/payments-function.ts';
import { exampleRunbookUrl, parseEnvironments, placeholdersIn } from '#lib/environment-config.ts';
import { costAllocationTagKeys, type PaymentsStage } from '#lib/payments-stage.ts';
import { preflight } from '#lib/preflight.ts';
import { buildTestApp, cdkJsonContext } from './test-app.ts';

const { stages } = buildTestApp();
const exampleEnvironments = cdkJsonContext().environments as Record<string, Record<string, unknown>>;

/** An environment of the example configuration with every example value replaced. */
function realEnvironment(name: string): Record<string, unknown> {
  return {
    ...exampleEnvironments[name],
    account: '123456789012',
    runbookUrl: 'https://git.acme.test/payments/blob/main/docs/runbooks.md',
    onCallSubscriptions: [{ protocol: 'email', endpoint: 'payments-oncall@acme.test' }],
    corsAllowedOrigins: ['https://pay.acme.test'],
  };
}

/** The app's synth warnings about its configuration (CDK adds its own), on the stacks, where `cdk synth` prints them. */
function warningsOf(stage: PaymentsStage): string[] {
  return [stage.stateful, stage.api, stage.monitoring].flatMap((stack) =>
    stack.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:warning' && String(entry.data).startsWith('environments.'))
      .map((entry) => `${stack.stackName}: ${String(entry.data)}`),
  );
}

const execFileAsync = promisify(execFile);
async function runBin(script: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'bin', script), ...args], {
      cwd: projectRoot,
      timeout: 60_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe.each(stages.map((stage) => [stage.stageName, stage] as const))('%s environment', (name, stage) => {
  const templates = { stateful: Template.fromStack(stage.stateful), api: Template.fromStack(stage.api), monitoring: Template.fromStack(stage.monitoring) };

  it('names its outputs (API URL, user pool, app client, platform secret, on-call topic) without exporting them', () => {
    // CDK's own cross-stack references (ExportsOutput...) aside: the monitoring stack reads the API stack's names.
    const named = (template: Template) =>
      Object.fromEntries(Object.entries(template.findOutputs('*')).filter(([id]) => !id.startsWith('ExportsOutput')));
    const outputs = { stateful: named(templates.stateful), api: named(templates.api), monitoring: named(templates.monitoring) };
    expect(Object.keys(outputs.api)).toEqual(['ApiUrl']);
    expect(Object.keys(outputs.stateful).sort()).toEqual(['PlatformSecretArn', 'UserPoolClientId', 'UserPoolId']);
    expect(Object.keys(outputs.monitoring)).toEqual(['OnCallTopicArn']);
    for (const output of Object.values({ ...outputs.stateful, ...outputs.api, ...outputs.monitoring })) {
      expect(output.Export).toBeUndefined();
      expect(output.Description).toEqual(expect.any(String));
    }
    expect(JSON.stringify(outputs.api.ApiUrl!.Value)).toMatch(new RegExp(`execute-api.*ApiDeploymentStage${name}`));
    expect(outputs.stateful.UserPoolId!.Value).toEqual({ Ref: expect.stringMatching(/^Users/) });
    expect(outputs.stateful.PlatformSecretArn!.Value).toEqual({ Ref: expect.stringMatching(/^PlatformSecret/) });
    expect(outputs.monitoring.OnCallTopicArn!.Value).toEqual({ Ref: expect.stringMatching(/^OnCall/) });
  });

  it('tags every stack and every tagged resource with project, environment and cost center', () => {
    const config = parseEnvironments(exampleEnvironments).find((c) => c.name === name)!;
    const expected = { project: config.tags.project, environment: name, 'cost-center': config.tags.costCenter };
    for (const stack of [stage.stateful, stage.api, stage.monitoring]) {
      expect(stack.tags.tagValues()).toEqual(expect.objectContaining(expected));
    }
    const resources = Object.values(templates.api.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown } }>);
    const tagged = resources.filter((resource) => Array.isArray(resource.Properties?.Tags));
    expect(tagged.length).toBeGreaterThan(20);
    for (const resource of tagged) {
      const tags = Object.fromEntries((resource.Properties!.Tags as { Key: string; Value: string }[]).map((tag) => [tag.Key, tag.Value]));
      expect(tags).toEqual(expect.objectContaining(expected));
    }
    expect(Object.keys(expected)).toEqual([...costAllocationTagKeys]);
  });

  it('gives the Cognito app client SRP sign-in and refresh only: no OAuth flow, callback URL or scope', () => {
    const clients = Object.values(templates.stateful.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]!.Properties;
    expect(client.ExplicitAuthFlows.sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client.AllowedOAuthFlows).toBeUndefined();
    expect(client.AllowedOAuthFlowsUserPoolClient).not.toBe(true);
    expect(client.CallbackURLs).toBeUndefined();
    expect(client.AllowedOAuthScopes).toBeUndefined();
    expect(client.GenerateSecret).toBe(false);
    expect(JSON.stringify(client)).not.toContain('example.com');
  });

  it('warns, at synth, about each example value the environment still holds', () => {
    const warnings = warningsOf(stage);
    const account = name === 'prod' ? '222222222222' : '111111111111';
    expect(warnings).toEqual(
      expect.arrayContaining([
        `payments-${name}-stateful: environments.${name}.account: ${account} is the example account id: replace it before deploying (docs/deploy.md)`,
        expect.stringContaining(`payments-${name}-monitoring: environments.${name}.runbookUrl: ${exampleRunbookUrl}`),
        expect.stringContaining(`payments-${name}-monitoring: environments.${name}.onCallSubscriptions[0].endpoint`),
        expect.stringContaining(`payments-${name}-api: environments.${name}.corsAllowedOrigins[0]`),
      ]),
    );
    for (const warning of warnings) expect(warning).toContain('replace it before deploying');
  });
});

describe('example values', () => {
  it.each(Object.keys(exampleEnvironments))('are all found in the committed %s environment', (name) => {
    const config = parseEnvironments(exampleEnvironments).find((c) => c.name === name)!;
    expect(placeholdersIn(config).map((problem) => problem.split(':')[0])).toEqual([
      `environments.${name}.account`,
      `environments.${name}.runbookUrl`,
      `environments.${name}.onCallSubscriptions[0].endpoint`,
      `environments.${name}.corsAllowedOrigins[0]`,
    ]);
  });

  it('are none once every one is replaced, and then synth warns about nothing', () => {
    expect(placeholdersIn(parseEnvironments({ prod: realEnvironment('prod') })[0]!)).toEqual([]);
    const { stages: real } = buildTestApp({ environments: { prod: realEnvironment('prod') } });
    expect(warningsOf(real[0]!)).toEqual([]);
  });
});

describe('deploy preflight', () => {
  it('refuses the example configuration, naming every example value', () => {
    const result = preflight(exampleEnvironments, 'prod');
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(4);
    expect(result.problems.join('\n')).toContain('222222222222');
  });

  it('refuses an unknown environment or none, and accepts one without example values', () => {
    expect(preflight(exampleEnvironments, 'qa')).toEqual({ ok: false, problems: [expect.stringContaining('no environment "qa"')] });
    expect(preflight(exampleEnvironments, undefined).ok).toBe(false);
    expect(preflight({ ...exampleEnvironments, prod: realEnvironment('prod') }, 'prod')).toEqual({ ok: true, problems: [] });
  });

  it('exits non-zero from the command line, naming the example values, and passes a real configuration', async () => {
    const refused = await runBin('preflight.ts', ['stage']);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('environments.stage.account: 111111111111');
    expect(refused.output).toContain('environments.stage.runbookUrl');
    expect(refused.output).toContain('environments.stage.onCallSubscriptions[0].endpoint');

    const dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
    try {
      const file = path.join(dir, 'cdk.json');
      writeFileSync(file, JSON.stringify({ context: { environments: { stage: realEnvironment('stage') } } }));
      const passed = await runBin('preflight.ts', ['stage', '--cdk-json', file]);
      expect(passed).toEqual({ code: 0, output: expect.stringContaining('Preflight passed for stage') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('stops `npm run deploy` before cdk runs when the environment holds an example value', async () => {
    const refused = await runBin('deploy.ts', ['prod']);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('Refusing to deploy prod');
    // cdk deploy would synthesize (bundling every function) before anything else.
    expect(refused.output).not.toMatch(/Bundling|Synthesi/);
  }, 60_000);
});
