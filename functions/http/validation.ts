// zod problems → the API's invalid_request errors, with `param` as a dotted path.
import * as z from 'zod/mini';
// The API's messages that are zod's own ("cursor: Too big: expected string to have <=2048
// characters") are English: config.ts sets zod's one global locale when it loads.
import '#functions/config.ts';
import { InvalidRequestError } from '#functions/domain/errors.ts';

type Issue = z.core.$ZodIssue;

function paramOf(path: readonly PropertyKey[]): string | undefined {
  return path.length === 0 ? undefined : path.map(String).join('.');
}

/** For a union, report the branch that came closest (fewest problems). */
function mostSpecificIssue(issue: Issue): Issue {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
    const first = closest?.[0];
    if (first) return mostSpecificIssue({ ...first, path: [...issue.path, ...first.path] } as Issue);
  }
  return issue;
}

export function toInvalidRequest(error: z.core.$ZodError, input: unknown): InvalidRequestError {
  const issue = mostSpecificIssue(error.issues[0]!);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const param = paramOf([...issue.path, key]);
    return new InvalidRequestError('unknown_parameter', `Unknown parameter: ${param}`, { param: param ?? key });
  }
  const param = paramOf(issue.path);
  // Whatever zod calls it (invalid_type, or invalid_value for an enum), a field that is absent is missing.
  if (issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
    return new InvalidRequestError('parameter_missing', `${param} is required`, param ? { param } : {});
  }
  // Messages are our own (fields.ts) or zod's, which never echo the input value.
  const message = issue.message.startsWith(param ?? '\u0000') ? issue.message : `${param ?? 'body'}: ${issue.message}`;
  return new InvalidRequestError('parameter_invalid', message, param ? { param } : {});
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function parseWith<S extends z.core.$ZodType>(schema: S, input: unknown): z.output<S> {
  const result = z.safeParse(schema, input);
  if (!result.success) throw toInvalidRequest(result.error, input);
  return result.data;
}
