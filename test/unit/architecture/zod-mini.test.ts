// Lambda code validates with zod/mini: classic zod's schemas carry every method and the
// JSON Schema generator on their prototype, so one classic import puts ~96 KiB of zod in a
// bundle that zod/mini keeps near 38 KiB (bench/bundle-size.ts measures it).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packagesReachedFrom } from './import-graph.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const handlers = readdirSync(new URL('../../../functions/handlers/', import.meta.url)).filter((f) => f.endsWith('.ts'));
/** zod's tree-shakable entry points: the mini API, its English messages, the core types. */
const allowed = new Set(['zod/mini', 'zod/locales', 'zod/v4/core']);

describe('zod in the Lambda bundles', () => {
  it.each(handlers)('%s reaches zod only through zod/mini', (handler) => {
    const reached = packagesReachedFrom(root, `functions/handlers/${handler}`);
    const classic = [...reached].filter(([name]) => (name === 'zod' || name.startsWith('zod/')) && !allowed.has(name)).map(([name, from]) => `${name} (imported by ${from})`);
    expect(classic).toEqual([]);
  });

  it('follows the handlers to their schemas (the walk reaches zod/mini)', () => {
    expect([...packagesReachedFrom(root, 'functions/handlers/checkouts-create.ts').keys()]).toContain('zod/mini');
  });
});
