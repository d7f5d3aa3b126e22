// The platform's own credentials: Secrets Manager in AWS, a generated file locally.
export interface PlatformCredentials {
  clientId: string;
  clientSecret: string;
  appAccessToken: string;
  /** Secret from which IPN route tokens are derived; compared in constant time. */
  ipnRouteSecret: string;
}

export interface PlatformSecrets {
  /** Cached in memory; a rotated secret is picked up once the cache entry ages out. */
  platformCredentials(): Promise<PlatformCredentials>;
}
