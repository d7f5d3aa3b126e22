// The IPN route secret rotation over a mocked SecretsManagerClient that keeps
// versions and staging labels the way Secrets Manager does, so re-runs, races and
// label moves behave as they would in AWS.
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  freshIpnRouteSecret,
  ipnRouteSecretRotation,
  SecretRotationError,
  type RotationEvent,
  type RotationStep,
} from '#functions/adapters/secrets/ipn-route-secret-rotation.ts';
import { PlatformSecretsError } from '#functions/adapters/secrets/platform-secret.ts';
import { secretsManagerPlatformSecrets } from '#functions/adapters/secrets/secrets-manager-platform-secrets.ts';
import { previousIpnRouteSecretsKept } from '#functions/domain/ipn-route-secret-rotation.ts';

const arn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:PlatformSecret-AbCdEf';
const initial = {
  client_id: '123456',
  client_secret: 'wepay-client-secret-never-rotated',
  app_access_token: 'STAGE_wepay-app-token-never-rotated',
  ipn_route_secret: 'ipn-route-secret-generated-at-deploy-0123456789',
};

interface Version {
  value?: string;
  stages: Set<string>;
}

/** Secrets Manager's versions and labels, as far as the rotation protocol uses them. */
class FakeSecretsManager {
  readonly versions = new Map<string, Version>();
  rotationEnabled = true;

  constructor(document: unknown) {
    this.versions.set('v-initial', { value: JSON.stringify(document), stages: new Set(['AWSCURRENT']) });
  }

  /** What RotateSecret does before invoking the function: a version with AWSPENDING and no value. */
  startRotation(version: string): void {
    this.moveLabel('AWSPENDING', version);
  }

  versionWith(stage: string): [string, Version] | undefined {
    return [...this.versions.entries()].find(([, v]) => v.stages.has(stage));
  }

  document(stage: string): Record<string, unknown> {
    return JSON.parse(this.versionWith(stage)![1].value!) as Record<string, unknown>;
  }

  moveLabel(stage: string, to: string): void {
    for (const version of this.versions.values()) version.stages.delete(stage);
    const target = this.versions.get(to) ?? { stages: new Set<string>() };
    target.stages.add(stage);
    this.versions.set(to, target);
  }

  describe() {
    return {
      ARN: arn,
      RotationEnabled: this.rotationEnabled,
      VersionIdsToStages: Object.fromEntries([...this.versions.entries()].filter(([, v]) => v.stages.size > 0).map(([id, v]) => [id, [...v.stages]])),
    };
  }

  get(request: { VersionId?: string; VersionStage?: string }) {
    // Neither version nor stage: Secrets Manager answers AWSCURRENT.
    const input = request.VersionId === undefined && request.VersionStage === undefined ? { VersionStage: 'AWSCURRENT' } : request;
    const entry = input.VersionId !== undefined ? ([input.VersionId, this.versions.get(input.VersionId)] as const) : this.versionWith(input.VersionStage!);
    const version = entry?.[1];
    if (!version || version.value === undefined || (input.VersionStage !== undefined && !version.stages.has(input.VersionStage))) {
      throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value", $metadata: {} });
    }
    return { ARN: arn, VersionId: entry[0], SecretString: version.value, VersionStages: [...version.stages] };
  }

  put(input: { ClientRequestToken?: string; SecretString?: string; VersionStages?: string[] }) {
    const id = input.ClientRequestToken!;
    const existing = this.versions.get(id);
    if (existing?.value !== undefined) {
      if (existing.value === input.SecretString) return { ARN: arn, VersionId: id };
      throw new ResourceExistsException({ message: 'A version with this ClientRequestToken already exists with another value', $metadata: {} });
    }
    this.versions.set(id, { value: input.SecretString!, stages: existing?.stages ?? new Set() });
    for (const stage of input.VersionStages ?? []) this.moveLabel(stage, id);
    return { ARN: arn, VersionId: id };
  }

