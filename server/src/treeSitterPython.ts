import { Language, Parser } from 'web-tree-sitter';
import type { PythonParser } from './core/common/python';

/**
 * tree-sitter's runtime and its Python grammar, from where the host keeps them: files beside the Node bundle
 * (pythonParser.ts), or bytes inside the web worker's bundle (web/pythonParser.ts). Nothing is downloaded.
 */
export async function createPythonParser(runtime: { file: string } | { bytes: Uint8Array }, grammar: string | Uint8Array): Promise<PythonParser> {
  // Emscripten's module options: where the runtime's WASM is, or the WASM itself.
  await Parser.init('file' in runtime ? { locateFile: () => runtime.file } : ({ wasmBinary: runtime.bytes } as object));
  const language = await Language.load(grammar);
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
}
