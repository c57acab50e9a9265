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
      parse: (text, old) => {
        // The parser reads the text through a callback: given the string, web-tree-sitter copies all that is left
        // of it (up to its 10 KB buffer) into WASM at every read, and an incremental parse reads at every place it
        // re-lexes. Short slices make those reads cheap (an edit of a 10,000-line file: 2 ms instead of 5-6).
        // Afterwards the tree reads node texts through the same callback: then it hands out the rest of the text.
        let parsing = true;
        const tree = parser.parse((index) => (parsing ? text.slice(index, index + 512) : text.slice(index)), old ?? null) ?? undefined;
        parsing = false;
        return tree;
      },
    } satisfies PythonParser;
  })();
  return loading;
}
