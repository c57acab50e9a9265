import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { PythonParser } from './core/lightning/python';

/**
 * Loads tree-sitter and its Python grammar from WASM files shipped with us: next to the bundle in dist/ (the
 * .vsix), else from node_modules (tests). Nothing is downloaded. Resolves once; later calls share the parser.
 */
let loading: Promise<PythonParser> | undefined;

function findWasm(file: string, packageFile: string): string {
  const local = join(__dirname, file);
  if (existsSync(local)) return local;
  return require.resolve(packageFile);
}

export function loadPythonParser(): Promise<PythonParser> {
  loading ??= (async () => {
    const runtime = findWasm('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm');
    await Parser.init({ locateFile: () => runtime });
    const language = await Language.load(findWasm('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return {
      parse: (text, old) => parser.parse(text, old ?? null) ?? undefined,
    } satisfies PythonParser;
  })();
  return loading;
}
