import { Document, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq, type Node, type Pair } from 'yaml';
import { keyText } from './parse';
import { collectionKey, expandedSize, MAX_EXPANDED_NODES } from './budget';
import { MAX_DEPTH, nestingDepth, parseConfig, readFastDocument, yamlOptions, type ParsedConfig } from './parse';
import { blockValue, emptyDocument } from './blockYaml';

/**
 * Parses a YAML config one top-level block at a time and reuses the blocks that did not change.
 *
 * Almost all of a keystroke's validation time is YAML parsing (docs/benchmarks.md), and a keystroke changes one
 * block. Each block is parsed on its own, cached by its text, and its node ranges are shifted to where the block
 * now starts. Whenever that could read the file differently from a whole-file parse (anchors and aliases, merge
 * keys, several documents, directives, a top-level list, or any syntax error) the whole text is parsed instead.
 */
export class IncrementalYamlParser {
  private cache = new Map<string, CachedBlock>();

  parse(text: string): ParsedConfig {
    const blocks = splitTopLevel(text);
    if (!blocks) return this.full(text);
    // A freshly opened file too is read block by block, now that each block's fast read shares one schema: one
    // fast pass over the whole text, with the blocks cached from its nodes, measured no faster (docs/benchmarks.md).

    const next = new Map<string, CachedBlock>();
    const take = (start: number, end: number, kind: 'map' | 'seq'): CachedBlock | undefined => {
      const body = text.slice(start, end);
      let cached = next.has(body) ? undefined : this.cache.get(body);
      if (!cached) cached = parseBlock(body, kind);
      if (!cached) return undefined;
      shift(cached, start);
      if (!next.has(body)) next.set(body, cached);
      return cached;
    };
    const pairs: Pair[] = [];
    const value: Record<string, unknown> = {};
    for (const block of blocks) {
      const items = block.end - block.start > SPLIT_LIST_ABOVE ? splitListBlock(text, block) : null;
      if (items) {
        // A long list (`datasets:`): the key line and each "- " item are parsed and cached on their own.
        const header = take(block.start, items[0].start, 'map');
        const parts = items.map((item) => take(item.start, item.end, 'seq'));
        if (!header || parts.some((p) => !p)) return this.full(text);
        const pair = (header.doc.contents as YAMLMap).items[0];
        const seq = new YAMLSeq(header.doc.schema);
        for (const part of parts) seq.items.push((part!.doc.contents as YAMLSeq).items[0]);
        seq.range = [(parts[0]!.doc.contents as YAMLSeq).range![0], block.end, block.end];
        pair.value = seq;
        pairs.push(pair);
        value[keyText(pair.key) ?? ''] = parts.flatMap((p) => p!.value as unknown[]);
        continue;
      }
      const cached = take(block.start, block.end, 'map');
      if (!cached) return this.full(text);
      if (cached.doc.contents && isMap(cached.doc.contents)) pairs.push(...cached.doc.contents.items);
      Object.assign(value, cached.value);
    }
    this.cache = next;
    return { syntax: 'yaml', doc: assemble(text, pairs), value, problems: [] };
  }

  private full(text: string): ParsedConfig {
    this.cache.clear();
    return parseWithRecovery(text, 'yaml');
  }
}

/** One document whose top-level mapping holds the pairs of the blocks, with their ranges in `text`. */
function assemble(text: string, pairs: Pair[]): Document.Parsed {
  const doc = emptyDocument(); // what `new Document(null, yamlOptions('yaml'))` builds, without building a schema
  const map = new YAMLMap(doc.schema);
  map.items.push(...pairs);
  map.range = [0, text.length, text.length];
  doc.contents = map as unknown as Document.Parsed['contents'];
  return doc;
}

/** Larger broken files are not read block by block (a config is a few KiB). */
const RECOVER_LIMIT = 256 * 1024;

/**
 * parseConfig, and for a YAML file that PyYAML would refuse (a syntax error, a tag safe_load refuses, a mapping
 * as a key): the value of its top-level blocks that do load on their own. The problems stay, so the file is still
 * reported as broken; one stray line (`{oops:`) no longer hides what the file is, nor every other check.
 */
export function parseWithRecovery(text: string, syntax: 'yaml' | 'json'): ParsedConfig {
  const parsed = parseConfig(text, syntax);
  if (!parsed.recoverable || syntax !== 'yaml' || text.length > RECOVER_LIMIT) return parsed;
  const pairs: Pair[] = [];
  const value: Record<string, unknown> = {};
  for (const block of columnZeroBlocks(text)) {
    const cached = parseBlock(text.slice(block.start, block.end), 'map');
    if (!cached || !isMap(cached.doc.contents)) continue; // the broken block: its problems say why
    shift(cached, block.start);
    pairs.push(...cached.doc.contents.items);
    Object.assign(value, cached.value);
  }
  return pairs.length ? { ...parsed, doc: assemble(text, pairs), value } : parsed;
}

/** Blocks that start at each line beginning in column 0 (not blank, not a comment), whatever that line holds. */
function columnZeroBlocks(text: string): Block[] {
  const starts: number[] = [];
  for (let lineStart = 0; lineStart < text.length; ) {
    const nl = text.indexOf('\n', lineStart);
    const first = text[lineStart];
    if (first !== undefined && !' \t#\r\n'.includes(first)) starts.push(lineStart);
    lineStart = nl < 0 ? text.length : nl + 1;
  }
  if (starts.length) starts[0] = 0;
  return starts.map((start, i) => ({ start, end: i + 1 < starts.length ? starts[i + 1] : text.length }));
}

