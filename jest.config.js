// Three projects: `unit` (one module at a time, beside the code), `app` (the whole Koa app in the test's process,
// with a stand-in for the Hub) and `integration` (a real JupyterHub, proxy and service, started by the tests).
// `npm test` runs them all; `npm run test:unit` is the fast loop.
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  // Tests use the packages' sources, not their builds.
  moduleNameMapper: { '^@coursework/client$': '<rootDir>/packages/client/src/index.ts' },
  // The venv and the demo hold package.json files of their own (JupyterLab's), which jest must not index; nor the
  // built JupyterLab extension, a copy of its package's package.json.
  modulePathIgnorePatterns: [
    '<rootDir>/.venv/',
    '<rootDir>/.demo/',
    '<rootDir>/ui-tests/',
    '<rootDir>/packages/lab-extension/labextension/',
  ],
};

module.exports = {
  // Integration files start their own Hub (on free ports), which takes a few seconds.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/service/src/**/*.test.ts', '<rootDir>/packages/*/src/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'app',
      testMatch: ['<rootDir>/service/test/app/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/service/test/integration/**/*.test.ts'],
    },
  ],
};
