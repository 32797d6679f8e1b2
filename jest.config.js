const fs = require('node:fs');
const path = require('node:path');

// Projects: `unit` (one module at a time, beside the code), `app` (the whole Koa app in the test's process, with a
// stand-in for the Hub) and `integration` (a real JupyterHub, proxy and service, started by the tests), each also on
// PostgreSQL (`:postgres`).
// `npm test` runs them all; `npm run test:unit` is the fast loop.
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
    // Kysely ships ECMAScript modules only; Node 24 requires them natively, but jest's module loader needs them
    // compiled to CommonJS (or a flag on every run).
    '/node_modules/kysely/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' }, isolatedModules: true }],
  },
  transformIgnorePatterns: ['/node_modules/(?!kysely/)'],
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

// The catalog's and the domains' tests run on SQLite and again on a real PostgreSQL: every test file that opens
// its catalog through the test helper, and every app test (the app's catalog follows the same helper).
const catalogTests = (dir) =>
  fs
    .readdirSync(path.join(__dirname, dir), { recursive: true })
    .filter((file) => file.endsWith('.test.ts'))
    .filter((file) => fs.readFileSync(path.join(__dirname, dir, file), 'utf8').includes('test/support/test-catalog'))
    .map((file) => `<rootDir>/${dir}/${file}`);
const onPostgres = {
  globals: { COURSEWORK_TEST_CATALOG: 'postgres' },
  globalSetup: '<rootDir>/service/test/support/postgres-global.ts',
  globalTeardown: '<rootDir>/service/test/support/postgres-global-teardown.ts',
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
    { ...common, ...onPostgres, displayName: 'unit:postgres', testMatch: catalogTests('service/src') },
    {
      ...common,
      ...onPostgres,
      displayName: 'app:postgres',
      testMatch: ['<rootDir>/service/test/app/**/*.test.ts'],
      // Upgrading a catalog file an older release left behind concerns SQLite only.
      testPathIgnorePatterns: ['/upgrade\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/service/test/integration/**/*.test.ts'],
    },
    {
      ...common,
      ...onPostgres,
      displayName: 'integration:postgres',
      testMatch: ['<rootDir>/service/test/integration/**/*.test.ts'],
      // These read or damage the SQLite file itself (a full disk under it, a kill mid-write); the replicas run on
      // PostgreSQL already.
      testPathIgnorePatterns: ['/(crash-resume|crash-writes|disk-full|replicas)\\.test\\.ts$'],
    },
  ],
};
