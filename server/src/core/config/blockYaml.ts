import { Document, isScalar, parseDocument, Pair, Scalar, YAMLMap, YAMLSeq, type Schema } from 'yaml';
import { yamlOptions } from './parse';

/**
 * A fast reader for the plain block YAML that fine-tuning configs are made of (issue 17: the `yaml` package's
 * lexer, CST parser and composer are most of the CPU a freshly opened config costs).
 *
 * It builds the same nodes `parseDocument(text, yamlOptions('yaml'))` builds: `Document`, `YAMLMap`, `YAMLSeq`,
 * `Pair` and `Scalar` with identical `range` triples, `value`, `type`, `source` and `format`; or it returns null
 * ("not sure: ask the yaml package") for anything outside its subset: block mappings and block sequences of
 * one-line plain and quoted scalars and of flow sequences of them (`[a, b]`, over several lines as a key's value),
 * `[]` and `{}`, with comments and blank lines. Anything else (other flow collections, anchors, aliases, tags,
 * block scalars, multi-line scalars, explicit keys, directives, document markers, tabs, odd control characters,
 * merge keys, empty list items, anything yaml would warn about) is null.
 *
 * The ranges follow the yaml package's CST parser (yaml 2.8.1, dist/parse/parser.js: blockMap, blockSequence,
 * pop, atIndentedComment) exactly as far as this subset goes; test/unit/blockYaml.test.ts compares every node
 * with the yaml package's on every config of the repository and on a differential fuzz.
 *
 * Comments are not attached to nodes (no `comment`, `commentBefore`, `spaceBefore`): nothing that reads a parsed
 * config uses them (`git grep -n "commentBefore\|\.comment\b" server/src` finds only the generators, which parse
 * their own documents with the yaml package), and `Document.toString` is never called on a parsed config.
 */

/** A space, comment or newline token, as the CST parser would hold it in an item's start or separator. */
interface Tok {
  type: 0 | 1 | 2; // SP | COMMENT | NL
  end: number;
  /** The comment's indentation (the CST parser's `indent` when the token was read). */
  indent: number;
}
const SP = 0;
const COMMENT = 1;
const NL = 2;

/** One open block collection: the CST parser's stack entry, reduced to what decides ranges. */
interface Coll {
  map: boolean;
  indent: number;
  node: YAMLMap | YAMLSeq;
  /** The state of the last item: 0 it has a value, 1 a key and ':' but no value yet (map), 2 only start tokens. */
  state: 0 | 1 | 2;
  /** The last item's value when it is a scalar or flow sequence (its CST token has an `end`: comments indented deeper join it). */
  lastScalar: Scalar | null;
  /** The last token of lastScalar's end is a comment: the next newline joins it too. */
  endsWithComment: boolean;
  /** The last item's start tokens (state 2) or separator tokens after ':' (state 1). */
  toks: Tok[];
  /** State 1: the key waiting for its value, and where an empty value would sit. */
  key: Scalar | null;
  emptyAt: number;
}

/** c's last item now has its value (state 0): `scalar` when that value is a scalar or flow sequence, else null. */
function hasValue(c: Coll, scalar: Scalar | null): void {
  c.state = 0;
  c.lastScalar = scalar;
  c.endsWithComment = false;
  c.toks = [];
}

class Bail extends Error {}
const BAIL = new Bail('not in the fast subset');

let template: Document.Parsed | null = null;
const plainTags = new Map<string, unknown>();

function base(): Document.Parsed {
  if (!template) template = parseDocument('', yamlOptions('yaml'));
  return template;
}

// Characters that end the fast path anywhere in the text: tabs, control characters, a carriage return not before
// a newline, the byte order mark, and the line breaks yaml reads as such besides \n.
const UNSUPPORTED = /[\x00-\x08\t\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]|\r(?!\n)/;

