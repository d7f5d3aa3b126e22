// The audit table in the synthesized stacks: kept (TTL past a year, point-in-time
// recovery, deletion protection, retained), and append-only as far as IAM goes:
// no statement in any stack lets anything update, delete or batch-write its items,
// and the functions that write records get PutItem alone.
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { auditTable } from '#functions/adapters/dynamodb/table-definitions.ts';
import { buildTestApp } from './test-app.ts';

const { stages } = buildTestApp();
const forbidden = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete', 'dynamodb:DeleteTable'];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; NotAction?: unknown; NotResource?: unknown };

/** Every IAM statement of a template, with where it is: policies, managed policies, roles' inline policies. */
function statementsOf(template: Template): { where: string; statement: Statement }[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, any> }>;
  return Object.entries(resources).flatMap(([id, resource]) => {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      return (props.PolicyDocument.Statement as Statement[]).map((statement) => ({ where: id, statement }));
    }
    if (resource.Type === 'AWS::IAM::Role') {
      return (props.Policies ?? []).flatMap((p: any) => (p.PolicyDocument.Statement as Statement[]).map((statement) => ({ where: id, statement })));
    }
    return [];
  });
}

/** Does an IAM action pattern (`dynamodb:*`, `dynamodb:Update*`, `*`) cover this action? */
const covers = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

/** A resource that may be the audit table: its ARN (or an index of it), or a wildcard. */
function mayBeAuditTable(resource: unknown, auditTableId: string): boolean {
  const text = JSON.stringify(resource);
  return text.includes(auditTableId) || text === '"*"' || /arn:[^"]*dynamodb[^"]*\*/.test(text);
}

describe.each(stages.map((stage) => [stage.stageName, stage] as const))('%s', (_name, stage) => {
  const stateful = Template.fromStack(stage.stateful);
  const auditTableId = stage.stateful.getLogicalId(stage.stateful.tables[auditTable.id]!.node.defaultChild as CfnElement);
  // Every stack of the stage, however many there are: a stack added later is checked too.
  const templates = stage.node
    .findAll()
    .filter((construct): construct is Stack => Stack.isStack(construct))
    .map((stack) => ({ name: stack.stackName, template: Template.fromStack(stack) }));

  it('has the audit table, with a TTL, point-in-time recovery and deletion protection, retained', () => {
    const table = stateful.toJSON().Resources[auditTableId];
    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
    expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    expect(table.Properties.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName).sort()).toEqual(
      ['by-action', 'by-actor', 'by-resource', 'by-time'],
    );
  });

  it('is checked in every stack of the stage', () => {
    expect(templates.map((t) => t.name).length).toBeGreaterThanOrEqual(3);
  });

  it('lets no IAM statement in any stack update, delete or batch-write audit records', () => {
    const offending = templates.flatMap(({ name, template }) =>
      statementsOf(template)
        .filter(({ statement }) => statement.Effect === 'Allow')
        .filter(({ statement }) => [statement.Resource].flat().some((resource) => mayBeAuditTable(resource, auditTableId)) || statement.NotResource !== undefined)
        .filter(({ statement }) =>
          statement.NotAction !== undefined || [statement.Action].flat().some((pattern) => forbidden.some((action) => covers(pattern, action))),
        )
        .map(({ where, statement }) => `${name}/${where}: ${JSON.stringify(statement.Action)} on ${JSON.stringify(statement.Resource)}`),
    );
    expect(offending).toEqual([]);
  });

  it('gives the writers of records (audited routes, the authorizer, the IPN processor, the rotation) PutItem alone on the audit table', () => {
    const onAuditTable = templates.flatMap(({ template }) =>
      statementsOf(template).filter(({ statement }) => JSON.stringify(statement.Resource).includes(auditTableId)),
    );
    const writes = onAuditTable.filter(({ statement }) => [statement.Action].flat().includes('dynamodb:PutItem'));
    // The authorizer, the IPN processor, the rotation function and every audited route (at least the five of today).
    expect(writes.length).toBeGreaterThanOrEqual(8);
    for (const { statement } of writes) {
      expect(statement.Action).toBe('dynamodb:PutItem');
      // The table itself: a put never names an index.
      expect(JSON.stringify(statement.Resource)).not.toContain('/index/');
    }
    const reads = onAuditTable.filter(({ statement }) => ![statement.Action].flat().includes('dynamodb:PutItem'));
    expect(reads.length).toBeGreaterThanOrEqual(1);
    for (const { statement } of reads) {
      expect([statement.Action].flat().every((action) => /^dynamodb:(GetItem|BatchGetItem|Query|ConditionCheckItem|DescribeTable)$/.test(action))).toBe(true);
    }
  });

  it('a policy that allowed dynamodb:* on every table would be caught', () => {
    const statement: Statement = { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' };
    expect(mayBeAuditTable(statement.Resource, auditTableId) && forbidden.some((action) => covers('dynamodb:*', action))).toBe(true);
    expect(covers('dynamodb:Update*', 'dynamodb:UpdateItem')).toBe(true);
    expect(covers('dynamodb:PutItem', 'dynamodb:UpdateItem')).toBe(false);
  });
});
