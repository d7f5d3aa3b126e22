// JSON for money without doubles. A JSON.parse'd 90071992547409.91 is not that
// number (doubles keep ~15.9 significant digits), and Node 20 has no
// JSON.rawJSON, so request bodies are written by stringifyExactJson, which
// copies JsonNumberLiteral text verbatim, and responses are read by
// parseExactJson, which keeps every number as its source text for the caller
// to convert exactly (cents with BigInt, ids as strings).

const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A number that reaches the JSON text exactly as written, e.g. `104.00`. */
export class JsonNumberLiteral {
  constructor(readonly text: string) {
    if (!jsonNumber.test(text)) throw new RangeError('not a JSON number literal');
  }
}

export function stringifyExactJson(value: unknown): string {
  if (value instanceof JsonNumberLiteral) return value.text;
  if (Array.isArray(value)) return `[${value.map((item) => stringifyExactJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members: string[] = [];
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      members.push(`${JSON.stringify(key)}:${stringifyExactJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

const numberChar = /[0-9eE+\-.]/;

/** JSON.parse, except that every number comes back as a string holding its exact source text. */
export function parseExactJson(text: string): unknown {
  let quoted = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // Skip the string, honouring escapes; its content is never touched.
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let end = i;
      while (end < text.length && numberChar.test(text[end]!)) end++;
      const literal = text.slice(i, end);
      if (!jsonNumber.test(literal)) throw new SyntaxError('Invalid number in JSON');
      quoted += `${text.slice(copiedUpTo, i)}"${literal}"`;
      copiedUpTo = end;
      i = end;
    } else {
      i++;
    }
  }
  return JSON.parse(quoted + text.slice(copiedUpTo));
}
