// Two projects: `unit` (one module at a time, beside the code) and `integration` (a real JupyterHub, proxy and
// service, started by the tests). `npm test` runs both; `npm run test:unit` is the fast loop.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', isolatedModules: true }] };
// Tests use the packages' sources, not their builds.
const moduleNameMapper = { '^@coursework/client$': '<rootDir>/packages/client/src/index.ts' };

module.exports = {
  // Integration files start their own Hub (on free ports), which takes a few seconds.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/service/src/**/*.test.ts', '<rootDir>/packages/*/src/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/service/test/integration/**/*.test.ts'],
    },
  ],
};