interface CachedBlock {
  doc: Document.Parsed;
  /** The block's own value: a one-key mapping, or a one-item list for a list item. */
  value: Record<string, unknown> | unknown[];
  /** Every range triple in the block, to move them when the block moves. */
  ranges: Array<[number, number, number]>;
  offset: number;
}

interface Block {
  start: number;
  end: number;
}

// Features whose meaning spans blocks, or that only a whole-document parse reads faithfully.
const NEEDS_FULL_PARSE = /(?:^|[\s,[{])[&*][^\s,[\]{}]|^(?:---|\.\.\.|%)|<</m;
const TOP_LEVEL_KEY = /^(?:[A-Za-z_$][^:#\n]*|"[^"\n]*"|'[^'\n]*'):(?:[ \t]|$)/;

/** Top-level blocks: each starts at a key in column 0 (comments before the first key go with it). */
function splitTopLevel(text: string): Block[] | null {
  if (text.length < 2048 || NEEDS_FULL_PARSE.test(text)) return null;
  const starts: number[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? text.length : nl;
    const first = text[lineStart];
    if (first !== undefined && first !== ' ' && first !== '\t' && first !== '#' && first !== '\r' && first !== '\n') {
      if (!TOP_LEVEL_KEY.test(text.slice(lineStart, Math.min(lineEnd, lineStart + 512)))) return null; // a top-level list, flow, or a continuation line
      starts.push(lineStart);
    }
    lineStart = lineEnd + 1;
  }
  if (starts.length < 2) return null;
  starts[0] = 0;
  return starts.map((start, i) => ({ start, end: i + 1 < starts.length ? starts[i + 1] : text.length }));
}

/** Blocks longer than this that hold a list of items are split item by item. */
const SPLIT_LIST_ABOVE = 8192;
const LIST_HEADER = /^[^\n]*:[ \t]*(?:#[^\n]*)?\r?\n/;

/** The items of a top-level block `key:` followed by "- " items at one indentation, or null. */
function splitListBlock(text: string, block: Block): Block[] | null {
  const header = LIST_HEADER.exec(text.slice(block.start, Math.min(block.end, block.start + 1024)));
  if (!header) return null;
  const items: Block[] = [];
  let indent = -1;
  let lineStart = block.start + header[0].length;
  while (lineStart < block.end) {
    const nl = text.indexOf('\n', lineStart);
    const lineEnd = nl < 0 || nl >= block.end ? block.end : nl;
    let col = 0;
    while (text[lineStart + col] === ' ') col++;
    const c = text[lineStart + col];
    if (c !== undefined && lineStart + col < lineEnd && c !== '#' && c !== '\r') {
      if (indent < 0) indent = col;
      if (col < indent) return null;
      if (col === indent) {
        if (c !== '-' || !/[ \t\r\n]/.test(text[lineStart + col + 1] ?? '\n')) return null;
        if (items.length) items[items.length - 1].end = lineStart;
        items.push({ start: lineStart, end: block.end });
      }
    }
    lineStart = lineEnd + 1;
  }
  if (items.length < 2) return null;
  items[0].start = block.start + header[0].length; // comments between the key and the first item go with it
  return items;
}

function parseBlock(body: string, kind: 'map' | 'seq'): CachedBlock | undefined {
  // The fast reader first (blockYaml.ts): the same nodes and value, or null when the block is outside its subset;
  // the checks below are vacuous on its documents or made by the reader (readFast in parse.ts).
  const ranges: Array<[number, number, number]> = [];
  const fast = readFastDocument(body, ranges);
  if (fast) return cachedBlock(fast, kind, () => blockValue(fast), ranges); // ranges: every node's, as collectRanges lists them
  let doc: Document.Parsed;
  try {
    doc = parseDocument(body, yamlOptions('yaml'));
  } catch {
    return undefined; // e.g. thousands of nesting levels: the whole-file parse reports it
  }
  if (doc.errors.length || doc.warnings.length || nestingDepth(doc.contents) > MAX_DEPTH || collectionKey(doc) || expandedSize(doc) > MAX_EXPANDED_NODES)
    return undefined;
  return cachedBlock(doc, kind, () => doc.toJS(), null);
}

/** A block's document as the cache keeps it: a mapping, or a list of exactly one item; its value an object. */
function cachedBlock(doc: Document.Parsed, kind: 'map' | 'seq', load: () => unknown, ranges: CachedBlock['ranges'] | null): CachedBlock | undefined {
  if (kind === 'map' ? !isMap(doc.contents) : !isSeq(doc.contents) || doc.contents.items.length !== 1) return undefined;
  let value: unknown;
  try {
    value = load();
  } catch {
    return undefined; // an alias whose anchor is in another block: only the whole file reads it
  }
  if (!value || typeof value !== 'object') return undefined;
  return { doc, value: value as CachedBlock['value'], ranges: ranges ?? collectRanges(doc.contents), offset: 0 };
}

function collectRanges(root: unknown): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.key, node.value);
      continue;
    }
    if (!(isMap(node) || isSeq(node) || isScalar(node) || isAlias(node))) continue;
    const range = (node as Node).range;
    if (range && !seen.has(range)) {
      seen.add(range);
      out.push(range as [number, number, number]);
    }
    if (isMap(node) || isSeq(node)) stack.push(...node.items);
  }
  return out;
}

function shift(block: CachedBlock, offset: number): void {
  const delta = offset - block.offset;
  if (delta === 0) return;
  for (const r of block.ranges) {
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
  block.offset = offset;
}
