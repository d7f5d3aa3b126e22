import fc from 'fast-check';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import { acceptAccountName as accept, accountNameProblem as problemOf, statementDescriptorFor as descriptorFor, type StatementNaming } from '#functions/domain/account-name.ts';

/** WePay's, as its adapter supplies them. */
const naming: StatementNaming = { descriptorPrefix: 'WPY*', reservedWord: 'wepay' };
const acceptAccountName = (name: string) => accept(name, naming);
const accountNameProblem = (name: string) => problemOf(name, naming);
const statementDescriptorFor = (name: string) => descriptorFor(name, naming);

function codeOf(name: string): string | undefined {
  try {
    acceptAccountName(name);
    return undefined;
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    expect(error.param).toBe('account.name');
    return error.code;
  }
}

describe('acceptAccountName', () => {
  it.each([
    'Blue Bottle Cafe',
    'Cafe 24',
    "Joe's Diner No 5",
    'Since 1987 Bakery',
    'Route 66 2024 Diner',
    '7-Eleven',
    '24/7 Fitness',
    'Decaf1 Roasters',
    'Facade Studio',
    'Café Ñandú',
    'Abc',
    'Deli', // letters only, few of them but three
  ])('accepts the recognizable name %j', (name) => {
    expect(codeOf(name)).toBeUndefined();
  });

  it.each([
    ['XY', 'fewer than 3 letters'],
    ['12 AB', 'fewer than 3 letters'],
    ['', 'no letters'],
    ['a1b2c3d4e5f6 Shop', 'a hex-like run'],
    ['3fa85f Coffee', 'a hex-like run'],
    ['550e8400-e29b Coffee', 'a UUID fragment'],
    ['Shop e29b-41d4 Coffee', 'a UUID fragment inside the window'],
    ['abcdefab-cdef-4abc-8def-abcdefabcdef', 'a UUID without digits in its first groups'],
    ['12345678 Store', 'a digit run'],
    ['Pizza 555-1234', 'a dashed digit run'],
    ['2024-05-01 Shop', 'a date'],
    ['Order 0xdeadbeef', 'a hex literal'],
  ])('refuses %j as unrecognizable (%s)', (name) => {
    expect(codeOf(name)).toBe('account_name_unrecognizable');
  });

  it('looks only at the first 14 characters for reference ids', () => {
    expect(codeOf('Blue Bottle Cafe 12345678')).toBeUndefined();
    expect(codeOf('Blue 12345678 Cafe')).toBe('account_name_unrecognizable');
  });

  it.each(['WePay Coffee', 'My wepay shop', 'Coffee by WEPAY', 'ｗｅｐａｙ Cafe'])(
    'refuses %j as invalid because it contains "wepay"',
    (name) => {
      expect(codeOf(name)).toBe('account_name_invalid');
    },
  );

  it('reports "wepay" before an unrecognizable start', () => {
    expect(codeOf('12345678 wepay')).toBe('account_name_invalid');
  });

  it('returns the trimmed name and its statement descriptor', () => {
    expect(acceptAccountName('  Blue Bottle Cafe ')).toEqual({
      name: 'Blue Bottle Cafe',
      statementDescriptor: 'WPY*Blue Bottle Cafe',
    });
    expect(statementDescriptorFor('Cafe 24')).toBe('WPY*Cafe 24');
  });

  it('refuses any name containing "wepay" in any letter case', () => {
    const anyCase = fc
      .array(fc.boolean(), { minLength: 5, maxLength: 5 })
      .map((upper) => [...'wepay'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
    fc.assert(
      fc.property(fc.string(), anyCase, fc.string(), (before, wepay, after) => {
        return accountNameProblem(before + wepay + after) === 'account_name_invalid';
      }),
    );
  });

  it('refuses any name that starts with a UUID, cut anywhere past its first group', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 9, max: 36 }), fc.constantFrom('', ' Coffee', ' Blue Bottle Cafe'), (uuid, cut, rest) => {
        const problem = accountNameProblem(uuid.slice(0, cut) + rest);
        return problem === 'account_name_unrecognizable';
      }),
    );
  });

  it('refuses any name that starts with 5 or more digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{5,12}$/), fc.constantFrom('', ' Store', ' Blue Bottle'), (digits, rest) => {
        return accountNameProblem(digits + rest) === 'account_name_unrecognizable';
      }),
    );
  });

  it('accepts any name of plain words with short numbers', () => {
    const word = fc.stringMatching(/^[G-Zg-z][a-z]{2,8}$/);
    const shortNumber = fc.integer({ min: 0, max: 9999 }).map(String);
    fc.assert(
      fc.property(word, fc.array(fc.oneof(word, shortNumber), { maxLength: 4 }), (first, rest) => {
        return accountNameProblem([first, ...rest].join(' ')) === undefined;
      }),
    );
  });
});
