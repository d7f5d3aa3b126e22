// Raw card numbers never enter the system (PCI DSS). A card number here is a run
// of 13–19 digits, optionally grouped by single spaces or dashes, that passes the
// Luhn check. Runs longer than 19 digits are ids, not cards, and are left alone;
// so are runs glued to letters or digits (directly or by - _ .), which are parts
// of identifiers such as UUIDs: without that rule about one random UUID in 500
// held a Luhn-valid 13–19 digit stretch and was refused as card data.

const digitRun = /(?<![A-Za-z0-9][-_.]?)\d(?:[ -]?\d)*(?![-_.]?[A-Za-z0-9])/g;

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function isCardNumber(run: string): boolean {
  const digits = run.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits);
}

/** True when the text holds a card-number-like run anywhere in it. */
export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(digitRun)) {
    if (isCardNumber(match[0])) return true;
  }
  return false;
}

/**
 * True when any string, number or key inside a parsed JSON value holds a card number.
 * Iterative (an explicit stack), so no nesting depth can overflow the call stack.
 */
export function valueContainsCardNumber(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (containsCardNumber(next)) return true;
    } else if (typeof next === 'number' || typeof next === 'bigint') {
      if (containsCardNumber(String(next))) return true;
    } else if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, item] of Object.entries(next)) {
        if (containsCardNumber(key)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

/** Replaces every card-number-like run, keeping nothing of it. */
export function maskCardNumbers(text: string): string {
  return text.replace(digitRun, (run) => (isCardNumber(run) ? '[REDACTED CARD]' : run));
}
