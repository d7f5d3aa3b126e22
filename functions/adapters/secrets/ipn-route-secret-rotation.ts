// The Secrets Manager side of rotating the platform secret: the four steps of
// Secrets Manager's rotation protocol, for the one field we can renew ourselves.
//
// Secrets Manager creates a version (id = ClientRequestToken) labelled AWSPENDING
// and invokes the function once per step; it retries a failed rotation, so every
// step must be safe to run again:
// - createSecret: reads AWSCURRENT and puts the next document (a fresh
//   ipn_route_secret, the current one first in ipn_route_secret_previous, the
//   provider-issued fields copied) as AWSPENDING under that version id, unless that
//   version already has a value: a re-run never generates a second pending value.
// - setSecret: nothing to set. The route secret is ours alone: the provider holds only
//   whole callback URIs, fixed per checkout at creation, and our IPN handler reads
//   the secret from Secrets Manager itself. The provider-issued fields are unchanged.
// - testSecret: the pending document passes the platform secret schema, still
//   accepts the current route secret, and carries the same provider-issued fields as
//   AWSCURRENT (otherwise finishing would undo an operator's update made meanwhile).
// - finishSecret: moves AWSCURRENT to the new version (Secrets Manager moves
//   AWSPREVIOUS itself) and takes AWSPENDING off it.
//
// client_id, client_secret and app_access_token are issued by the provider only: this
// function never changes them (README runbook "Rotate the platform credentials").
//
// Errors and log lines name the secret, the step, the version and the fields at
// fault, never a value.
import { randomBytes } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { nextIpnRouteSecretDocument } from '#functions/domain/ipn-route-secret-rotation.ts';
import { parseSecretJson, providerIssuedSecretKeys, toPlatformCredentials } from '#functions/adapters/secrets/platform-secret.ts';

export const rotationSteps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof rotationSteps)[number];

/** What Secrets Manager sends the rotation function (see aws-lambda's SecretsManagerRotationEvent). */
export interface RotationEvent {
  Step: RotationStep;
  SecretId: string;
  ClientRequestToken: string;
}

/** A rotation step that cannot proceed. The message names versions and fields, never values. */
export class SecretRotationError extends Error {
  override readonly name = 'SecretRotationError';
}

/** The part of a logger the rotation uses; Powertools' Logger fits. */
export interface RotationLogger {
  info(message: string, attributes: Record<string, unknown>): void;
}

export interface IpnRouteSecretRotationOptions {
  /** Injected by tests (aws-sdk-client-mock); one per cold start otherwise. */
  client?: SecretsManagerClient;
  region?: string;
  /** 32 random bytes, base64url (43 characters); injected by tests. */
  generateSecret?: () => string;
  logger?: RotationLogger;
  /** Called once a rotation's finishSecret has made the new version AWSCURRENT (the audit trail records it). */
  onRotated?: (resource: string) => Promise<void>;
}

export interface IpnRouteSecretRotation {
  run(event: RotationEvent): Promise<void>;
}

const current = 'AWSCURRENT';
const pending = 'AWSPENDING';

