import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, type Document, type Node } from 'yaml';
import { CODES } from '../common/codes';
import type { TextProblem } from './parse';

/**
 * What loading one document may cost. A config is a few hundred nodes; a few lines of YAML can ask for far more
 * (issue 12): aliases and merge keys that multiply (9 merges per line, 7 lines), braces left open on every line
 * (the `yaml` package stringifies a mapping used as a key, once per level: cubic), tags that name Python objects.
 * Each check here is linear in the text or the node count and runs before the step it protects.
 */

/** Flow collections (`{`, `[`) deeper than this are not composed: the parser recurses once per level. */
export const MAX_FLOW_DEPTH = 64;
/** Nodes of the loaded value, counting every alias and merge as the copy PyYAML hands to the tool. */
export const MAX_EXPANDED_NODES = 100_000;

/**
 * Flow nesting, read by the lexer (linear, iterative) before the composer recurses: an unclosed `{` on every line
 * nests each line inside the one before. Null when the nesting is within bounds.
 */
export function flowDepthProblem(text: string): TextProblem | null {
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= MAX_FLOW_DEPTH; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) brackets++;
  }
  if (brackets <= MAX_FLOW_DEPTH) return null; // cannot nest deeper than it has brackets
  const flow = flowNesting(text);
  if (flow.deepest <= MAX_FLOW_DEPTH) return null;
  if (flow.unclosed !== null)
    return unclosedProblem(text, flow.unclosed, ` What follows it nests more than ${MAX_FLOW_DEPTH} levels deep, so it was not read further.`);
  return {
    start: 0,
    end: Math.min(text.length, 1),
    code: CODES.notValidated,
    severity: 'information',
    message: `Brackets nested deeper than ${MAX_FLOW_DEPTH} levels: not a fine-tuning config, so it was not validated.`,
  };
}

/** The deepest flow nesting, and the first `{` or `[` that is never closed, as the lexer reads the text. */
export function flowNesting(text: string): { deepest: number; unclosed: number | null } {
  const open: number[] = [];
  let offset = 0;
  let deepest = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '{' || token === '[') {
      open.push(offset);
      if (open.length > deepest) deepest = open.length;
    } else if ((token === '}' || token === ']') && open.length) open.pop();
    // The lexer's control tokens (document start, scalar, flow error end) are not text.
    if (token !== '\x02' && token !== '\x1f' && token !== '\x18') offset += token.length;
  }
  return { deepest, unclosed: open.length ? open[0] : null };
}

/** The syntax error of a `{` or `[` left open: everything after it is read as part of it. */
export function unclosedProblem(text: string, at: number, more = ''): TextProblem {
  const close = text[at] === '{' ? '}' : ']';
  return {
    start: at,
    end: at + 1,
    code: CODES.syntax,
    severity: 'error',
    message: `Syntax error: this '${text[at]}' is never closed: everything after it is read as part of it (PyYAML: "expected ',' or '${close}'").${more}`,
  };
}

/** The first mapping key that is itself a mapping or a list (after aliases): PyYAML's safe_load refuses it. */
export function collectionKey(doc: Document): Node | null {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isPair(node)) {
      const key = isAlias(node.key) ? node.key.resolve(doc) : node.key;
      if (isMap(key) || isSeq(key)) return node.key as Node;
      stack.push(node.value, node.key);
    } else if (isMap(node) || isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }
  return null;
}

/**
 * The size of the loaded value, with each alias and each merge (`<<: *base`) counted as the copy it becomes.
 * Each node is measured once (an anchor is shared by its aliases), so an alias bomb costs its text, not its
 * expansion. A recursive alias (`a: &a [*a]`) is infinite. Stops counting above `limit`.
 */
export function expandedSize(doc: Document, limit = MAX_EXPANDED_NODES): number {
  // An alias names the last node with its anchor before it, in document order.
  const anchors = new Map<string, Node>();
  const target = new Map<Node, Node | undefined>();
  const walk: unknown[] = [doc.contents];
  while (walk.length) {
    const node = walk.pop();
    if (isPair(node)) walk.push(node.value, node.key);
    else if (isAlias(node)) target.set(node, anchors.get(node.source));
    else if (isMap(node) || isSeq(node) || isScalar(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) walk.push(node.items[i]);
    }
  }
  const children = (node: Node): unknown[] =>
    isAlias(node) ? [target.get(node)] : isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : isSeq(node) ? node.items : [];
  // Post-order over the graph of nodes and alias edges, sizes memoised.
  const size = new Map<Node, number>();
  const open = new Set<Node>();
  const root = doc.contents;
  if (!root) return 0;
  const stack: Array<[Node, boolean]> = [[root, false]];
  while (stack.length) {
    const [node, done] = stack.pop()!;
    if (size.has(node)) continue;
    if (done) {
      let s = 1;
      for (const c of children(node)) s += c && typeof c === 'object' ? (size.get(c as Node) ?? 0) : 0;
      size.set(node, Math.min(s, limit + 1));
      open.delete(node);
      continue;
    }
    open.add(node);
    stack.push([node, true]);
    for (const c of children(node)) {
      if (!c || typeof c !== 'object' || size.has(c as Node)) continue;
      if (open.has(c as Node)) return limit + 1; // an alias inside its own anchor: PyYAML builds a cycle
      stack.push([c as Node, false]);
    }
  }
  return size.get(root) ?? 0;
}

/** The tags PyYAML's SafeLoader constructs (yaml/constructor.py); any other tag stops safe_load. */
const SAFE_TAGS = new Set(
  ['null', 'bool', 'int', 'float', 'binary', 'timestamp', 'omap', 'pairs', 'set', 'str', 'seq', 'map'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** Nodes with a tag that yaml.safe_load refuses (`!!python/object/apply:os.system`, `!Ref`): every tool loads that way. */
export function unsafeTags(doc: Document, text: string): TextProblem[] {
  const out: TextProblem[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length && out.length < 20) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.value, node.key);
      continue;
    }
    if (!(isMap(node) || isSeq(node) || isScalar(node))) continue;
    const tag = (node as Node).tag;
    const range = (node as Node).range;
    if (tag && tag !== '!' && !SAFE_TAGS.has(tag) && range) {
      const [start, end] = tagRange(text, range[0]);
      out.push({
        start,
        end,
        code: CODES.unsafeTag,
        severity: 'error',
        message: `safe_load refuses this tag: '${text.slice(start, end)}' ("could not determine a constructor for the tag"). Every training tool reads its config with yaml.safe_load, so the run stops here; nothing was evaluated.`,
      });
    }
    if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Where the tag of the node starting at `nodeStart` is written: the last word before it that starts with `!`. */
function tagRange(text: string, nodeStart: number): [number, number] {
  let at = text.lastIndexOf('!', nodeStart);
  if (at < 0) return [nodeStart, nodeStart + 1];
  while (at > 0 && !/[\s,[{]/.test(text[at - 1])) at--;
  const end = at + (/[\s,\]}]|$/.exec(text.slice(at, at + 1024))?.index ?? 1);
  return [at, Math.max(end, at + 1)];
}
