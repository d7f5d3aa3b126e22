// A body holding any string or number of 13–19 digits (spaces and dashes
// ignored) that passes the Luhn check is raw card data.
import fc from 'fast-check';
import { containsCardNumber, maskCardNumbers, passesLuhn, valueContainsCardNumber } from '#functions/domain/card-data.ts';

/** Appends the Luhn check digit to a digit string. */
function withCheckDigit(payload: string): string {
  for (let d = 0; d <= 9; d++) if (passesLuhn(`${payload}${d}`)) return `${payload}${d}`;
  throw new Error('unreachable');
}

const visa = '4242424242424242';

describe('Luhn', () => {
  it.each(['4242424242424242', '4000000000000002', '5555555555554444', '378282246310005', '4222222222222', '79927398713'])('%s passes', (n) => {
    expect(passesLuhn(n)).toBe(true);
  });

  it.each(['4242424242424241', '4000000000000003', '79927398710'])('%s fails', (n) => {
    expect(passesLuhn(n)).toBe(false);
  });

  it('changing any one digit of a valid number breaks the check', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: visa.length - 1 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
        const digit = (Number(visa[position]) + delta) % 10;
        expect(passesLuhn(`${visa.slice(0, position)}${digit}${visa.slice(position + 1)}`)).toBe(false);
      }),
    );
  });
});

describe('what counts as a card number', () => {
  it.each([13, 14, 15, 16, 17, 18, 19])('a Luhn-valid run of %i digits', (length) => {
    expect(containsCardNumber(withCheckDigit('4'.padEnd(length - 1, '1')))).toBe(true);
  });

  it.each([12, 20, 21])('not a Luhn-valid run of %i digits', (length) => {
    expect(containsCardNumber(withCheckDigit('4'.padEnd(length - 1, '1')))).toBe(false);
  });

  it('not a 16-digit run that fails Luhn', () => {
    expect(containsCardNumber('4242424242424241')).toBe(false);
  });

  it.each(['4242 4242 4242 4242', '4242-4242-4242-4242', '4242 4242-4242 4242', '4 2 4 2 4 2 4 2 4 2 4 2 4 2 4 2', '3782 822463 10005'])(
    'spaces and dashes are ignored: %s',
    (text) => {
      expect(containsCardNumber(text)).toBe(true);
    },
  );

  it.each([`card:${visa};`, `pay with ${visa} please`, `(${visa})`, `"${visa}"`, `4242 4242 4242 4242 exp 12/30`])('a run embedded in text: %s', (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([`ref-${visa}`, `x${visa}y`, `${visa}_v2`, `a1234567-8901-2345-6789-abcdef012345`])('a run glued into an identifier is not a card: %s', (text) => {
    expect(containsCardNumber(text)).toBe(false);
  });

  it('no random UUID is taken for a card', () => {
    fc.assert(fc.property(fc.uuid(), (uuid) => !containsCardNumber(uuid) && !containsCardNumber(`order-${uuid}`)), { numRuns: 20_000 });
  });

  it('a longer run that contains a card number is an id, not a card', () => {
    expect(containsCardNumber(`0000${visa}`)).toBe(false);
    expect(containsCardNumber(`${visa}${visa}`)).toBe(false);
  });

  it('ordinary text, amounts, dates and ids are not card numbers', () => {
    for (const text of ['order-7f3a-1', '10400', '2026-11-21T00:00:00Z', 'acc_0123456789', 'Two coffees', '']) {
      expect(containsCardNumber(text)).toBe(false);
    }
  });
});

describe('card numbers inside JSON values', () => {
  it('a string', () => {
    expect(valueContainsCardNumber('4242 4242 4242 4242')).toBe(true);
  });

  it('a number', () => {
    expect(valueContainsCardNumber(4242424242424242)).toBe(true);
    expect(valueContainsCardNumber(4242424242424241)).toBe(false);
    expect(valueContainsCardNumber(10400)).toBe(false);
  });

  it('nested in objects and arrays, at any depth', () => {
    expect(valueContainsCardNumber({ payment_method: { credit_card: { id: visa } } })).toBe(true);
    expect(valueContainsCardNumber({ items: [{ notes: ['fine', { n: 4242424242424242 }] }] })).toBe(true);
    expect(valueContainsCardNumber([[[`#${visa}`]]])).toBe(true);
  });

  it('30,000 nested arrays are scanned without overflowing the stack, and a card at the bottom is found', () => {
    let deep: unknown = ['fine'];
    for (let i = 0; i < 30_000; i++) deep = [deep];
    expect(valueContainsCardNumber(deep)).toBe(false);
    let carded: unknown = { n: 4242424242424242 };
    for (let i = 0; i < 30_000; i++) carded = { a: carded };
    expect(valueContainsCardNumber(carded)).toBe(true);
  });

  it('as an object key', () => {
    expect(valueContainsCardNumber({ [visa]: true })).toBe(true);
  });

  it('a body without one is clean', () => {
    expect(valueContainsCardNumber({ currency: 'USD', amount: 10400, app_fee: 400, ok: true, none: null, list: [1, 2, 'x'] })).toBe(false);
  });

  it('any Luhn-valid 13–19 digit number, however grouped, is found anywhere in a nested value', () => {
    const card = fc
      .tuple(fc.integer({ min: 12, max: 18 }), fc.infiniteStream(fc.integer({ min: 0, max: 9 })))
      .map(([length, digits]) => withCheckDigit(`4${[...digits.take(length - 1)].join('')}`));
    const separator = fc.constantFrom('', ' ', '-');
    fc.assert(
      fc.property(card, separator, fc.string(), fc.string(), (number, sep, before, after) => {
        const grouped = number.match(/.{1,4}/g)!.join(sep);
        // Text around the number must neither extend its digit run nor glue it into an identifier.
        const clean = (s: string) => s.replace(/[A-Za-z0-9 ._-]/g, '~');
        expect(valueContainsCardNumber({ a: [{ b: `${clean(before)}~${grouped}~${clean(after)}` }] })).toBe(true);
      }),
    );
  });
});

describe('masking', () => {
  it('replaces every card number and keeps the rest', () => {
    expect(maskCardNumbers(`paid with 4242 4242 4242 4242 and ${'4000-0000-0000-0002'}, order 10400`)).toBe(
      'paid with [REDACTED CARD] and [REDACTED CARD], order 10400',
    );
  });

  it('keeps nothing of the number', () => {
    const masked = maskCardNumbers(`card=${visa}`);
    expect(masked).toBe('card=[REDACTED CARD]');
    expect(masked).not.toMatch(/4242|\d{4}/);
  });

  it('leaves text without card numbers unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!containsCardNumber(text));
        expect(maskCardNumbers(text)).toBe(text);
      }),
    );
  });

  it('never leaves a card number behind', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => !containsCardNumber(maskCardNumbers(`${a}${visa}${b}`))));
  });
});