  updateStage(input: { VersionStage?: string; MoveToVersionId?: string; RemoveFromVersionId?: string }) {
    const stage = input.VersionStage!;
    if (input.RemoveFromVersionId !== undefined) {
      const from = this.versions.get(input.RemoveFromVersionId);
      if (!from?.stages.has(stage)) throw new InvalidParameterException({ message: `The label is not on ${input.RemoveFromVersionId}`, $metadata: {} });
    }
    if (input.MoveToVersionId !== undefined) {
      const previousCurrent = stage === 'AWSCURRENT' ? this.versionWith('AWSCURRENT')?.[0] : undefined;
      this.moveLabel(stage, input.MoveToVersionId);
      // Secrets Manager moves AWSPREVIOUS to the version that lost AWSCURRENT.
      if (previousCurrent !== undefined && previousCurrent !== input.MoveToVersionId) this.moveLabel('AWSPREVIOUS', previousCurrent);
    } else if (input.RemoveFromVersionId !== undefined) {
      this.versions.get(input.RemoveFromVersionId)!.stages.delete(stage);
    }
    return { ARN: arn };
  }
}

const client = new SecretsManagerClient({ region: 'us-east-1' });
const secretsManager = mockClient(client);
let fake: FakeSecretsManager;
let generated: string[];
let logLines: { message: string; attributes: Record<string, unknown> }[];

function installFake(document: unknown = initial): void {
  fake = new FakeSecretsManager(document);
  secretsManager.on(DescribeSecretCommand).callsFake(() => fake.describe());
  secretsManager.on(GetSecretValueCommand).callsFake((input) => fake.get(input));
  secretsManager.on(PutSecretValueCommand).callsFake((input) => fake.put(input));
  secretsManager.on(UpdateSecretVersionStageCommand).callsFake((input) => fake.updateStage(input));
}

function rotation(generateSecret = () => {
  const value = freshIpnRouteSecret();
  generated.push(value);
  return value;
}) {
  return ipnRouteSecretRotation({ client, generateSecret, logger: { info: (message, attributes) => logLines.push({ message, attributes }) } });
}

const event = (step: RotationStep, version = 'v-next'): RotationEvent => ({ Step: step, SecretId: arn, ClientRequestToken: version });

async function rotateFully(version: string, runner = rotation()): Promise<void> {
  fake.startRotation(version);
  for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await runner.run(event(step, version));
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error;
}

beforeEach(() => {
  secretsManager.reset();
  generated = [];
  logLines = [];
  installFake();
});

describe('createSecret', () => {
  it('puts the next document as AWSPENDING under the rotation version: a fresh 32-byte base64url route secret, the current one kept first', async () => {
    fake.startRotation('v-next');

    await rotation().run(event('createSecret'));

    expect(generated).toHaveLength(1);
    expect(generated[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(generated[0]!, 'base64url')).toHaveLength(32);
    expect(fake.document('AWSPENDING')).toEqual({ ...initial, ipn_route_secret: generated[0], ipn_route_secret_previous: [initial.ipn_route_secret] });
    expect(fake.versionWith('AWSPENDING')![0]).toBe('v-next');
    expect(fake.document('AWSCURRENT')).toEqual(initial);
    expect(secretsManager).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: arn, ClientRequestToken: 'v-next', VersionStages: ['AWSPENDING'] });
  });

  it('generates no second pending value when the step runs again', async () => {
    fake.startRotation('v-next');
    const runner = rotation();

    await runner.run(event('createSecret'));
    const first = fake.document('AWSPENDING');
    await runner.run(event('createSecret'));
    await rotation().run(event('createSecret'));

    expect(generated).toHaveLength(1);
    expect(secretsManager).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    expect(fake.document('AWSPENDING')).toEqual(first);
  });

  it('keeps the value of a concurrent run that put the pending version first', async () => {
    fake.startRotation('v-next');
    const theirs = { ...initial, ipn_route_secret: 'c'.repeat(43), ipn_route_secret_previous: [initial.ipn_route_secret] };
    // The other invocation writes between our "no pending value yet" and our put.
    const racing = rotation(() => {
      fake.put({ ClientRequestToken: 'v-next', SecretString: JSON.stringify(theirs), VersionStages: ['AWSPENDING'] });
      return 'd'.repeat(43);
    });

    await racing.run(event('createSecret'));

    expect(fake.document('AWSPENDING')).toEqual(theirs);
  });

  it('creates nothing while AWSCURRENT still holds the deploy-time placeholders, naming the fields but no value', async () => {
    installFake({ ...initial, client_id: 'SET_ME_FROM_THE_WEPAY_DASHBOARD' });
    fake.startRotation('v-next');

    const error = await failureOf(rotation().run(event('createSecret')));

    expect(error).toBeInstanceOf(PlatformSecretsError);
    expect(error.message).toMatch(/client_id/);
    expect(error.message).not.toContain('SET_ME');
    expect(secretsManager).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
  });
});

