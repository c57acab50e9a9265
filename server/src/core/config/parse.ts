import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Node,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
} from 'yaml';
import { collectionKey, expandedSize, flowDepthProblem, flowNesting, MAX_EXPANDED_NODES, unclosedProblem, unsafeTags } from './budget';
import { CODES, type Code } from '../common/codes';
import { blockValue, readBlockYaml } from './blockYaml';

/** A problem found while reading the text, located by offsets (the caller turns them into LSP ranges). */
export interface TextProblem {
  start: number;
  end: number;
  code: Code;
  message: string;
  severity: 'error' | 'warning' | 'information';
}

export type Syntax = 'yaml' | 'json';

export interface ParsedConfig {
  syntax: Syntax;
  /** The first YAML document (a config file holds one); null when the text could not be parsed at all. */
  doc: Document.Parsed | null;
  /** The JavaScript value as the tool would load it; undefined when it could not be built safely. */
  value: unknown;
  problems: TextProblem[];
  /** Set when PyYAML would refuse the file (a syntax error, a tag safe_load refuses, a mapping as a key) but its
   *  top-level blocks may still be read one by one (incremental.ts), for detection and the other checks. */
  recoverable?: boolean;
}

/** Deeper than this, the file is not a config: stop before recursive code (ours or the parser's) runs out of stack. */
export const MAX_DEPTH = 64;
/** PyYAML expands aliases without limit; an "alias bomb" would hang it. We stop expanding here. */
const MAX_ALIAS_COUNT = 1000;

// PyYAML's resolvers (yaml/resolver.py), which differ from YAML 1.1 as the `yaml` package implements it:
// - booleans are only yes/no/true/false/on/off (any of three casings): no `y`/`n`;
// - a float needs a dot, and an exponent needs a sign: `1e-4` and `1.0e4` stay strings.
const PYYAML_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PYYAML_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const PYYAML_FLOAT = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?)$/;

type Tags = Exclude<SchemaOptions['customTags'], ((tags: never) => unknown) | null | undefined>;
type Tag = Tags[number];

function pyyamlTags(tags: Tags): Tags {
  const out: Tag[] = [];
  for (const tag of tags) {
    const t = tag as { tag?: string; test?: RegExp; format?: string; resolve?: (s: string) => unknown };
    if (t.tag === 'tag:yaml.org,2002:bool' && t.test) {
      const isTrue = t.test.test('true');
      out.push({ ...t, test: isTrue ? PYYAML_TRUE : PYYAML_FALSE } as Tag);
    } else if (t.tag === 'tag:yaml.org,2002:float' && t.format === 'EXP') {
      continue; // folded into the plain float below, with PyYAML's stricter pattern
    } else if (t.tag === 'tag:yaml.org,2002:float' && !t.format && t.test && t.test.source.includes('\\.[0-9_]*$')) {
      out.push({ ...t, test: PYYAML_FLOAT, resolve: (s: string) => parseFloat(s.replace(/_/g, '')) } as Tag);
    } else out.push(tag);
  }
  return out;
}

/** Parser options: PyYAML semantics for YAML, the core schema for JSON. */
export function yamlOptions(syntax: Syntax): ParseOptions & DocumentOptions & SchemaOptions {
  return syntax === 'yaml'
    ? { version: '1.1', uniqueKeys: false, prettyErrors: false, merge: true, customTags: pyyamlTags }
    : { version: '1.2', schema: 'core', uniqueKeys: false, prettyErrors: false };
}

