// The house rules of functions/ as a test: no import cycles, and every arrow
// points down the layers (handlers → app → domain; adapters → ports → domain;
// routes.ts and http/ depend on domain, never the reverse). A new file that
// breaks a rule fails here with the offending import named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cycles, importGraph } from './import-graph.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const graph = importGraph(root, ['functions', 'local', 'lib', 'bin']);

/** functions/<layer>/... or functions/<file>.ts → the layer's name; outside functions/, the top folder. */
function layerOf(file: string): string {
  const [top, second] = file.split('/');
  if (top !== 'functions') return top!;
  return second!.replace(/\.ts$/, '');
}

/** What each layer of functions/ may import (besides itself). */
const allowed: Record<string, readonly string[]> = {
  domain: [],
  ports: ['domain'],
  app: ['ports', 'domain'],
  adapters: ['ports', 'domain', 'config', 'observability'],
  config: ['domain'],
  observability: ['domain'],
  routes: ['http', 'domain'],
  // wiring: http-handler.ts takes the audit log from it, so every route is audited without its handler passing it.
  http: ['app', 'ports', 'domain', 'routes', 'config', 'observability', 'wiring'],
  // The composition root composes: it may hand app/ the renderers of http/ (events' data.object).
  wiring: ['adapters', 'app', 'ports', 'domain', 'http', 'routes', 'config', 'observability'],
  handlers: ['http', 'app', 'ports', 'domain', 'wiring', 'routes', 'config', 'observability'],
};

describe('the import graph', () => {
  it('reads every layer of functions/', () => {
    const layers = new Set([...graph.keys()].filter((f) => f.startsWith('functions/')).map(layerOf));
    expect([...layers].sort()).toEqual(Object.keys(allowed).sort());
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has only downward arrows inside functions/', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      if (!file.startsWith('functions/')) continue;
      const from = layerOf(file);
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !allowed[from]?.includes(to)) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps local-only and infrastructure code out of the Lambda code', () => {
    const leaks = [...graph].flatMap(([file, targets]) =>
      file.startsWith('functions/') ? targets.filter((t) => t.startsWith('local/') || t.startsWith('lib/')).map((t) => `${file} → ${t}`) : [],
    );
    expect(leaks).toEqual([]);
  });

  // The provider port speaks our domain; a second provider is one more adapter (docs/providers.md).
  it("keeps WePay's name inside its adapter, its wiring and the configuration", () => {
    const allowedPlaces = [/^functions\/adapters\/providers\/wepay\//, /^functions\/wiring\/provider(-notifications)?\.ts$/, /^functions\/config\.ts$/];
    const mentions = [...graph.keys()]
      .filter((file) => file.startsWith('functions/') && !allowedPlaces.some((place) => place.test(file)))
      .filter((file) => /wepay/i.test(readFileSync(join(root, file), 'utf8')));
    expect(mentions).toEqual([]);
  });
});
