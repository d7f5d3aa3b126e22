// The served OpenAPI document is usable as a newcomer would use it: openapi-typescript
// generates TypeScript types from it, and a small client using every route
// (test/openapi-client/client.ts) type-checks against them with tsc. The same client
// fails to compile against a document with a broken schema. In the integration
// project because the generator and the compiler take seconds each.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { handler as openapi } from '#functions/handlers/openapi.ts';
import { invoke, proxyEvent } from '../../support/proxy-event.ts';

// Generating and compiling takes seconds, more on a busy machine.
const compileTimeoutMs = 120_000;
const clientSource = fileURLToPath(new URL('../../openapi-client/client.ts', import.meta.url));

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  noUncheckedIndexedAccess: true,
  allowImportingTsExtensions: true,
  verbatimModuleSyntax: true,
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // The client declares the fetch it uses: no DOM library to parse.
  lib: ['lib.es2023.d.ts'],
  types: [],
};
// The library files are parsed once for every compilation of this file.
const host = ts.createCompilerHost(options);
const libraries = new Map<string, ts.SourceFile | undefined>();
const readSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, language, ...rest) => {
  if (!fileName.includes(`${'/'}lib.`)) return readSourceFile(fileName, language, ...rest);
  if (!libraries.has(fileName)) libraries.set(fileName, readSourceFile(fileName, language, ...rest));
  return libraries.get(fileName);
};

/** Generates the types of `document` next to a copy of the client and returns tsc's diagnostics. */
async function typeCheckClient(document: unknown): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-client-'));
  try {
    // Defaults describe what the server fills in for a request: such fields stay optional to send.
    const generated = astToString(await openapiTS(document as Parameters<typeof openapiTS>[0], { defaultNonNullable: false, silent: true }));
    writeFileSync(join(dir, 'payments-api.ts'), generated);
    copyFileSync(clientSource, join(dir, 'client.ts'));
    const program = ts.createProgram([join(dir, 'client.ts')], options, host);
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
      const file = diagnostic.file ? diagnostic.file.fileName.slice(dir.length + 1) : '';
      return `${file}:${where ? where.line + 1 : '?'} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let served: any;
beforeAll(async () => {
  const reply = await invoke(openapi, proxyEvent({ path: '/v1/openapi.json' }));
  expect(reply.status).toBe(200);
  served = reply.body;
});

it('a client using every route type-checks against the types openapi-typescript generates from the served document', async () => {
  expect(await typeCheckClient(served)).toEqual([]);
}, compileTimeoutMs);

describe('the same client fails to compile when the document is wrong', () => {
  const broken = (change: (document: any) => void) => {
    const document = structuredClone(served);
    change(document);
    return document;
  };

  it('a component that is a reference to itself (the former zod $ref bug)', async () => {
    // openapi-typescript refuses the document outright; had it generated anything, the client would not compile.
    const outcome = await typeCheckClient(broken((d) => (d.components.schemas.Checkout = { $ref: '#/components/schemas/Checkout' }))).then(
      (diagnostics) => (diagnostics.length > 0 ? 'does not compile' : 'compiles'),
      (error: Error) => `refused: ${error.message}`,
    );
    expect(outcome).toMatch(/^(does not compile|refused: .*circular)/i);
  }, compileTimeoutMs);

  it('a response field missing from its schema', async () => {
    const diagnostics = await typeCheckClient(broken((d) => delete d.components.schemas.Checkout.properties.fee));
    expect(diagnostics.join('\n')).toMatch(/client\.ts:\d+ .*'fee'/);
  }, compileTimeoutMs);

  it('an optional request field documented as required', async () => {
    const diagnostics = await typeCheckClient(broken((d) => d.components.schemas.CreateCheckoutRequest.required.push('reference_id')));
    expect(diagnostics.join('\n')).toMatch(/client\.ts:\d+ .*reference_id/);
  }, compileTimeoutMs);

  it('a route missing from the document', async () => {
    const diagnostics = await typeCheckClient(broken((d) => delete d.paths['/v1/checkouts'].get));
    expect(diagnostics.join('\n')).toMatch(/checkouts\.list/);
  }, compileTimeoutMs);
});
