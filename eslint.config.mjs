// ESLint for the TypeScript sources (`npm run lint`, checked by .ci/run): typescript-eslint's type-aware recommended
// rules, which catch floating promises and unsafe `any`, and the import rules of DESIGN §2 that the code keeps today.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** node:test's describe/it/test/hooks return promises the runner awaits itself. */
const NODE_TEST = { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] };

/** The core's features: sibling folders under server/src/core that import one another only through index.ts. */
const FEATURES = ['config', 'generate', 'gpus', 'jobs', 'lightning', 'vram'];

/** What no file of the core may import: the editor and the LSP connection belong to the hosts. */
const HOST_PATHS = [
  { name: 'vscode', message: 'The core runs outside VS Code (CLI, Neovim): no VS Code API here.' },
  { name: 'vscode-languageserver', message: 'The core does not talk to the LSP connection; the server (server/src/*.ts) does.' },
  { name: 'vscode-languageserver/node', message: 'The core does not talk to the LSP connection; the server (server/src/*.ts) does.' },
];

/** Node's built-in modules, `node:fs` or `fs`: the core also runs in a browser's web worker (vscode.dev), where none
 *  exists. File access goes through the host's FileAccess (core/common/host.ts), paths through core/common/paths.ts. */
const NODE_BUILTINS = {
  regex: `^(?:node:.*|(?:${builtinModules.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})(?:/.*)?)$`,
  message:
    'The core runs in a web worker too (docs/architecture.md, "The web build"): no Node built-ins here; read files through FileAccess (core/common/host.ts) and use core/common/paths.ts for paths.',
};

/** A relative import, from any depth, of a module inside one of `features` (its index.ts, written `../vram`, stays allowed). */
function intoFeatures(features) {
  return `^(?:\\./)?(?:\\.\\./)+(?:${features.join('|')})/.`;
}

function coreImportRules() {
  const blocks = [
    { files: ['server/src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: HOST_PATHS, patterns: [NODE_BUILTINS] }] } },
    {
      files: ['server/src/core/common/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: HOST_PATHS,
            patterns: [
              NODE_BUILTINS,
              {
                regex: `^(?:\\.\\./)+(?:${FEATURES.join('|')})(?:/|$)`,
                message: 'The kernel (core/common) is shared by every feature and imports none of them.',
              },
            ],
          },
        ],
      },
    },
  ];
  for (const feature of FEATURES) {
    const others = FEATURES.filter((f) => f !== feature);
    blocks.push({
      files: [`server/src/core/${feature}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: HOST_PATHS,
            patterns: [
              NODE_BUILTINS,
              {
                regex: intoFeatures(others),
                message: `core/${feature} may import another feature only through its index.ts ('../<feature>') or the kernel ('../common/...').`,
              },
            ],
          },
        ],
      },
    });
  }
  // The hosts (the server, the CLI, the web worker: server/src outside core/) use a feature through its index.ts
  // (`./core/vram`, `../core/vram`), like the features do; the kernel (core/common) and the document analysis
  // (core/document) they may use directly.
  blocks.push({
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?:\\./|(?:\\.\\./)+)core/(?:${FEATURES.join('|')})/.`,
              message: "The server and the CLI use a core feature through its index.ts ('./core/<feature>'), not one of its modules (DESIGN §2).",
            },
          ],
        },
      ],
    },
  });
  return blocks;
}

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
  // The core is the editor-independent engine: no VS Code API, no LSP connection (DESIGN §2) and no Node built-in
  // (it runs in the web extension's worker too). Inside it, the
  // shared kernel (core/common) imports no feature, and a feature (core/<feature>) reaches another only through that
  // feature's public index.ts (`../vram`), never one of its modules (`../vram/estimate`): docs/architecture.md.
  // One block per folder, since a later block's no-restricted-imports replaces an earlier one's options.
  ...coreImportRules(),
);
