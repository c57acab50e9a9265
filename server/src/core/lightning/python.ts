import type { Node } from 'web-tree-sitter';

export type { Node, PythonParser, Tree } from '../common/python';

/** The direct children of a node with a given type. */
export function childrenOfType(node: Node, type: string): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type === type);
}

/** Every descendant of `node` of the given types, in source order, not descending into `stopAt` types. */
export function descendants(node: Node, types: Set<string>, stopAt: Set<string> = new Set()): Node[] {
  // One walk inside the parser (a walk from JS costs calls into WASM per node); the nodes under a `stopAt` node are
  // dropped afterwards, by their ancestors in the same pre-order list.
  const found = node.descendantsOfType([...new Set([...types, ...stopAt])]);
  const out: Node[] = [];
  const open: Node[] = []; // the stopAt nodes on the path to the current one
  for (const n of found) {
    if (!n || n.id === node.id || !n.isNamed) continue; // the walk from JS saw named children only
    while (open.length && !isAncestor(open[open.length - 1], n)) open.pop();
    if (open.length) continue;
    if (types.has(n.type)) out.push(n);
    if (stopAt.has(n.type)) open.push(n);
  }
  return out;
}

/**
 * Whether `a` contains `n`, for an `n` that comes after `a` in pre-order: a node inside `a`'s range is inside `a`,
 * except a zero-width one at its end (or anything when `a` is zero-width), where the parents decide.
 */
function isAncestor(a: Node, n: Node): boolean {
  if (n.startIndex < a.startIndex || n.endIndex > a.endIndex) return false;
  if (a.startIndex < a.endIndex && !(n.startIndex === a.endIndex && n.endIndex === a.endIndex)) return true;
  for (let p = n.parent; p; p = p.parent) if (p.id === a.id) return true;
  return false;
}

/** `a.b.c` for identifiers and attribute chains; undefined for anything else (calls, subscripts...). */
export function dottedName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  // Fast path: the text of a plain chain is the name (no calls into the parser per link).
  if (node.type === 'identifier' || node.type === 'attribute' || node.type === 'dotted_name') {
    const text = node.text;
    if (/^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*$/.test(text)) return text;
  }
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const object = dottedName(node.childForFieldName('object'));
    const attr = node.childForFieldName('attribute')?.text;
    return object && attr ? `${object}.${attr}` : undefined;
  }
  if (node.type === 'dotted_name') return node.text.replace(/\s+/g, '');
  return undefined;
}

/**
 * Every node of the given types, in source order, from one walk with a TreeCursor (far fewer calls into the
 * WASM parser than walking Node children).
 */
export function indexTree(root: Node, types: Set<string>, keep?: (type: string, start: number, end: number) => boolean): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  for (const t of types) out.set(t, []);
  // One traversal inside the parser, and one batch of nodes back (walking from JS costs a call per node).
  for (const node of root.descendantsOfType([...types])) {
    if (!node) continue;
    if (keep && !keep(node.type, node.startIndex, node.endIndex)) continue;
    out.get(node.type)!.push(node);
  }
  return out;
}

/** The nodes of a source-ordered list (as indexTree returns them) that lie inside `outer`: two binary searches. */
export function within(nodes: Node[], outer: Node): Node[] {
  const lowerBound = (offset: number) => {
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nodes[mid].startIndex < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return nodes.slice(lowerBound(outer.startIndex), lowerBound(outer.endIndex)).filter((n) => n.endIndex <= outer.endIndex);
}

/** The range to delete for an argument: it and the comma after it, or, for the last one, the comma before it. */
export function argumentSpan(text: string, start: number, end: number): [number, number] {
  let e = end;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  if (text[e] === ',') {
    e++;
    while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
    return [start, e];
  }
  // Scan back over white space for the comma before (a regex on text.slice(0, start) would read the whole file).
  let b = start - 1;
  while (b >= 0 && /\s/.test(text[b])) b--;
  return text[b] === ',' ? [b, end] : [start, end];
}

/** The names of a function's parameters, in order (`self`, `batch`, `*args` as `args`...). */
export function parameterNames(fn: Node): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? []).flatMap((p) => {
    if (!p) return [];
    if (p.type === 'identifier') return [p.text];
    const name = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
    return name ? [name.text.replace(/^\*+/, '')] : [];
  });
}

/** Parameters without a default value (`dataloader_idx=0` is already the 2.x form). */
export function requiredParameterNames(fn: Node): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? [])
    .filter((p): p is Node => p !== null && (p.type === 'identifier' || p.type === 'typed_parameter'))
    .map((p) => (p.type === 'identifier' ? p.text : (p.namedChildren.find((c) => c?.type === 'identifier')?.text ?? '')));
}

/** The methods defined directly in a class body (decorated ones too), by name. */
export function methodsOf(cls: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const child of cls.childForFieldName('body')?.namedChildren ?? []) {
    const fn = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (fn?.type === 'function_definition') out.set(fn.childForFieldName('name')!.text, fn);
  }
  return out;
}
