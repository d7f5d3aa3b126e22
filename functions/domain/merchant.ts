// Merchants: the provider user registered once per platform user, and that
// user's merchant accounts (each call to POST /v1/merchants adds one).

/** One per platform user (`sub`), registered with the provider exactly once. */
export interface ProviderUser {
  ownerSub: string;
  providerUserId: string;
  /**
   * The provider's merchant credential sealed by the TokenVault (base64 ciphertext); never the
   * plaintext. Named after the attribute already stored, from when the only credential was an access token.
   */
  sealedAccessToken: string;
  email: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

export interface MerchantAccount {
  /** 'acc_' + random. */
  id: string;
  ownerSub: string;
  name: string;
  description: string;
  /** `<provider's prefix><name>`, as on card statements (domain/account-name.ts). */
  statementDescriptor: string;
  state: string;
  providerAccountId: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** `createAccount` found an account with this id. */
export class AccountAlreadyExistsError extends Error {
  override readonly name = 'AccountAlreadyExistsError';
  constructor(readonly existingAccountId: string) {
    super(`Merchant account ${existingAccountId} already exists`);
  }
}