/**
 * A document with no contents, as `new Document(null, yamlOptions('yaml'))` builds it, without building a schema
 * (which runs our customTags): the template's schema and options, shared by every document built here. Nothing
 * changes a schema after it is built but the yaml package's composer, which adds a tag it meets that the schema
 * lacks (compose-scalar.js findScalarTagByName, compose-collection.js), and it never composes into these documents.
 */
export function emptyDocument(): Document.Parsed {
  const t = base();
  const doc = Object.create(Document.prototype) as Document.Parsed;
  Object.defineProperty(doc, Symbol.for('yaml.node.type'), { value: Symbol.for('yaml.document') });
  const fields = doc as unknown as Record<string, unknown>;
  fields.commentBefore = null;
  fields.comment = null;
  fields.errors = [];
  fields.warnings = [];
  fields.options = t.options;
  fields.directives = t.directives.atDocument();
  fields.schema = t.schema;
  fields.contents = null;
  return doc;
}

/** Past these, the reader declines, and the yaml package's path measures and reports the text. */
export interface Limits {
  /** nestingDepth (parse.ts) of the contents: a collection's items are one level below it, a pair's key and value at its level. */
  maxDepth?: number;
  /** Nodes (collections, pairs' keys and values, items): without aliases, expandedSize (budget.ts) counts each once. */
  maxNodes?: number;
  /** Receives the range of every node the reader builds (not the document's), as the incremental parser shifts them. */
  ranges?: Array<[number, number, number]>;
}

/** The same Document as parseDocument(text, yamlOptions('yaml')) for a config in the fast subset, else null. */
export function readBlockYaml(text: string, limits: Limits = {}): Document.Parsed | null {
  if (UNSUPPORTED.test(text)) return null;
  try {
    return new Reader(text, limits.maxDepth ?? Infinity, limits.maxNodes ?? Infinity, limits.ranges ?? null).read();
  } catch (e) {
    if (e instanceof Bail) return null;
    throw e;
  }
}

class Reader {
  private readonly stack: Coll[] = [];
  private readonly schema: Schema;
  private readonly doc: Document.Parsed;
  private docStart = -1;
  /** The end of the tokens after the root collection, when they are the document's (not the collection's). */
  private docEnd = -1;
  private root: YAMLMap | YAMLSeq | null = null;
  /** The current line: its start, the end of its content (before \r\n or \n), and the end of its newline. */
  private ls = 0;
  private le = 0;
  private next = 0;

