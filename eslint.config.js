// ESLint: the habits the compiler does not check, with the types it knows (`npm run lint`, CI).
// In an event-driven service a promise nobody awaits is a failure nobody hears of, so the rules about
// promises are errors; each place where one may float on purpose says why with `void` and a comment.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.stack/', 'bench/results/', 'chaos/results/', 'simulator-output/'] },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: dirname(fileURLToPath(import.meta.url)) },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // The commands a person runs in a terminal print to it by design: their output is the report.
    files: ['launcher/**', 'bench/**', 'chaos/**', 'simulator/**', 'exporter/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The configuration files in plain JavaScript run in Node, outside the TypeScript project.
    files: ['*.js', '*.cjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard's script runs in the browser, served as it is.
    files: ['webserver/dashboard/page/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
