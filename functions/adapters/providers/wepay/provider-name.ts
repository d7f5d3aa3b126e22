// The adapter's name (PaymentProvider.name): in the API (`provider.name`), the IPN route,
// audit actors (`provider:wepay`) and stored keys. On its own so that the IPN receiver can
// check it against the build's without bundling the client.
export const WEPAY_PROVIDER_NAME = 'wepay';