  private nodes = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly maxNodes: number,
    private readonly ranges: Array<[number, number, number]> | null,
  ) {
    this.doc = emptyDocument();
    this.schema = this.doc.schema;
  }

  read(): Document.Parsed | null {
    const text = this.text;
    const n = text.length;
    while (this.ls < n) {
      const nl = text.indexOf('\n', this.ls);
      this.next = nl < 0 ? n : nl + 1;
      this.le = nl < 0 ? n : nl > this.ls && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line();
      this.ls = this.next;
    }
    if (!this.root) return null;
    while (this.stack.length) this.pop();
    const contents = this.root;
    const fields = this.doc as unknown as Record<string, unknown>;
    fields.contents = contents;
    // Tokens held by a key with no value and no comment (`key:\n` at the end) are in no node's range, nor the document's.
    fields.range = [this.docStart, contents.range![2], Math.max(contents.range![2], this.docEnd)];
    return this.doc;
  }

  private line(): void {
    const text = this.text;
    const { ls, le } = this;
    let p = ls;
    while (p < le && text.charCodeAt(p) === 32) p++;
    const indent = p - ls;
    const top = this.stack.length ? this.stack[this.stack.length - 1] : null;
    if (p === le || text.charCodeAt(p) === 35 /* # */) {
      // A blank or comment line: before the document it is the stream's, else the innermost collection's.
      if (!top) return;
      if (p > ls) this.tok(top, SP, p, indent);
      if (p < le) this.tok(top, COMMENT, le, indent);
      if (this.next > le) this.tok(top, NL, this.next, indent);
      return;
    }
    if (indent === 0 && (text.startsWith('---', p) || text.startsWith('...', p))) throw BAIL;
    const dash = text.charCodeAt(p) === 45 && (p + 1 === le || text.charCodeAt(p + 1) === 32);
    if (!top) {
      if (this.root) throw BAIL; // content below the root's indentation
      this.docStart = this.ls; // the document starts with the line (its indentation is a token of it)
      if (dash) {
        const seq = this.open(false, indent, null);
        this.item(seq, p);
      } else {
        const map = this.open(true, indent, null);
        this.pair(map, p);
      }
      return;
    }
    if (p > ls) this.tok(top, SP, p, indent);
    for (;;) {
      const c = this.stack[this.stack.length - 1];
      if (!c) throw BAIL; // below the root's indentation
      if (indent < c.indent) {
        this.pop();
        continue;
      }
      if (c.map) {
        if (indent === c.indent) {
          if (dash) {
            if (c.state !== 1) throw BAIL; // `- x` where the mapping expects a key
            const seq = this.open(false, indent, c);
            this.item(seq, p);
          } else {
            if (c.state === 1) this.empty(c, true);
            this.pair(c, p);
          }
        } else {
          if (c.state !== 1) throw BAIL; // a continuation line, or an indentation error
          if (dash) this.item(this.open(false, indent, c), p);
          else this.pair(this.open(true, indent, c), p);
        }
        return;
      }
      if (indent > c.indent) throw BAIL; // a continuation line of a list item's scalar
      if (dash) {
        this.item(c, p);
        return;
      }
      this.pop(); // `key:\n- a\nnext: b`: the list ends, the mapping at its indentation goes on
    }
  }

  private range(start: number, valueEnd: number, end: number): [number, number, number] {
    const r: [number, number, number] = [start, valueEnd, end];
    this.ranges?.push(r);
    return r;
  }

  /** A space, comment or newline token for the innermost collection (parser.js blockMap / blockSequence). */
  private tok(c: Coll, type: Tok['type'], end: number, indent: number): void {
    const t: Tok = { type, end, indent };
    if (c.state === 1) {
      c.toks.push(t);
      return;
    }
    if (type === NL) {
      if (c.state === 0) {
        if (c.endsWithComment) {
          c.lastScalar!.range![2] = end;
          c.endsWithComment = false;
        } else {
          c.state = 2;
          c.toks = [t];
        }
      } else c.toks.push(t);
      return;
    }
    if (c.state === 0) {
      c.state = 2;
      c.toks = [t];
      return;
    }
    // atIndentedComment: a comment indented deeper than the collection, after blank lines only, joins the end of
    // the scalar before it.
    if (type === COMMENT && indent > c.indent && c.lastScalar && c.toks.every((x) => x.type !== COMMENT)) {
      c.lastScalar.range![2] = end;
      c.state = 0;
      c.endsWithComment = true;
      c.toks = [];
      return;
    }
    c.toks.push(t);
  }

  private open(map: boolean, indent: number, parent: Coll | null): Coll {
    const node = map ? new YAMLMap(this.schema) : new YAMLSeq(this.schema);
    if (++this.nodes > this.maxNodes) throw BAIL;
    const c: Coll = { map, indent, node, state: 2, lastScalar: null, endsWithComment: false, toks: [], key: null, emptyAt: 0 };
    if (parent) {
      // The value of parent's last key (state 1), or of a new list item (parent is a sequence).
      if (parent.map) {
        parent.node.items.push(new Pair(parent.key, node) as never);
        parent.key = null;
      } else parent.node.items.push(node as never);
      hasValue(parent, null);
    } else this.root = node;
    this.stack.push(c);
    // nestingDepth: each open collection is one level, its scalars one more, a flow sequence's items two more.
    if (this.stack.length + 2 > this.maxDepth) throw BAIL;
    return c;
  }

  /** Closes the innermost collection (parser.js pop): its range, and where its trailing comments go. */
  private pop(): void {
    const c = this.stack.pop()!;
    if (c.state === 1) this.empty(c, false);
    const items = c.node.items as unknown[];
    if (!items.length) throw BAIL;
    const last = items[items.length - 1];
    const lastEnd = ((last instanceof Pair ? last.value : last) as Scalar).range![2];
    let end = lastEnd;
    const parent = this.stack.length ? this.stack[this.stack.length - 1] : null;
    if (c.state === 2 && c.toks.length) {
      if (c.indent === 0 || c.toks.every((t) => t.type !== COMMENT || t.indent < c.indent)) {
        if (parent) {
          parent.state = 2;
          parent.toks = c.toks;
          parent.lastScalar = null;
        } else this.docEnd = c.toks[c.toks.length - 1].end; // the document's end tokens
      } else end = c.toks[c.toks.length - 1].end;
    }
    const range = c.node.range!;
    range[1] = lastEnd;
    range[2] = end;
  }

  /** The empty value of c's last key (a key with ':' and nothing after it). */
  private empty(c: Coll, atNextItem: boolean): void {
    let toks = c.toks;
    if (atNextItem) {
      // parser.js blockMap: newline-separated tokens that are not indented go to the next item.
      const nl: number[] = [];
      for (let i = 0; i < toks.length; i++) {
        const t = toks[i];
        if (t.type === NL) nl.push(i);
        else if (t.type === COMMENT && t.indent > c.indent) nl.length = 0;
      }
      if (nl.length >= 2) toks = toks.slice(0, nl[1]);
    }
    const at = c.emptyAt;
    const hasComment = toks.some((t) => t.type === COMMENT);
    const value = this.scalar('', Scalar.PLAIN, at, at, hasComment ? toks[toks.length - 1].end : at, false);
    c.node.items.push(new Pair(c.key, value) as never);
    c.key = null;
    hasValue(c, null);
  }

  /** A list item `- ...` at p (its '-') in sequence c. */
  private item(c: Coll, p: number): void {
    const text = this.text;
    if (!c.node.range) c.node.range = this.range(p, p, p);
    let q = p + 1;
    while (q < this.le && text.charCodeAt(q) === 32) q++;
    if (q === this.le) throw BAIL; // an empty item
    const ch = text.charCodeAt(q);
    if (ch === 35 /* # */ || (ch === 45 && (q + 1 === this.le || text.charCodeAt(q + 1) === 32))) throw BAIL; // `- # c`, `- - x`
    const colon = this.keyEnd(q);
    if (colon >= 0) {
      const map = this.open(true, q - this.ls, c);
      this.pair(map, q);
      return;
    }
    const value = this.value(q, null);
    c.node.items.push(value as never);
    hasValue(c, value);
  }

  /**
   * A key line `key: value` at p in mapping c. The key is plain or quoted; the value a one-line scalar, or nothing
   * (the value comes on the next lines, or is empty).
   */
  private pair(c: Coll, p: number): void {
    const text = this.text;
    const le = this.le;
    if (!c.node.range) c.node.range = this.range(p, p, p);
    let keyEnd: number;
    let colon: number;
    let key: Scalar;
    const ch = text.charCodeAt(p);
    if (ch === 34 || ch === 39) {
      const close = this.quoteEnd(p);
      colon = close;
      while (colon < le && text.charCodeAt(colon) === 32) colon++;
      if (text.charCodeAt(colon) !== 58 || !(colon + 1 === le || text.charCodeAt(colon + 1) === 32)) throw BAIL;
      key = this.quoted(p, close);
    } else {
      colon = this.keyEnd(p);
      if (colon < 0) throw BAIL; // not a key: a scalar where a key was expected
      keyEnd = colon;
      while (text.charCodeAt(keyEnd - 1) === 32) keyEnd--;
      if (keyEnd - p > 1000) throw BAIL; // yaml: keys over 1024 characters are an error
      const source = text.slice(p, keyEnd);
      if (!plainStart(source) || source.startsWith('<<')) throw BAIL;
      key = this.scalar(source, Scalar.PLAIN, p, keyEnd, keyEnd, true);
    }
    let q = colon + 1;
    while (q < le && text.charCodeAt(q) === 32) q++;
    if (q === le || text.charCodeAt(q) === 35) {
      // No value on this line: the separator's tokens follow ':' (the comment is on the key line's indentation).
      c.key = key;
      c.state = 1;
      c.lastScalar = null;
      c.endsWithComment = false;
      c.emptyAt = q;
      const toks: Tok[] = [];
      const lineIndent = c.indent;
      if (q > colon + 1) toks.push({ type: SP, end: q, indent: lineIndent });
      if (q < le) toks.push({ type: COMMENT, end: le, indent: lineIndent });
      if (this.next > le) toks.push({ type: NL, end: this.next, indent: lineIndent });
      c.toks = toks;
      return;
    }
    const value = this.value(q, c.indent);
    c.node.items.push(new Pair(key, value) as never);
    hasValue(c, value);
  }

  /** Where the ':' of a plain implicit key starting at p is, or -1 when the line holds no key. */
  private keyEnd(p: number): number {
    const text = this.text;
    const le = this.le;
    const ch = text.charCodeAt(p);
    if (ch === 34 || ch === 39) {
      const close = this.quoteEnd(p);
      let q = close;
      while (q < le && text.charCodeAt(q) === 32) q++;
      return text.charCodeAt(q) === 58 && (q + 1 === le || text.charCodeAt(q + 1) === 32) ? q : -1;
    }
    for (let i = p; i < le; i++) {
      const c = text.charCodeAt(i);
      if (c === 58 /* : */ && (i + 1 === le || text.charCodeAt(i + 1) === 32)) return i;
      if (c === 35 /* # */ && text.charCodeAt(i - 1) === 32) return -1;
    }
    return -1;
  }

  /** The offset after the closing quote of the quoted scalar that opens at p, on this line. */
  private quoteEnd(p: number): number {
    const text = this.text;
    const le = this.le;
    const q = text.charCodeAt(p);
    for (let i = p + 1; i < le; i++) {
      const c = text.charCodeAt(i);
      if (q === 34 && c === 92 /* \ */) {
        i++;
        continue;
      }
      if (c === q) {
        if (q === 39 && text.charCodeAt(i + 1) === 39) {
          i++;
          continue;
        }
        return i + 1;
      }
    }
    throw BAIL; // a multi-line quoted scalar
  }

  /** A one-line value scalar at q, with what may follow it on the line (spaces, a comment). */
  private value(q: number, blockIndent: number | null): Scalar {
    const text = this.text;
    const le = this.le;
    const ch = text.charCodeAt(q);
    let valueEnd: number;
    let node: Scalar;
    if (ch === 91 /* [ */ || ch === 123 /* { */) {
      const flow = this.flow(q, blockIndent);
      flow.range![2] = this.next;
      return flow;
    }
    if (ch === 34 || ch === 39) {
      valueEnd = this.quoteEnd(q);
      let r = valueEnd;
      while (r < le && text.charCodeAt(r) === 32) r++;
      if (r < le && (text.charCodeAt(r) !== 35 || r === valueEnd)) throw BAIL; // `"a" b`, `"a": b`, `"a"#c`
      node = this.quoted(q, valueEnd);
    } else {
      let r = q;
      valueEnd = q;
      for (; r < le; r++) {
        const c = text.charCodeAt(r);
        if (c === 35 && text.charCodeAt(r - 1) === 32) break;
        if (c === 58 && (r + 1 === le || text.charCodeAt(r + 1) === 32)) throw BAIL; // `a: b: c`
        if (c !== 32) valueEnd = r + 1;
      }
      const source = text.slice(q, valueEnd);
      if (!plainStart(source)) throw BAIL;
      node = this.scalar(source, Scalar.PLAIN, q, valueEnd, valueEnd, false);
    }
    node.range![2] = this.next;
    return node;
  }

  /**
   * A flow sequence of scalars (`[a, "b", 3]`, a trailing comma allowed), or an empty one (`[]`) or an empty flow
   * mapping (`{}`), followed by nothing but spaces and a comment. An item's range ends at the ',' or ']' after it.
   * The value of a mapping's key (blockIndent: that mapping's indentation) may go on over the next lines, each
   * indented deeper than the mapping (the closing ']' may be at the mapping's indentation), one-line items only,
   * no comments or blank lines in it (`checkpoint_files: [` in torchtune's configs).
   */
  private flow(q: number, blockIndent: number | null): Scalar {
    const text = this.text;
    let node: YAMLSeq | YAMLMap;
    let r: number;
    if (++this.nodes > this.maxNodes) throw BAIL;
    const range = this.range(q, q, q); // before its items', as a block collection's (the incremental parser relies on it)
    if (text.charCodeAt(q) === 123) {
      if (text.charCodeAt(q + 1) !== 125) throw BAIL; // only `{}`
      node = new YAMLMap(this.schema);
      r = q + 2;
    } else {
      const seq = new YAMLSeq(this.schema);
      node = seq;
      r = q + 1;
      /** Past spaces, and past line ends onto the next line where blockIndent allows. */
      const skip = (): void => {
        for (;;) {
          while (r < this.le && text.charCodeAt(r) === 32) r++;
          if (r < this.le) {
            if (text.charCodeAt(r) === 35) throw BAIL; // a comment in the collection
            return;
          }
          if (blockIndent === null || this.next >= text.length) throw BAIL;
          this.ls = this.next;
          const nl = text.indexOf('\n', this.ls);
          this.next = nl < 0 ? text.length : nl + 1;
          this.le = nl < 0 ? text.length : nl > this.ls && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
          r = this.ls;
          while (r < this.le && text.charCodeAt(r) === 32) r++;
          const indent = r - this.ls;
          if (r === this.le) throw BAIL; // a blank line in the collection
          const closing = text.charCodeAt(r) === 93;
          if (!(indent > blockIndent || (closing && indent === blockIndent))) throw BAIL;
        }
      };
      skip();
      if (text.charCodeAt(r) === 93) {
        if (r !== q + 1) throw BAIL; // only `[]`
        r++;
      } else
        for (;;) {
          const s = r;
          const ch = text.charCodeAt(s);
          let item: Scalar;
          if (ch === 34 || ch === 39) {
            r = this.quoteEnd(s);
            item = this.quoted(s, r);
          } else {
            let valueEnd = s;
            for (; r < this.le; r++) {
              const c = text.charCodeAt(r);
              if (c === 44 || c === 93) break;
              if (c === 91 || c === 123 || c === 125 || c === 58 || c === 35) throw BAIL; // nesting, pairs, comments
              if (c !== 32) valueEnd = r + 1;
            }
            const source = text.slice(s, valueEnd);
            if (!plainStart(source)) throw BAIL; // an empty item, or one that starts with an indicator
            item = this.scalar(source, Scalar.PLAIN, s, valueEnd, valueEnd, false);
          }
          skip(); // a plain item ends at a line end when the next line starts with ',' or ']' (else: declined below)
          const sep = text.charCodeAt(r);
          if (sep !== 44 && sep !== 93) throw BAIL; // unclosed, or something after a quoted item
          item.range![2] = r;
          seq.items.push(item);
          r++;
          if (sep === 93) break;
          skip();
          if (text.charCodeAt(r) === 93) {
            r++; // a trailing comma
            break;
          }
          if (text.charCodeAt(r) === 44) throw BAIL; // `[a,,b]`
        }
    }
    node.flow = true;
    range[1] = range[2] = r;
    node.range = range;
    const le = this.le;
    while (r < le && text.charCodeAt(r) === 32) r++;
    if (r < le && (text.charCodeAt(r) !== 35 || text.charCodeAt(r - 1) !== 32)) throw BAIL;
    return node as unknown as Scalar;
  }

  /** A one-line quoted scalar: always a string, key or not (compose-scalar.js tests only plain scalars). */
  private quoted(p: number, close: number): Scalar {
    const text = this.text;
    let source = text.slice(p + 1, close - 1);
    if (text.charCodeAt(p) === 39) {
      if (source.includes("'")) source = source.replace(/''/g, "'");
    } else if (source.includes('\\')) {
      source = source.replace(/\\(.)/g, (_, e: string) => {
        const out = ESCAPES[e];
        if (out === undefined) throw BAIL;
        return out;
      });
    }
    const node = new Scalar(source);
    if (++this.nodes > this.maxNodes) throw BAIL;
    node.range = this.range(p, close, close);
    node.source = source;
    node.type = text.charCodeAt(p) === 39 ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE;
    return node;
  }

  /** A plain scalar resolved as compose-scalar.js does: the first default tag whose test matches, else a string. */
  private scalar(source: string, type: Scalar.Type, start: number, valueEnd: number, end: number, atKey: boolean): Scalar {
    let tag = plainTags.get(source) as ScalarTag | undefined;
    if (!tag) {
      tag = (this.schema.tags as ScalarTag[]).find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(source));
      // schema[SCALAR] (identity.js: Symbol.for('yaml.scalar')), the string tag.
      if (!tag) tag = (this.schema as unknown as Record<symbol, ScalarTag | undefined>)[Symbol.for('yaml.scalar')];
      if (!tag) throw BAIL;
      if (tag.default === 'key') throw BAIL;
      if (plainTags.size < 4096) plainTags.set(source, tag);
    }
    let failed = false;
    const res = tag.resolve(source, () => (failed = true), this.doc.options);
    if (failed) throw BAIL;
    const node = isScalar(res) ? res : new Scalar(res);
    if (++this.nodes > this.maxNodes) throw BAIL;
    node.range = this.range(start, valueEnd, end);
    node.source = source;
    node.type = type;
    if (tag.format) node.format = tag.format;
    return node;
  }
}

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  tag: string;
  resolve: (value: string, onError: (msg: string) => void, options: unknown) => unknown;
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' };

