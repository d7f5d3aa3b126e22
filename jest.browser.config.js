// `npm run test:browser`: the reference checkout page in Debian's Chromium
// (playwright-core). Its own config so that `npm test` stays self-contained.
import base from './jest.config.js';

const common = base.projects[0];
export default {
  ...common,
  displayName: 'browser',
  rootDir: '.',
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  testTimeout: 180000,
  // One browser at a time on a shared machine; each file starts its own runtime and browser.
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/browser/support/require-chromium.js',
};
