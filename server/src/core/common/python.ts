import type { Node, Tree } from 'web-tree-sitter';

/** A parser of Python source; the host loads it (WASM) and hands it in, so the core does no I/O. */
export interface PythonParser {
  /** Parses `text`; with the previous tree (edited to match), tree-sitter re-parses only what changed. */
  parse(text: string, old?: Tree): Tree | undefined;
}

export type { Node, Tree };
