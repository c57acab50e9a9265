import type { Node, Tree } from 'web-tree-sitter';

/** A parser of Python source; the host loads it (WASM) and hands it in, so the core does no I/O. */
export interface PythonParser {
  /** Parses `text`; with the previous tree (edited to match), tree-sitter re-parses only what changed. */
  parse(text: string, old?: Tree): Tree | undefined;
}

export type { Node, Tree };

/** The direct children of a node with a given type. */
export function childrenOfType(node: Node, type: string): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type === type);
}

/** Every descendant of `node` of the given types, in source order, not descending into `stopAt` types. */
export function descendants(node: Node, types: Set<string>, stopAt: Set<string> = new Set()): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== node && types.has(n.type)) out.push(n);
    if (n !== node && stopAt.has(n.type)) continue;
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
  return out;
}

/** `a.b.c` for identifiers and attribute chains; undefined for anything else (calls, subscripts...). */
export function dottedName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const object = dottedName(node.childForFieldName('object'));
    const attr = node.childForFieldName('attribute')?.text;
    return object && attr ? `${object}.${attr}` : undefined;
  }
  if (node.type === 'dotted_name') return node.text.replace(/\s+/g, '');
  return undefined;
}
