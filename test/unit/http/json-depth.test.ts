// The nesting limit of the API contract (deeper than 32 levels is body_unparseable), measured
// on the text in one pass.
import fc from 'fast-check';
import { jsonNestsDeeperThan, maxJsonDepth } from '#functions/http/json-depth.ts';

const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

it('32 levels pass, 33 do not', () => {
  expect(maxJsonDepth).toBe(32);
  expect(jsonNestsDeeperThan(nestedArrays(32))).toBe(false);
  expect(jsonNestsDeeperThan(nestedArrays(33))).toBe(true);
  expect(jsonNestsDeeperThan(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`)).toBe(true);
});

it('brackets inside strings, escaped quotes included, do not count', () => {
  expect(jsonNestsDeeperThan(JSON.stringify({ a: '['.repeat(100), b: 'say \\"[[[[\\"', c: '"{{{{' }))).toBe(false);
  expect(jsonNestsDeeperThan(`{"a":"\\\\"${','.repeat(1)}"b":${nestedArrays(40)}}`)).toBe(true);
});

it('60 KB of brackets is measured without recursion', () => {
  expect(jsonNestsDeeperThan(nestedArrays(30_000))).toBe(true);
});

it('agrees with the depth of any JSON value fast-check makes', () => {
  const depthOf = (value: unknown): number =>
    Array.isArray(value)
      ? 1 + Math.max(0, ...value.map(depthOf))
      : value !== null && typeof value === 'object'
        ? 1 + Math.max(0, ...Object.values(value).map(depthOf))
        : 0;
  fc.assert(
    fc.property(fc.jsonValue({ depthSize: 'large', maxDepth: 40 }), fc.integer({ min: 0, max: 40 }), (value, max) => {
      expect(jsonNestsDeeperThan(JSON.stringify(value), max)).toBe(depthOf(value) > max);
    }),
  );
});
