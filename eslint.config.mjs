// ESLint for every TypeScript source of the repository (`npm run lint`; `npm test` runs it and fails on an error).
// Formatting is Prettier's alone (eslint-config-prettier turns off the rules that would argue with it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/lib/**',
      '**/node_modules/**',
      '.venv/**',
      'bench/.venv-ngshare/**',
      'bench/.work/**',
      'service/build/**',
      '.test-runs/**',
      'coverage/**',
      'dist/**',
      '.demo/**',
      'packages/lab-extension/labextension/**',
      'ui-tests/test-results/**',
      'ui-tests/playwright-report/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended, prettier],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Names from students' homes and requests are checked for control characters on purpose.
      'no-control-regex': 'off',
    },
  },
);
