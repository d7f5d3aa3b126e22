// Bundled in place of @aws-sdk/credential-provider-node (the alias is in
// lib/constructs/payments-function.ts; tests and the local runtime are not bundled
// and keep the SDK's own chain). In Lambda the default chain's first link, the
// environment, always answers: the runtime sets the execution role's credentials
// there. The other links (SSO, INI files, credential processes, web identity,
// container and instance metadata) never run in a function but cost 80 KiB of
// every bundle (STS and SSO clients included) and their load time at each cold start.
const keyVariables = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  credentialScope?: string;
  accountId?: string;
}

/** The SDK's `fromEnv`: what the default chain returns in Lambda. */
export const defaultProvider = () => async (): Promise<EnvCredentials> => {
  const [accessKeyId, secretAccessKey] = keyVariables.map((name) => process.env[name]);
  if (!accessKeyId || !secretAccessKey) {
    throw Object.assign(new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): the Lambda runtime sets them'), { name: 'CredentialsProviderError', tryNextLink: false });
  }
  const { AWS_SESSION_TOKEN: sessionToken, AWS_CREDENTIAL_EXPIRATION: expiration, AWS_CREDENTIAL_SCOPE: credentialScope, AWS_ACCOUNT_ID: accountId } = process.env;
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    ...(expiration ? { expiration: new Date(expiration) } : {}),
    ...(credentialScope ? { credentialScope } : {}),
    ...(accountId ? { accountId } : {}),
  };
};

/** As the SDK's: credentials with an expiry are refreshed five minutes before it. */
export const credentialsWillNeedRefresh = (credentials?: EnvCredentials) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: EnvCredentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
