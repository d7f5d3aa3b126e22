// The API's users: state, so the pool lives in the stateful stack, with one
// group per user role (the cognito:groups claim the authorizer reads) and the
// frontend's app client. Built in the stack's scope directly, so construct paths
// and logical ids are the stack's.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { userRoles } from '#functions/domain/principal.ts';

export function createUserPool(scope: Construct): { userPool: cognito.UserPool; client: cognito.UserPoolClient } {
  const userPool = new cognito.UserPool(scope, 'Users', {
    // Users are provisioned by the platform (and put in groups by it), not self-registered.
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(1),
    },
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    // Threat protection (compromised credentials, adaptive authentication) needs the Plus plan.
    featurePlan: cognito.FeaturePlan.PLUS,
    standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // 'agent' is not a Cognito group: it comes only from an agt_ token.
  for (const role of userRoles) {
    new cognito.CfnUserPoolGroup(scope, `Group-${role}`, {
      userPoolId: userPool.userPoolId,
      groupName: role,
      description: `API role ${role} (cognito:groups claim)`,
    });
  }
  const client = userPool.addClient('PlatformFrontend', {
    generateSecret: false,
    // The frontend signs users in with SRP and refreshes tokens (always allowed); it uses no hosted
    // UI or OAuth flow, so none is enabled: no implicit grant, no callback URL, no OAuth scopes.
    authFlows: { userSrp: true },
    disableOAuth: true,
    preventUserExistenceErrors: true,
    enableTokenRevocation: true,
    accessTokenValidity: Duration.minutes(60),
    idTokenValidity: Duration.minutes(60),
    refreshTokenValidity: Duration.days(1),
  });
  return { userPool, client };
}
