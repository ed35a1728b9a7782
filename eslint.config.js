// Type-aware lint: `pnpm lint`, run by .ci/run between the build and the tests.
// TypeScript files are linted with the types of their package's tsconfig.json
// (the project service finds it); the plain JS test fixtures and scripts/ without.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['**/dist/', '**/node_modules/', '.turbo/', 'benchmarks/results/']),
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Type-only imports on `import type` lines of their own, as the code has them:
      // with verbatimModuleSyntax an inline `type` would still leave the import in the output.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      // node:test's test() and describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // `async` with no `await` is how this code meets Promise-returning interfaces
      // (a transport's start and close, prom-client's get, async sources); a missing await
      // on a promise is no-floating-promises' and no-misused-promises' to find.
      '@typescript-eslint/require-await': 'off',
      // Passing on a rejection reason as it came (`unknown`) is not inventing a non-Error one.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A name that starts with `_` is unused on purpose; so is the rest sibling
      // that leaves a field out of a copy (`const { timeline, ...summary } = run`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
]);