/** Parses a YAML (PyYAML semantics) or JSON config. Never throws. */
export function parseConfig(text: string, syntax: Syntax): ParsedConfig {
  if (syntax === 'yaml') {
    const fast = readFast(text);
    if (fast) return fast;
  }
  const problems: TextProblem[] = [];
  if (syntax === 'json') {
    const jsonProblem = checkStrictJson(text);
    if (jsonProblem) problems.push(jsonProblem);
  }
  // Bounded before the parser recurses (budget.ts): braces left open on every line nest each line in the last.
  const flow = flowDepthProblem(text);
  if (flow) return { syntax, doc: null, value: undefined, problems: [...problems, flow] };
  let docs: Document.Parsed[];
  try {
    const all = parseAllDocuments(text, yamlOptions(syntax));
    docs = Array.isArray(all) ? all : [];
  } catch (e) {
    // The parser recurses per nesting level; thousands of levels exhaust the stack.
    problems.push(tooDeep(text, e));
    return { syntax, doc: null, value: undefined, problems };
  }
  const doc = docs[0] ?? null;
  if (!doc) return { syntax, doc: null, value: null, problems };
  if (syntax === 'yaml' || !problems.length) problems.push(...syntaxProblems(text, doc.errors));
  if (docs.length > 1) {
    const second = docs[1];
    const start = second.range?.[0] ?? text.length;
    problems.push({
      start,
      end: Math.min(text.length, start + 3),
      code: CODES.multipleDocuments,
      message: 'This file holds more than one YAML document; the training tools load exactly one (PyYAML safe_load fails on the second).',
      severity: 'error',
    });
  }
  if (nestingDepth(doc.contents) > MAX_DEPTH) {
    problems.push({
      start: 0,
      end: Math.min(text.length, 1),
      code: CODES.notValidated,
      message: `Nested deeper than ${MAX_DEPTH} levels: not a fine-tuning config, so it was not validated.`,
      severity: 'information',
    });
    return { syntax, doc, value: undefined, problems };
  }
  // What PyYAML's safe_load refuses, every tool refuses: report it, and build no value from the whole text (the
  // `yaml` package would stringify a mapping used as a key, which costs cubic time when they nest).
  const refused: TextProblem[] = syntax === 'yaml' ? unsafeTags(doc, text) : [];
  // A key that is a collection only because of a syntax error is that error's echo.
  const badKey = doc.errors.length ? null : collectionKey(doc);
  if (badKey?.range)
    refused.push({
      start: badKey.range[0],
      end: Math.max(badKey.range[0] + 1, Math.min(badKey.range[1], badKey.range[0] + 80)),
      code: CODES.syntax,
      severity: 'error',
      message: 'Syntax error: a mapping or a list used as a key. PyYAML stops with "found unhashable key"; a config\'s keys are names.',
    });
  problems.push(...refused);
  if (badKey || doc.errors.length || refused.length) return { syntax, doc, value: undefined, problems, recoverable: syntax === 'yaml' };
  if (expandedSize(doc) > MAX_EXPANDED_NODES)
    return { syntax, doc, value: undefined, problems: [...problems, aliasBomb(doc, `more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes`)] };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // `*name` with no `&name` before it: the `yaml` package throws a ReferenceError; PyYAML's composer stops with
    // "found undefined alias" (a syntax error, not a bomb).
    const undefinedAt = e instanceof ReferenceError ? undefinedAlias(doc.contents) : null;
    problems.push(undefinedAt ? undefinedAliasProblem(undefinedAt) : aliasBomb(doc, `more than ${MAX_ALIAS_COUNT} nodes`));
    value = undefined;
  }
  return { syntax, doc, value, problems };
}

/**
 * parseConfig for a text in the fast reader's subset (blockYaml.ts): the same document, from a fraction of the
 * work. The checks parseConfig makes after the yaml package's parse are vacuous there or made by the reader:
 * - flow collections are sequences of scalars (or `[]`, `{}`): flow depth at most 1 (flowDepthProblem);
 * - one document, no errors or warnings (the reader declines whatever yaml would report);
 * - no tags (unsafeTags), every key a scalar (collectionKey), no aliases or merge keys, so the expanded size is
 *   the node count, and the value is what toJS returns without aliases (blockValue);
 * - nesting depth and node count: the reader declines past MAX_DEPTH and MAX_EXPANDED_NODES, and this path
 *   (the yaml package's) measures and reports the text.
 */
function readFast(text: string): ParsedConfig | null {
  const doc = readFastDocument(text);
  return doc ? { syntax: 'yaml', doc, value: blockValue(doc), problems: [] } : null;
}

/** The fast reader's document (see readFast), or null: use the yaml package. */
export function readFastDocument(text: string, ranges?: Array<[number, number, number]>): Document.Parsed | null {
  return readBlockYaml(text, { maxDepth: MAX_DEPTH, maxNodes: MAX_EXPANDED_NODES, ranges });
}

function aliasBomb(doc: Document.Parsed, size: string): TextProblem {
  const alias = firstAlias(doc.contents);
  const [start, end] = alias?.range ?? [0, 1];
  return {
    start,
    end,
    code: CODES.aliasBomb,
    message: `YAML aliases and merge keys (<<) here expand to ${size} (an "alias bomb"). PyYAML would expand all of them and may hang; the file was not validated.`,
    severity: 'error',
  };
}

