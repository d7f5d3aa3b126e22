// The client keeps its own list of the API's error codes (it ships without the
// server's code); this keeps that copy complete: a code the functions can answer
// with but the client does not name fails to compile here.
import type { ErrorCode as ServerErrorCode } from '#functions/domain/errors.ts';
import type { ErrorCode as ClientErrorCode } from '../../../client/errors.ts';

/** The named codes of a union left open with `string & {}`. */
type Named<T> = T extends string ? (string extends T ? never : T) : never;
type MissingFromClient = Exclude<ServerErrorCode, Named<ClientErrorCode>>;

it("names every error code the functions answer with in the client's ErrorCode", () => {
  const complete: [MissingFromClient] extends [never] ? true : false = true;
  expect(complete).toBe(true);
});
