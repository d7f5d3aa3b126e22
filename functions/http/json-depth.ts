// JSON nested deeper than 32 levels is 400 body_unparseable. Measured on
// the text, before parsing, in one pass without recursion: 64 KiB of `[` costs a
// scan, never a deep structure or a deep call stack anywhere after.

export const maxJsonDepth = 32;

/** True when arrays and objects in the JSON text nest deeper than `max` (strings are skipped). */
export function jsonNestsDeeperThan(text: string, max: number = maxJsonDepth): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
