import type { PythonParser, Tree } from './python';

/**
 * Keeps the last tree of each open Python file and re-parses incrementally: the changed span is found as the
 * common prefix and suffix of the old and new text, tree.edit() moves the old tree, and tree-sitter re-uses
 * every node outside the span.
 */
export class IncrementalPython {
  private readonly last = new Map<string, { text: string; tree: Tree }>();

  constructor(private readonly parser: PythonParser, private readonly maxDocuments = 32) {}

  parse(uri: string, text: string): Tree | undefined {
    const previous = this.last.get(uri);
    let tree: Tree | undefined;
    if (previous) {
      const old = previous.text;
      let start = 0;
      const max = Math.min(old.length, text.length);
      while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
      let oldEnd = old.length;
      let newEnd = text.length;
      while (oldEnd > start && newEnd > start && old.charCodeAt(oldEnd - 1) === text.charCodeAt(newEnd - 1)) {
        oldEnd--;
        newEnd--;
      }
      // tree-sitter counts bytes of UTF-16 code units in its JS binding: indexes are code units.
      previous.tree.edit({
        startIndex: start,
        oldEndIndex: oldEnd,
        newEndIndex: newEnd,
        startPosition: point(old, start),
        oldEndPosition: point(old, oldEnd),
        newEndPosition: point(text, newEnd),
      });
      tree = this.parser.parse(text, previous.tree);
      previous.tree.delete();
    } else {
      tree = this.parser.parse(text);
    }
    this.last.delete(uri);
    if (tree) {
      this.last.set(uri, { text, tree: tree.copy() });
      if (this.last.size > this.maxDocuments) {
        const [oldest, entry] = this.last.entries().next().value!;
        entry.tree.delete();
        this.last.delete(oldest);
      }
    }
    return tree;
  }

  forget(uri: string): void {
    this.last.get(uri)?.tree.delete();
    this.last.delete(uri);
  }
}

function point(text: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}