/** A plain scalar may start with this text (yaml: an indicator starts something else, or is an error). */
function plainStart(source: string): boolean {
  if (!source) return false;
  const c = source[0];
  if (':,[]{}#&*!|>\'"%@`'.includes(c)) return false;
  // `-` and `?` start a plain scalar when a non-space follows (`-1`, Hydra's `???`); `---` may be a document marker.
  if (c === '-') return source.length > 1 && source[1] !== ' ' && source[1] !== '-';
  if (c === '?') return source.length > 1 && source[1] !== ' ';
  return true;
}

/**
 * What `doc.toJS()` returns for a document (or node) the fast reader built, without the yaml package's generic
 * walk (toJS.js, addPairToJSMap.js): a mapping is an object whose keys are the keys' values as strings (null as
 * ''), a later duplicate key replacing an earlier one in place; a sequence an array; a scalar its value.
 */
export function blockValue(node: unknown): unknown {
  if (node instanceof Scalar) return node.value;
  if (node instanceof YAMLSeq) return node.items.map(blockValue);
  if (node instanceof YAMLMap) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items as Array<Pair<Scalar, unknown>>) {
      const key = pair.key.value;
      const name = key === null ? '' : String(key as string);
      const value = blockValue(pair.value);
      if (name in out) Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
      else out[name] = value;
    }
    return out;
  }
  return node instanceof Document ? blockValue(node.contents) : null;
}
