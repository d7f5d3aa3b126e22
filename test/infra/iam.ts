// Reading a function's IAM statements back from a synthesized template.
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { PaymentsFunction } from '#lib/constructs/payments-function.ts';

export type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: Record<string, Record<string, unknown>> };

/** The statements of every policy attached to a function's role. */
export function roleStatements(template: Template, fn: PaymentsFunction): Statement[] {
  const roleId = fn.role.stack.getLogicalId(fn.role.node.defaultChild as CfnElement);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

export const actionsOf = (statement: Statement) => [statement.Action].flat();
