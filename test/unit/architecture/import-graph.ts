// The import graph of the TypeScript sources, read with the compiler's own
// pre-processor (no type checking): what each file imports, resolved to paths
// relative to the repository root. Used by the architecture test to keep the
// layering of functions/ true as the code grows.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

export type ImportGraph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(root, path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `#functions/x.ts` and `./x.ts` to a root-relative path; bare package names to undefined. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const alias = /^#(functions|local|lib)\/(.*)$/.exec(specifier);
  if (alias) return normalize(join(alias[1]!, alias[2]!));
  if (specifier.startsWith('.')) return normalize(join(dirname(from), specifier));
  return undefined;
}

export function importGraph(root: string, dirs: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap((dir) => sourceFiles(root, dir))) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = info.importedFiles.map((f) => resolveSpecifier(file, f.fileName)).filter((t): t is string => t !== undefined);
    graph.set(relative('.', file), [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle's files, each cycle once (Tarjan's strongly connected components larger than one, or self-loops). */
export function cycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    lowLink.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexOf.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, indexOf.get(next)!));
      }
    }
    if (lowLink.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

/** The specifiers a file's code loads: static imports and re-exports (not `import type`/`export type`, which no bundle carries) and `import('...')`. */
function valueImportsOf(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly && ts.isStringLiteral(statement.moduleSpecifier)) {
      found.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      found.push(statement.moduleSpecifier.text);
    }
  }
  for (const match of source.text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

/**
 * Every package a bundle built from `entry` can contain: the bare specifiers reached
 * by following the value imports of our own files from the entry (a superset of what
 * esbuild keeps, so "not reached" here means "not in the bundle").
 */
export function packagesReachedFrom(root: string, entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [normalize(entry)];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of valueImportsOf(join(root, file))) {
      const target = resolveSpecifier(file, specifier);
      if (target !== undefined) queue.push(target);
      else if (!specifier.startsWith('node:') && !packages.has(specifier)) packages.set(specifier, file);
    }
  }
  return packages;
}