describe('setSecret', () => {
  it('changes nothing: no value is written and no label moves', async () => {
    fake.startRotation('v-next');
    await rotation().run(event('createSecret'));
    secretsManager.resetHistory();

    await rotation().run(event('setSecret'));

    expect(secretsManager).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
    expect(secretsManager).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
  });
});

describe('testSecret', () => {
  it('accepts the pending version createSecret wrote', async () => {
    fake.startRotation('v-next');
    await rotation().run(event('createSecret'));

    await expect(rotation().run(event('testSecret'))).resolves.toBeUndefined();
  });

  it('rejects a pending version that fails the platform secret schema, naming the field but no value', async () => {
    fake.startRotation('v-next');
    fake.put({ ClientRequestToken: 'v-next', SecretString: JSON.stringify({ ...initial, ipn_route_secret: 'too-short-pending-value' }) });

    const error = await failureOf(rotation().run(event('testSecret')));

    expect(error).toBeInstanceOf(PlatformSecretsError);
    expect(error.message).toMatch(/ipn_route_secret/);
    for (const value of [...Object.values(initial), 'too-short-pending-value']) expect(error.message).not.toContain(value);
  });

  it('rejects a pending version that would stop accepting the current route secret', async () => {
    fake.startRotation('v-next');
    fake.put({ ClientRequestToken: 'v-next', SecretString: JSON.stringify({ ...initial, ipn_route_secret: 'n'.repeat(43) }) });

    const error = await failureOf(rotation().run(event('testSecret')));

    expect(error).toBeInstanceOf(SecretRotationError);
    expect(error.message).toMatch(/ipn_route_secret_previous/);
    expect(error.message).not.toContain(initial.ipn_route_secret);
  });

  it('rejects the pending version when an operator changed the WePay-issued fields after createSecret, so finishing cannot undo the change', async () => {
    fake.startRotation('v-next');
    await rotation().run(event('createSecret'));
    const [currentId, currentVersion] = fake.versionWith('AWSCURRENT')!;
    currentVersion.value = JSON.stringify({ ...initial, client_secret: 'wepay-client-secret-reissued-by-operator' });

    const error = await failureOf(rotation().run(event('testSecret')));

    expect(error).toBeInstanceOf(SecretRotationError);
    expect(error.message).toMatch(/client_secret/);
    expect(error.message).not.toMatch(/wepay-client-secret/);
    expect(fake.versionWith('AWSCURRENT')![0]).toBe(currentId);
  });
});

describe('finishSecret', () => {
  it('makes the pending version AWSCURRENT, the old one AWSPREVIOUS, and leaves no AWSPENDING label', async () => {
    await rotateFully('v-next');

    expect(fake.versionWith('AWSCURRENT')![0]).toBe('v-next');
    expect(fake.versionWith('AWSPREVIOUS')![0]).toBe('v-initial');
    expect(fake.versionWith('AWSPENDING')).toBeUndefined();
    expect(fake.describe().VersionIdsToStages).toEqual({ 'v-next': ['AWSCURRENT'], 'v-initial': ['AWSPREVIOUS'] });
  });

  it('does nothing when run again after the version became AWSCURRENT, as does every other step', async () => {
    await rotateFully('v-next');
    secretsManager.resetHistory();

    for (const step of ['finishSecret', 'createSecret', 'setSecret', 'testSecret'] as const) await rotation().run(event(step));

    expect(secretsManager).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
    expect(secretsManager).toHaveReceivedCommandTimes(UpdateSecretVersionStageCommand, 0);
    expect(fake.versionWith('AWSCURRENT')![0]).toBe('v-next');
  });
});

