// The adapter's name (PaymentProvider.name), on its own so that the IPN receiver can
// check it against the build's without bundling the client.
export const WEPAY_PROVIDER_NAME = 'wepay';