/**
 * The syntax errors worth reading. PyYAML stops at the first; the `yaml` package goes on, and most of what it
 * finds after a first error is that error's echo. A `{` or `[` left open is reported where it opens (with the
 * errors before it); otherwise the errors on the line of the first one.
 */
function syntaxProblems(text: string, errors: ReadonlyArray<{ pos: [number, number]; message: string }>): TextProblem[] {
  if (!errors.length) return [];
  const sorted = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const unclosed = flowNesting(text).unclosed;
  if (unclosed !== null && sorted[0].pos[0] >= unclosed) {
    return [...sorted.filter((e) => e.pos[0] < unclosed).map((e) => yamlProblem(e.pos, e.message, 'error')), unclosedProblem(text, unclosed)];
  }
  const lineEnd = text.indexOf('\n', sorted[0].pos[0]);
  const seen = new Set<string>();
  return sorted
    .filter((e) => lineEnd < 0 || e.pos[0] <= lineEnd)
    .map((e) => yamlProblem(e.pos, e.message, 'error'))
    .filter((p) => !seen.has(p.message) && Boolean(seen.add(p.message)));
}

function tooDeep(text: string, e: unknown): TextProblem {
  const message =
    e instanceof RangeError
      ? 'Nested too deeply to parse: not a fine-tuning config, so it was not validated.'
      : `The file could not be parsed: ${e instanceof Error ? e.message : String(e)}`;
  return { start: 0, end: Math.min(text.length, 1), code: CODES.notValidated, message, severity: 'information' };
}

function yamlProblem(pos: [number, number], message: string, severity: 'error'): TextProblem {
  const [start, end] = pos;
  const text = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return { start, end: Math.max(end, start + 1), code: CODES.syntax, message: `Syntax error: ${text}`, severity };
}

/** Strict JSON as Python's json.load reads it (the Hugging Face and Accelerate loaders): no comments, no trailing commas. */
function checkStrictJson(text: string): TextProblem | null {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!body.trim()) return null;
  try {
    JSON.parse(body);
    return null;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = /at position (\d+)/.exec(message);
    const start = m ? Number(m[1]) + (body === text ? 0 : 1) : text.trimEnd().length;
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^Unexpected end of JSON input$/, 'Unexpected end of input');
    return {
      start,
      end: Math.min(text.length, start + 1) || start,
      code: CODES.syntax,
      message: `Syntax error: ${reason} (JSON, as Python's json.load reads it, allows no comments or trailing commas).`,
      severity: 'error',
    };
  }
}

/** Iterative, so that it is safe on any depth the parser survived. */
export function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (depth > MAX_DEPTH) return depth;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) stack.push([item, depth + 1]);
    } else if (isPair(node)) {
      stack.push([node.value, depth], [node.key, depth]); // keys too: `{{{...}: 1}: 1}` nests through keys
    }
  }
  return max;
}

/** The first alias, in document order, whose anchor is not defined before it (one pass: anchors come first). */
function undefinedAlias(root: unknown): (Node & { source: string }) | null {
  const anchors = new Set<string>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isAlias(node)) {
      if (!anchors.has(node.source)) return node;
      continue;
    }
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.add(node.anchor);
    if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    else if (isPair(node)) stack.push(node.value, node.key);
  }
  return null;
}

function undefinedAliasProblem(alias: Node & { source: string }): TextProblem {
  const [start, end] = alias.range ?? [0, 1];
  return {
    start,
    end: Math.max(end, start + 1),
    code: CODES.syntax,
    message: `Syntax error: the alias '*${alias.source}' names no anchor '&${alias.source}' before it. PyYAML stops with "found undefined alias '${alias.source}'".`,
    severity: 'error',
  };
}

function firstAlias(root: unknown): Node | null {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    if (isMap(node) || isSeq(node)) for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    else if (isPair(node)) stack.push(node.value, node.key);
  }
  return null;
}

/** The string form of a mapping key as PyYAML would give it to Python (scalars only). */
export function keyText(key: unknown): string | null {
  if (isScalar(key)) return key.value === null ? 'null' : String(key.value as string | number | boolean | bigint);
  return null;
}
