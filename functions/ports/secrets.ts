// The platform's own credentials: Secrets Manager in AWS, a generated file locally (local/).
export interface PlatformCredentials {
  clientId: string;
  clientSecret: string;
  appAccessToken: string;
  /** Secret from which IPN route tokens are derived; compared in constant time. */
  ipnRouteSecret: string;
  /**
   * Earlier IPN route secrets, newest first, kept by the rotation so that the route
   * token baked into an older checkout's callback_uri is still accepted ([] when the
   * secret has none).
   */
  previousIpnRouteSecrets: string[];
}

export interface PlatformSecrets {
  /** Cached in memory; a rotated secret is picked up once the cache entry ages out. */
  platformCredentials(): Promise<PlatformCredentials>;
}
