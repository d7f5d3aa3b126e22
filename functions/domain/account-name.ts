// Merchant account names, as the provider prints them on card statements
// (`<prefix><name>`, the API's statement_descriptor). A cardholder who cannot
// recognize the line on their statement files a chargeback, so the start of the
// name must read as a name, not a reference id.
import { InvalidRequestError } from '#functions/domain/errors.ts';

/** How much of the name a statement shows reliably; the rules below look only here. */
export const recognizableWindowLength = 14;

/** How the provider names accounts on card statements; its adapter supplies it (PaymentProvider.statementNaming). */
export interface StatementNaming {
  /** Printed before the name, e.g. `XYZ*`. */
  descriptorPrefix: string;
  /** A word the provider refuses in account names (its own name), compared case-insensitively. */
  reservedWord: string;
}

/**
 * What makes the window unrecognizable (all matching is case-insensitive):
 * - fewer than 3 letters (any script) in it: "XY", "12 AB";
 * - a UUID fragment: 8 hex characters followed by a dash ("550e8400-"), or two
 *   dash-joined groups of 4 hex characters ("e29b-41d4"), i.e. the shapes a
 *   UUID cut anywhere shows;
 * - a hex-like run: 6 or more consecutive hex characters with at least 2
 *   digits among them ("a1b2c3d4e5f6", "3fa85f"). Two digits, not one, so that
 *   words made of a–f letters with a single digit ("Decaf1", "Bead2Bead")
 *   still pass; pure a–f words ("Cafe", "Facade") have no digits at all;
 * - a "0x" hex literal with 4 or more hex digits ("0xdeadbeef");
 * - a digit-like run: 5 or more digits, possibly joined by `-`, `_`, `.`, `/`
 *   or `:` ("12345678", "555-1234", "2024-05-01"). Four digits are allowed so
 *   that years and street numbers pass ("Since 1987", "Cafe 24", "No 5");
 *   spaces end a run, so "Route 66 2024" is two short runs.
 */
const uuidFragment = /[0-9a-f]{8}-|[0-9a-f]{4}-[0-9a-f]{4}/i;
const hexRun = /[0-9a-f]{6,}/gi;
const hexLiteral = /0x[0-9a-f]{4,}/i;
const digitRun = /\p{Nd}(?:[-_./:]?\p{Nd}){4,}/u;
const letter = /\p{L}/gu;

const minimumLetters = 3;
const minimumDigitsInHexRun = 2;

/** Why a name cannot be used, or undefined when it can. Pure; the thrower is {@link acceptAccountName}. */
export function accountNameProblem(name: string, naming: StatementNaming): 'account_name_invalid' | 'account_name_unrecognizable' | undefined {
  // NFKC folds look-alikes such as fullwidth letters before the reserved-word check.
  if (name.normalize('NFKC').toLowerCase().includes(naming.reservedWord.toLowerCase())) return 'account_name_invalid';
  const window = Array.from(name.trim()).slice(0, recognizableWindowLength).join('');
  if ((window.match(letter)?.length ?? 0) < minimumLetters) return 'account_name_unrecognizable';
  if (uuidFragment.test(window) || hexLiteral.test(window) || digitRun.test(window)) return 'account_name_unrecognizable';
  for (const run of window.match(hexRun) ?? []) {
    if ((run.match(/[0-9]/g)?.length ?? 0) >= minimumDigitsInHexRun) return 'account_name_unrecognizable';
  }
  return undefined;
}

export interface AcceptedAccountName {
  /** The name without surrounding whitespace, as sent to the provider and returned by the API. */
  name: string;
  statementDescriptor: string;
}

/**
 * Checks a requested account name against the API's rules and returns the name
 * with its statement descriptor. A name containing the reserved word is refused first:
 * no rewording of the start makes it acceptable.
 * @throws InvalidRequestError `account_name_invalid` or `account_name_unrecognizable`, param `account.name`
 */
export function acceptAccountName(requested: string, naming: StatementNaming): AcceptedAccountName {
  const problem = accountNameProblem(requested, naming);
  if (problem === 'account_name_invalid') {
    throw new InvalidRequestError(problem, `account.name may not contain "${naming.reservedWord}"`, { param: 'account.name' });
  }
  if (problem === 'account_name_unrecognizable') {
    throw new InvalidRequestError(
      problem,
      `the first ${recognizableWindowLength} characters of account.name must read as a name on a card statement (at least ${minimumLetters} letters, no reference ids)`,
      { param: 'account.name' },
    );
  }
  const name = requested.trim();
  return { name, statementDescriptor: statementDescriptorFor(name, naming) };
}

export function statementDescriptorFor(name: string, naming: StatementNaming): string {
  return `${naming.descriptorPrefix}${name}`;
}
