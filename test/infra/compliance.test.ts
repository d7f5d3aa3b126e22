// The compliance packs run over the whole app (both environments) as `cdk
// synth` runs them, and every finding must be acknowledged in code with a reason.
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { compliancePacks } from '#lib/payments-app.ts';
import { buildTestApp } from './test-app.ts';

const { app } = buildTestApp();

function allConstructs(root: IConstruct): IConstruct[] {
  return [root, ...root.node.children.flatMap(allConstructs)];
}

describe('compliance packs', () => {
  it.each(compliancePacks(app).map((pack) => [pack.readPackName, pack] as const))(
    'the %s pack reports no finding that is not acknowledged',
    (_name, pack) => {
      const report = pack.validateScope(app);
      const findings = report.violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}: ${violation.description}`),
      );
      expect(findings).toEqual([]);
      expect(report.success).toBe(true);
    },
  );

  it('gives every acknowledgement a specific reason of its own', () => {
    const acknowledgements = allConstructs(app).flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>))
        .map(([rule, value]) => ({ rule, at: construct.node.path, reason: JSON.stringify(value) })),
    );
    expect(acknowledgements.length).toBeGreaterThan(0);
    const vague = acknowledgements.filter(({ reason }) => reason.length < 80 || /\b(todo|tbd|n\/a|not needed|fine)\b/i.test(reason));
    expect(vague).toEqual([]);
  });
});
