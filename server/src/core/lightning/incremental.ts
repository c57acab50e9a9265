import type { PythonParser, Tree } from './python';

/** Where the text changed since the last parse (code unit offsets), and where the syntax changed. */
export interface PythonChange {
  start: number;
  oldEnd: number;
  newEnd: number;
  /** tree.getChangedRanges: the spans of the new tree whose structure differs from the old one's. */
  ranges: Array<{ startIndex: number; endIndex: number }>;
}

/**
 * Keeps the last tree of each open Python file and re-parses incrementally: the changed span is found as the
 * common prefix and suffix of the old and new text, tree.edit() moves the old tree, and tree-sitter re-uses
 * every node outside the span. Next to each tree it keeps what the last check of that text found (`checked`),
 * so that a check after an edit can start from it.
 */
export class IncrementalPython {
  private readonly last = new Map<string, { text: string; tree: Tree; checked?: unknown }>();

  constructor(
    private readonly parser: PythonParser,
    private readonly maxDocuments = 32,
  ) {}

  parse(uri: string, text: string): Tree | undefined {
    return this.parseChange(uri, text)?.tree;
  }

  /** Parses `text`, with what changed since the last parse of `uri` and what was checked of the text before. */
  parseChange(uri: string, text: string): { tree: Tree; change?: PythonChange; checked?: unknown } | undefined {
    const previous = this.last.get(uri);
    let tree: Tree | undefined;
    let change: PythonChange | undefined;
    if (previous) {
      const old = previous.text;
      // Compared in blocks first (a native comparison each), then character by character.
      let start = 0;
      const max = Math.min(old.length, text.length);
      while (start + BLOCK <= max && old.startsWith(text.slice(start, start + BLOCK), start)) start += BLOCK;
      while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
      let oldEnd = old.length;
      let newEnd = text.length;
      while (oldEnd - BLOCK >= start && newEnd - BLOCK >= start && old.endsWith(text.slice(newEnd - BLOCK, newEnd), oldEnd)) {
        oldEnd -= BLOCK;
        newEnd -= BLOCK;
      }
      while (oldEnd > start && newEnd > start && old.charCodeAt(oldEnd - 1) === text.charCodeAt(newEnd - 1)) {
        oldEnd--;
        newEnd--;
      }
      // tree-sitter counts bytes of UTF-16 code units in its JS binding: indexes are code units.
      const startPosition = point(old, 0, { row: 0, column: 0 }, start);
      previous.tree.edit({
        startIndex: start,
        oldEndIndex: oldEnd,
        newEndIndex: newEnd,
        startPosition,
        oldEndPosition: point(old, start, startPosition, oldEnd),
        newEndPosition: point(text, start, startPosition, newEnd),
      });
      tree = this.parser.parse(text, previous.tree);
      if (tree)
        change = { start, oldEnd, newEnd, ranges: tree.getChangedRanges(previous.tree).map((r) => ({ startIndex: r.startIndex, endIndex: r.endIndex })) };
      previous.tree.delete();
    } else {
      tree = this.parser.parse(text);
    }
    this.last.delete(uri);
    if (!tree) return undefined;
    this.last.set(uri, { text, tree: tree.copy() });
    if (this.last.size > this.maxDocuments) {
      const [oldest, entry] = this.last.entries().next().value!;
      entry.tree.delete();
      this.last.delete(oldest);
    }
    return { tree, change, checked: previous?.checked };
  }

  /** What the last check of `uri` found, when it checked `text` (the text of the last parse). */
  checked(uri: string, text: string): unknown {
    const entry = this.last.get(uri);
    return entry && entry.text === text ? entry.checked : undefined;
  }

  /** Keeps what a check of the last parsed text of `uri` found. */
  keep(uri: string, text: string, checked: unknown): void {
    const entry = this.last.get(uri);
    if (entry && entry.text === text) entry.checked = checked;
  }

  forget(uri: string): void {
    this.last.get(uri)?.tree.delete();
    this.last.delete(uri);
  }

  /** How many documents have a tree kept. */
  get size(): number {
    return this.last.size;
  }
}

const BLOCK = 256;

/** The row and column of `index`, counting on from `from` (at `at`). */
function point(text: string, from: number, at: { row: number; column: number }, index: number): { row: number; column: number } {
  let row = at.row;
  let lineStart = from - at.column;
  for (let i = text.indexOf('\n', from); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}
