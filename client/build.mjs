// Bundles the extension client, the language server and the `ftw` CLI with esbuild.
// Type-checking is `tsc -b`; this step only produces the shipped JavaScript in dist/.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildValidators } from '../schemas/tools/validators.mjs';

const require = createRequire(import.meta.url);

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

// web-tree-sitter's ES module build reads import.meta.url, which a CommonJS bundle does not have: use its
// CommonJS build instead.
const serverAliases = { 'web-tree-sitter': require.resolve('web-tree-sitter') };

await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  // dist/server.js is a small loader (server/src/boot.ts) that compiles the server, dist/server-main.js, with a V8
  // code cache written on first use (server/src/codeCache.ts).
  build({ ...common, entryPoints: ['server/src/boot.ts'], outfile: 'dist/server.js' }),
  // No `import()` left in it: V8 drops a script's dynamic-import callback when the script comes from a code cache
  // ("A dynamic import callback was not specified"), so esbuild turns web-tree-sitter's `import('fs/promises')` into
  // a require.
  build({ ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server-main.js', alias: serverAliases, supported: { 'dynamic-import': false } }),
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', alias: serverAliases }),
  // The schemas compiled into validators (schemas/tools/validators.mjs): nothing compiles a schema at run time.
  buildValidators({ production }),
  // The loss chart's page (uPlot and our smoothing), loaded by the webview from the extension's dist/ folder.
  build({ ...common, entryPoints: ['client/webview/lossChart.ts'], outfile: 'dist/lossChart.js', platform: 'browser', format: 'iife', target: 'es2020' }),
]);

// tree-sitter's runtime and the Python grammar, next to the server bundle (server/src/pythonParser.ts finds them).
mkdirSync('dist', { recursive: true });
// uPlot's stylesheet (legend, cursor, zoom selection) next to the chart's script.
for (const [from, to] of [
  ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter.wasm'],
  ['tree-sitter-python/tree-sitter-python.wasm', 'tree-sitter-python.wasm'],
  ['uplot/dist/uPlot.min.css', 'uPlot.min.css'],
]) {
  copyFileSync(require.resolve(from), `dist/${to}`);
}
