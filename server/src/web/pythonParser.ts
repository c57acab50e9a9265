// The web worker's Python parser: the same tree-sitter, its two WASM files carried inside dist/web/server.js
// (esbuild's binary loader, client/build.mjs), so nothing is fetched from the extension's URI.
import runtime from 'web-tree-sitter/tree-sitter.wasm';
import grammar from 'tree-sitter-python/tree-sitter-python.wasm';
import type { PythonParser } from '../core/common/python';
import { createPythonParser } from '../treeSitterPython';

let loading: Promise<PythonParser> | undefined;

export function loadPythonParser(): Promise<PythonParser> {
  loading ??= createPythonParser({ bytes: runtime }, grammar);
  return loading;
}
