// The language servers the benchmarks drive, and where the repository's files are.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { ServerSpec } from './lspSession';

/** Repository root: this file runs as out/test/bench/servers.js. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const outDir = path.join(repoRoot, 'out', 'bench');
export const fixtureDir = path.join(outDir, 'fixtures');
export const schemaDir = path.join(repoRoot, 'schemas');
export const axolotlSchemaPath = path.join(schemaDir, 'axolotl.schema.json');
export const ourServerPath = path.join(repoRoot, 'dist', 'server.js');

/**
 * Which build of our server dist/ holds: the packaged one (`node client/build.mjs --production`, minified, what the
 * .vsix ships and what `npm run bench` builds) or `npm run compile`'s (not minified, with source maps). Start-up and
 * first-open figures differ between them (V8 parses and compiles less text), so every report names it.
 */
export function ourServerBuild(): string {
  try {
    const tail = fs.readFileSync(path.join(repoRoot, 'dist', 'server-main.js'), 'utf8').slice(-512);
    return tail.includes('sourceMappingURL=') ? 'development build (npm run compile: not minified)' : 'production build (minified, as packaged)';
  } catch {
    return 'not built';
  }
}
export const vsixPath = path.join(repoRoot, 'dist', 'finetune-workbench.vsix');
export const activationBenchPath = path.join(repoRoot, 'out', 'test', 'editor', 'activation.bench.js');

export const fileUri = (p: string): string => pathToFileURL(p).toString();

/** Settings our server pulls for section `finetune`; delay 0 turns its debounce off. */
export const ourSettings = {
  validation: { enable: true, delay: 0, maxFileSizeKB: 1024 },
  formatAssociations: {},
};

/**
 * The V8 code cache our server writes after its first diagnostics (server/src/codeCache.ts). The benchmark keeps its
 * own folder rather than the user's ~/.cache: `benchCodeCacheDir` holds what an earlier server on this Node wrote.
 */
export const benchCodeCacheDir = path.join(outDir, 'v8-cache');

const emptyDirs: string[] = [];

/** A new empty folder per call: the server's first-ever run on this machine, nothing compiled before. Removed when
 *  the benchmark exits. */
export function emptyCodeCacheDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftw-bench-v8-cache-'));
  if (!emptyDirs.length) process.on('exit', () => emptyDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  emptyDirs.push(dir);
  return dir;
}

/** Our server as it starts the first time ever on a machine (empty code cache), and as every later process does. */
export const OURS_FIRST_EVER = 'finetune-workbench (first-ever run: empty code cache)';

export function ourServerFirstEver(): ServerSpec {
  return { ...ourServer([], 0, emptyCodeCacheDir), name: OURS_FIRST_EVER };
}

/** `finetune.validation.delay` as the extension ships it (package.json). */
export const OUR_DEFAULT_DELAY_MS = 200;

/**
 * Our server with debounce `delayMs` (0 unless stated: the like-for-like figure). `nodeArgs`, e.g.
 * ['--cpu-prof', '--cpu-prof-dir=out/bench/prof'], profile the server process.
 */
export function ourServer(nodeArgs: string[] = [], delayMs = 0, codeCacheDir: () => string = () => benchCodeCacheDir): ServerSpec {
  return {
    name: delayMs === 0 ? 'finetune-workbench' : `finetune-workbench (delay ${delayMs})`,
    command: process.execPath,
    args: [...nodeArgs, ourServerPath, '--stdio'],
    env: () => ({ FTW_CODE_CACHE_DIR: codeCacheDir() }),
    settings: { finetune: { ...ourSettings, validation: { ...ourSettings.validation, delay: delayMs } } },
    debounceMs: delayMs,
    // Our server validates only formats it recognises, so any diagnostic on an Axolotl file is a config check.
    isSchemaDiagnostic: () => true,
  };
}

/**
 * yaml-language-server settings that associate our Axolotl schema with the fixture files. The schema store is
 * off (no network, and it would add unrelated schemas); YAML 1.1 because Axolotl reads configs with PyYAML.
 */
export function yamlLsSettings(fileNames: string[]): Record<string, unknown> {
  return {
    yaml: {
      validate: true,
      hover: false,
      completion: false,
      format: { enable: false },
      schemaStore: { enable: false },
      kubernetesCRDStore: { enable: false },
      yamlVersion: '1.1',
      schemas: { [fileUri(axolotlSchemaPath)]: fileNames },
    },
    http: { proxy: '', proxyStrictSSL: false },
    '[yaml]': {},
    editor: {},
  };
}

const yamlLsSchemaSource = (d: Diagnostic): boolean => typeof d.source === 'string' && d.source.startsWith('yaml-schema');

/** yaml-language-server as users get it: a fixed 200 ms debounce before every validation. */
export function yamlLsShipped(fileNames: string[]): ServerSpec {
  return {
    name: 'yaml-language-server',
    command: process.execPath,
    args: [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'],
    settings: yamlLsSettings(fileNames),
    debounceMs: 200,
    isSchemaDiagnostic: yamlLsSchemaSource,
  };
}

/** The same server with the debounce patched to 0 ms (see yamlLsNoDebounce.ts): the like-for-like comparison. */
export function yamlLsNoDebounce(fileNames: string[]): ServerSpec {
  return {
    name: 'yaml-language-server (debounce 0)',
    command: process.execPath,
    args: [path.join(__dirname, 'yamlLsNoDebounce.js'), '--stdio'],
    settings: yamlLsSettings(fileNames),
    debounceMs: 0,
    isSchemaDiagnostic: yamlLsSchemaSource,
  };
}

export function yamlLsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('yaml-language-server/package.json') as { version: string }).version;
}
