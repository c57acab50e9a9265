import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PythonParser } from './core/common/python';
import { createPythonParser } from './treeSitterPython';

/**
 * Loads tree-sitter and its Python grammar from WASM files shipped with us: next to the bundle in dist/ (the
 * .vsix), else from node_modules (tests). Nothing is downloaded. Resolves once; later calls share the parser.
 * The web worker's bundle has its own (web/pythonParser.ts), with the WASM inside the bundle.
 */
let loading: Promise<PythonParser> | undefined;

function findWasm(file: string, packageFile: string): string {
  const local = join(__dirname, file);
  if (existsSync(local)) return local;
  return require.resolve(packageFile);
}

export function loadPythonParser(): Promise<PythonParser> {
  loading ??= createPythonParser(
    { file: findWasm('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm') },
    findWasm('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm'),
  );
  return loading;
}
