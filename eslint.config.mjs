// ESLint for the TypeScript sources (`npm run lint`, checked by .ci/run): typescript-eslint's type-aware recommended
// rules, which catch floating promises and unsafe `any`, and the import rules of DESIGN §2 that the code keeps today.
import tseslint from 'typescript-eslint';

/** node:test's describe/it/test/hooks return promises the runner awaits itself. */
const NODE_TEST = { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] };

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', '**/.cache/**', '.test-tmp/**', 'test/editor/.cache/**', 'action/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [NODE_TEST] }],
      // async is part of the signatures VS Code (activate, CustomExecution), node:test and our request table expect.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The core is the editor-independent engine: no VS Code API and no LSP connection (DESIGN §2).
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'The core runs outside VS Code (CLI, Neovim): no VS Code API here.' },
            { name: 'vscode-languageserver', message: 'The core does not talk to the LSP connection; the server (server/src/*.ts) does.' },
            { name: 'vscode-languageserver/node', message: 'The core does not talk to the LSP connection; the server (server/src/*.ts) does.' },
          ],
        },
      ],
    },
  },
);
