// The shapes of our own ids. A value that cannot be one of them (wrong prefix,
// length or characters) names nothing, so it is answered 404 before any database
// call: DynamoDB refuses keys over 2,048 bytes with an error, and a probe of odd
// ids should cost nothing. The bound is looser than what we mint (`acc_` + 16,
// `chk_` + 24 base64url characters) so that a future, longer id still fits.

const idShape = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,64}$`);

const accountId = idShape('acc');
const checkoutId = idShape('chk');

export function couldBeAccountId(value: string): boolean {
  return accountId.test(value);
}

export function couldBeCheckoutId(value: string): boolean {
  return checkoutId.test(value);
}

/** How a refused id appears in an error message: as sent when it could be one of ours, else not at all. */
export function idInMessage(value: string, couldBe: (value: string) => boolean): string {
  return couldBe(value) ? value : 'with this id';
}

const mandateId = idShape('mdt');

export function couldBeMandateId(value: string): boolean {
  return mandateId.test(value);
}
