// Envelope encryption of merchant provider credentials. The encryption context binds a
// ciphertext to one merchant and one purpose: opening it under another fails.
export interface TokenContext {
  merchantId: string;
  purpose: 'provider_access_token';
}

export interface TokenVault {
  /** Returns an opaque, base64 ciphertext safe to store. */
  seal(plaintext: string, context: TokenContext): Promise<string>;
  /** Throws if the ciphertext was sealed under another context or was tampered with. */
  open(ciphertext: string, context: TokenContext): Promise<string>;
}

/** A webhook endpoint's signing secret: bound to the endpoint and the purpose, as tokens are to a merchant. */
export interface WebhookSecretContext {
  endpointId: string;
  purpose: 'webhook_secret';
}

/** The same vault (same key, same envelope format), sealing webhook signing secrets. */
export interface WebhookSecretVault {
  seal(plaintext: string, context: WebhookSecretContext): Promise<string>;
  open(ciphertext: string, context: WebhookSecretContext): Promise<string>;
}
