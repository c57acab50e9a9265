// Bundles the extension client, the language server and the `ftw` CLI with esbuild.
// Type-checking is `tsc -b`; this step only produces the shipped JavaScript in dist/.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
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

// The web extension (vscode.dev, github.dev): the same language server in a web worker, and a client without Node.
await buildWeb();

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

/**
 * dist/web/server.js: server/src/web/worker.ts bundled for a browser's web worker. The server's modules that read
 * files at start (schemaFiles.ts, pythonParser.ts) are swapped for web/ ones that carry the schemas, their validators
 * and the tree-sitter WASM inside the bundle, and codeCache.ts for one without a cache; Node's built-ins are swapped for web/shims/ (no file but
 * the open documents, nothing run); vscode-languageserver/node for its browser build. dist/web/client.js: the
 * extension's `browser` entry (client/src/web/extension.ts).
 */
async function buildWeb() {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
  const shim = (name) => join(root, 'server', 'src', 'web', 'shims', `${name}.ts`);
  const builtins = {
    fs: shim('fs'),
    'fs/promises': shim('fs'),
    os: shim('os'),
    url: shim('url'),
    child_process: shim('childProcess'),
    path: join(root, 'server', 'src', 'core', 'common', 'paths.ts'),
  };
  const serverDir = join(root, 'server', 'src');
  const web = {
    name: 'ftw-web',
    setup(b) {
      b.onResolve({ filter: /^(?:node:)?[a-z_/]+$/ }, (args) => {
        const name = args.path.replace(/^node:/, '');
        if (builtins[name]) return { path: builtins[name] };
        if (args.path.startsWith('node:')) return { errors: [{ text: `${args.path} has no browser stand-in (client/build.mjs, buildWeb)` }] };
        return undefined;
      });
      b.onResolve({ filter: /^\.\/(?:schemaFiles|pythonParser|codeCache)$/ }, (args) =>
        args.importer && dirname(args.importer) === serverDir ? { path: join(serverDir, 'web', `${args.path.slice(2)}.ts`) } : undefined,
      );
      // The two WASM files by package path (the alias of web-tree-sitter to its CommonJS file would catch them).
      b.onResolve({ filter: /^[\w-]+\/[\w-]+\.wasm$/ }, (args) => ({ path: require.resolve(args.path) }));
      b.onResolve({ filter: /^ftw-web:schemas$/ }, () => ({ path: 'schemas', namespace: 'ftw-web' }));
      b.onLoad({ filter: /.*/, namespace: 'ftw-web' }, () => ({ contents: schemasModule(root), resolveDir: root, loader: 'js' }));
    },
  };
  const browser = { ...common, platform: 'browser', target: 'es2022', format: 'iife' };
  // The client's shared modules import vscode-languageclient/node for types and two constants: the browser build.
  const browserClient = {
    name: 'ftw-web-client',
    setup(b) {
      b.onResolve({ filter: /^vscode-languageclient\/node$/ }, () => ({ path: require.resolve('vscode-languageclient/browser') }));
      b.onResolve({ filter: /^(?:node:)?[a-z_/]+$/ }, (args) =>
        args.path.startsWith('node:') || builtins[args.path]
          ? { errors: [{ text: `${args.path}: the web client runs in a browser (client/build.mjs, buildWeb)` }] }
          : undefined,
      );
    },
  };
  await Promise.all([
    build({
      ...browser,
      format: 'cjs',
      entryPoints: ['client/src/web/extension.ts'],
      outfile: 'dist/web/client.js',
      external: ['vscode'],
      plugins: [browserClient],
    }),
    build({
      ...browser,
      entryPoints: ['server/src/web/worker.ts'],
      outfile: 'dist/web/server.js',
      alias: { ...serverAliases, 'vscode-languageserver/node': 'vscode-languageserver/browser' },
      inject: [join(serverDir, 'web', 'shims', 'globals.ts')],
      loader: { '.wasm': 'binary' },
      plugins: [web],
    }),
  ]);
}

/** The virtual module `ftw-web:schemas`: every schema with the validator compiled from it, checked by SHA-256 here. */
function schemasModule(root) {
  const lines = [];
  const entries = [];
  for (const file of readdirSync(join(root, 'schemas')).sort()) {
    const m = /^(.+)\.schema\.json$/.exec(file);
    if (!m) continue;
    const schemaPath = join(root, 'schemas', file);
    const validatorPath = join(root, 'dist', 'validators', `${m[1]}.js`);
    const hash = createHash('sha256').update(readFileSync(schemaPath, 'utf8')).digest('hex');
    if (require(validatorPath).sourceHash !== hash) throw new Error(`${validatorPath} was not compiled from ${schemaPath} (SHA-256 differs)`);
    const i = entries.length;
    lines.push(`import schema${i} from ${JSON.stringify(schemaPath)};`, `import validator${i} from ${JSON.stringify(validatorPath)};`);
    entries.push(`${JSON.stringify(m[1])}: { schema: schema${i}, validator: validator${i} }`);
  }
  return `${lines.join('\n')}\nexport const SCHEMAS = { ${entries.join(', ')} };\n`;
}