export function freshIpnRouteSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function ipnRouteSecretRotation({
  client = new SecretsManagerClient({}),
  generateSecret = freshIpnRouteSecret,
  logger,
  onRotated,
}: IpnRouteSecretRotationOptions = {}): IpnRouteSecretRotation {
  const log = (message: string, step: RotationStep, resource: string, version: string) =>
    // Attribute names avoid "secret" and "token": the log redactor would blank them.
    logger?.info(message, { step, resource, version });

  /** The document of one version, parsed and validated with the platform secret schema. */
  async function readDocument(resource: string, selector: { VersionStage: string; VersionId?: string }, label: string) {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: resource, ...selector }));
    if (answer.SecretString === undefined) throw new SecretRotationError(`${label} of ${resource} has no string value`);
    const source = `${label} of ${resource}`;
    const document = parseSecretJson(answer.SecretString, source);
    // Throws PlatformSecretsError naming the fields at fault, never their values.
    toPlatformCredentials(document, source);
    return document as Record<string, unknown> & { ipn_route_secret: string; ipn_route_secret_previous?: string[] };
  }

  async function pendingExists(resource: string, version: string): Promise<boolean> {
    try {
      await client.send(new GetSecretValueCommand({ SecretId: resource, VersionId: version, VersionStage: pending }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  async function createSecret(resource: string, version: string): Promise<void> {
    const currentDocument = await readDocument(resource, { VersionStage: current }, current);
    if (await pendingExists(resource, version)) {
      log('createSecret: pending version already has its value', 'createSecret', resource, version);
      return;
    }
    const next = nextIpnRouteSecretDocument(currentDocument, generateSecret());
    try {
      await client.send(
        new PutSecretValueCommand({ SecretId: resource, ClientRequestToken: version, SecretString: JSON.stringify(next), VersionStages: [pending] }),
      );
    } catch (error) {
      // A concurrent run put its own value under this version first: that one stands.
      if (error instanceof ResourceExistsException && (await pendingExists(resource, version))) {
        log('createSecret: a concurrent run created the pending version', 'createSecret', resource, version);
        return;
      }
      throw error;
    }
    log('createSecret: pending version created with a fresh IPN route secret', 'createSecret', resource, version);
  }

  async function testSecret(resource: string, version: string): Promise<void> {
    const pendingDocument = await readDocument(resource, { VersionStage: pending, VersionId: version }, `${pending} version ${version}`);
    const currentDocument = await readDocument(resource, { VersionStage: current }, current);
    const changed = providerIssuedSecretKeys.filter((key) => String(pendingDocument[key]) !== String(currentDocument[key]));
    if (changed.length > 0) {
      throw new SecretRotationError(
        `${pending} version ${version} of ${resource} has other provider-issued fields than ${current} (${changed.join(', ')}): ` +
          `${current} changed after createSecret; rotate again (README runbook "Rotation failed")`,
      );
    }
    if (pendingDocument.ipn_route_secret === currentDocument.ipn_route_secret) {
      throw new SecretRotationError(`${pending} version ${version} of ${resource} did not change ipn_route_secret`);
    }
    if (!(pendingDocument.ipn_route_secret_previous ?? []).includes(currentDocument.ipn_route_secret)) {
      throw new SecretRotationError(
        `${pending} version ${version} of ${resource} does not keep the current ipn_route_secret in ipn_route_secret_previous`,
      );
    }
    log('testSecret: pending version is valid', 'testSecret', resource, version);
  }

  async function finishSecret(resource: string, version: string, stages: Record<string, string[]>): Promise<void> {
    const currentVersion = Object.entries(stages).find(([, labels]) => labels.includes(current))?.[0];
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: resource,
        VersionStage: current,
        MoveToVersionId: version,
        ...(currentVersion === undefined ? {} : { RemoveFromVersionId: currentVersion }),
      }),
    );
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: resource, VersionStage: pending, RemoveFromVersionId: version }));
    log('finishSecret: new version is AWSCURRENT', 'finishSecret', resource, version);
    await onRotated?.(resource);
  }

  return {
    async run(event: RotationEvent): Promise<void> {
      const { Step: step, SecretId: resource, ClientRequestToken: version } = event;
      if (!rotationSteps.includes(step)) throw new SecretRotationError(`Unknown rotation step for ${resource}`);

      const described = await client.send(new DescribeSecretCommand({ SecretId: resource }));
      if (!described.RotationEnabled) throw new SecretRotationError(`${resource} is not enabled for rotation`);
      const stages = described.VersionIdsToStages ?? {};
      const labels = stages[version];
      if (!labels) throw new SecretRotationError(`Version ${version} of ${resource} has no stage for rotation`);
      if (labels.includes(current)) {
        // A re-run after finishSecret succeeded: nothing left to do for any step.
        log(`${step}: version is already AWSCURRENT`, step, resource, version);
        return;
      }
      if (!labels.includes(pending)) throw new SecretRotationError(`Version ${version} of ${resource} is not AWSPENDING`);

      switch (step) {
        case 'createSecret':
          return createSecret(resource, version);
        case 'setSecret':
          // Nothing outside Secrets Manager holds the route secret (see the top of this file).
          log('setSecret: nothing to set outside Secrets Manager', step, resource, version);
          return;
        case 'testSecret':
          return testSecret(resource, version);
        case 'finishSecret':
          return finishSecret(resource, version, stages);
      }
    },
  };
}