describe('a full rotation', () => {
  it('leaves client_id, client_secret and app_access_token exactly as they were', async () => {
    await rotateFully('v-1');
    await rotateFully('v-2');

    const after = fake.document('AWSCURRENT');
    expect({ client_id: after.client_id, client_secret: after.client_secret, app_access_token: after.app_access_token }).toEqual({
      client_id: initial.client_id,
      client_secret: initial.client_secret,
      app_access_token: initial.app_access_token,
    });
    expect(after.ipn_route_secret).toBe(generated[1]);
  });

  it('still lists the previous route secret in what the functions read, so a route token derived from it stays valid', async () => {
    await rotateFully('v-1');
    await rotateFully('v-2');

    const credentials = await secretsManagerPlatformSecrets({
      secretId: arn,
      maxAgeSeconds: 0,
      secretsProvider: new SecretsProvider({ awsSdkV3Client: client }),
    }).platformCredentials();

    expect(credentials.ipnRouteSecret).toBe(generated[1]);
    expect(credentials.previousIpnRouteSecrets).toEqual([generated[0], initial.ipn_route_secret]);
  });

  it('keeps no more than previousIpnRouteSecretsKept earlier secrets over many rotations', async () => {
    for (let n = 1; n <= previousIpnRouteSecretsKept + 2; n += 1) await rotateFully(`v-${n}`);

    const previous = fake.document('AWSCURRENT').ipn_route_secret_previous as string[];
    expect(previous).toHaveLength(previousIpnRouteSecretsKept);
    expect(previous[0]).toBe(generated.at(-2));
    expect(previous).not.toContain(initial.ipn_route_secret);
  });

  it('never writes a secret value into a log line', async () => {
    await rotateFully('v-1');
    await rotateFully('v-2');

    expect(logLines.length).toBeGreaterThanOrEqual(8);
    const text = JSON.stringify(logLines);
    for (const value of [...Object.values(initial), ...generated]) expect(text).not.toContain(value);
    expect(logLines[0]!.attributes).toEqual({ step: 'createSecret', resource: arn, version: 'v-1' });
  });
});

describe('refusals', () => {
  it('refuses a secret that is not enabled for rotation', async () => {
    fake.rotationEnabled = false;
    fake.startRotation('v-next');

    await expect(rotation().run(event('createSecret'))).rejects.toThrow(/not enabled for rotation/);
  });

  it('refuses a version Secrets Manager did not stage for this rotation', async () => {
    await expect(rotation().run(event('createSecret', 'v-unknown'))).rejects.toThrow(/has no stage for rotation/);
    fake.versions.set('v-stale', { value: JSON.stringify(initial), stages: new Set(['AWSPREVIOUS']) });
    await expect(rotation().run(event('testSecret', 'v-stale'))).rejects.toThrow(/is not AWSPENDING/);
  });

  it('refuses an unknown step', async () => {
    fake.startRotation('v-next');

    await expect(rotation().run({ ...event('createSecret'), Step: 'deleteSecret' as RotationStep })).rejects.toThrow(SecretRotationError);
    expect(secretsManager).toHaveReceivedCommandTimes(PutSecretValueCommand, 0);
  });

  it('reports a current secret that is not JSON without quoting it', async () => {
    installFake();
    fake.versions.get('v-initial')!.value = 'hunter2-not-json';
    fake.startRotation('v-next');

    const error = await failureOf(rotation().run(event('createSecret')));

    expect(error).toBeInstanceOf(PlatformSecretsError);
    expect(String(error)).not.toContain('hunter2');
    expect(error.cause).toBeUndefined();
  });
});

describe('audit', () => {
  it('records one secrets.rotate by system:rotation when finishSecret makes the new version current, and nothing on a re-run', async () => {
    const { recordSystemChange } = await import('#functions/app/audit.ts');
    const records: unknown[] = [];
    const audit = {
      log: { append: async (record: unknown) => void records.push(record), list: async () => ({ items: [], nextCursor: null }) },
      clock: { now: () => Date.parse('2026-12-01T12:00:00Z') },
      onWriteFailure: () => undefined,
    };
    const runner = ipnRouteSecretRotation({
      client,
      onRotated: async (resource) => void (await recordSystemChange(audit, { actor: 'system:rotation', action: 'secrets.rotate', resource: { type: 'secret', id: resource } })),
    });
    fake.startRotation('v-audited');
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) await runner.run(event(step, 'v-audited'));
    expect(records).toEqual([]);
    await runner.run(event('finishSecret', 'v-audited'));
    await runner.run(event('finishSecret', 'v-audited'));
    expect(records).toEqual([
      {
        id: expect.stringMatching(/^aud_/),
        at: '2026-12-01T12:00:00.000Z',
        action: 'secrets.rotate',
        actor: { sub: 'system:rotation', roles: [], mandate_id: null, ip: null, user_agent: null },
        resource: { type: 'secret', id: arn },
        request_id: null,
        status: null,
      },
    ]);
    expect(JSON.stringify(records)).not.toContain(fake.document('AWSCURRENT').ipn_route_secret as string);
  });
});
