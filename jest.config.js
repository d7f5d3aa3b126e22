// Three projects, each runnable alone: `npm run jest -- --selectProjects unit`.
// Tests run as native ESM (node --experimental-vm-modules); swc only strips types,
// `npm run typecheck` does the type checking.
//
// Timeouts are global: jest ignores `testTimeout` inside a project. They are
// generous because the suite must pass on a loaded machine; no test waits on a
// timer to pass, it waits on a condition (test/support/wait-for.ts).
const swc = ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {},
  testEnvironment: 'node',
  // Drops the handlers' JSON log lines and metrics from the output; captureOutput() still sees them.
  setupFiles: ['<rootDir>/test/support/quiet-output.ts'],
};
export default {
  testTimeout: 300_000,
  // A child process (e.g. `npm start`) still running at the end fails the run.
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
  ],
};
