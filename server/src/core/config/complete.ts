import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CompletionItemKind,
  CompletionItemTag,
  InsertTextFormat,
  type CompletionItem,
  type CompletionList,
  type Position,
  type Range,
} from 'vscode-languageserver-types';
import { describeKey } from './hover';
import type { Analysis } from './service';
import { allowedValues, propertiesOf, schemaAt, typeLabel, typesOf, type JsonSchema } from './schema';
import { callableTable, hydraCompletion } from './hydra';

/** A path as completion sees it: keys, and '[]' for "some item of this list". */
type CompletionPath = string[];

interface Context {
  kind: 'key' | 'value';
  path: CompletionPath;
  /** Keys already present beside the cursor (not offered again). */
  siblings: Set<string>;
  /** The text being replaced. */
  range: Range;
  /** Indentation of the key being typed, for multi-line inserts (YAML). */
  indent: string;
  quoted: boolean;
}

export function completeAt(textDocument: TextDocument, position: Position, analysis: Analysis): CompletionList {
  const empty = { isIncomplete: false, items: [] };
  if (!analysis.schema) return empty;
  if (analysis.detection.format === 'hydra') {
    return analysis.parsed?.doc && analysis.syntax === 'yaml'
      ? { isIncomplete: false, items: hydraCompletion(textDocument, position, analysis.parsed.doc, callableTable(analysis.schema)) }
      : empty;
  }
  const ctx = analysis.syntax === 'json' ? jsonContext(textDocument, position) : yamlContext(textDocument, position);
  if (!ctx) return empty;
  const target = schemaAt(analysis.schema, ctx.kind === 'key' ? ctx.path : ctx.path);
  if (!target) return empty;
  const tool = analysis.schema['x-ftw-tool'] ?? '';
  const items = ctx.kind === 'key' ? keyItems(target, ctx, analysis.syntax, tool) : valueItems(target, ctx, analysis.syntax);
  return { isIncomplete: false, items };
}

function keyItems(parent: JsonSchema, ctx: Context, syntax: 'yaml' | 'json', tool: string): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const [name, schema] of Object.entries(propertiesOf(parent))) {
    if (ctx.siblings.has(name) || schema['x-ftw-aliasOf']) continue;
    const types = typesOf(schema);
    const isObject = types.includes('object') && Boolean(schema.properties);
    const isList = types.includes('array') && Boolean(schema.items?.properties);
    let insertText: string;
    let format: InsertTextFormat = InsertTextFormat.PlainText;
    if (syntax === 'json') {
      insertText = ctx.quoted ? name : `"${name}": `;
    } else if (isObject || isList) {
      insertText = `${name}:\n${ctx.indent}  ${isList ? '- ' : ''}$0`;
      format = InsertTextFormat.Snippet;
    } else insertText = `${name}: `;
    const group = schema.deprecated ? '9' : schema['x-ftw-plugin'] ? '5' : '1';
    items.push({
      label: name,
      kind: CompletionItemKind.Property,
      detail: `${typeLabel(schema)}${schema.default !== undefined && schema.default !== null ? ` = ${JSON.stringify(schema.default)}` : ''}`,
      documentation: { kind: 'markdown', value: describeKey(name, schema, tool) },
      textEdit: { range: ctx.range, newText: insertText },
      insertTextFormat: format,
      filterText: name,
      sortText: `${group}${name}`,
      tags: schema.deprecated ? [CompletionItemTag.Deprecated] : undefined,
      command:
        syntax === 'yaml' && !isObject && !isList && allowedValues(schema).length
          ? { title: 'Suggest values', command: 'editor.action.triggerSuggest' }
          : undefined,
    });
  }
  return items;
}

function valueItems(schema: JsonSchema, ctx: Context, syntax: 'yaml' | 'json'): CompletionItem[] {
  const values: unknown[] = allowedValues(schema).filter((v) => v !== null);
  if (typesOf(schema).includes('boolean') && !values.includes(true)) values.push(true, false);
  for (const e of schema.examples ?? []) if (!values.includes(e)) values.push(e);
  return values.map((v, i) => {
    const text = typeof v === 'string' ? (syntax === 'json' && !ctx.quoted ? JSON.stringify(v) : v) : String(JSON.stringify(v));
    return {
      label: typeof v === 'string' ? v : String(JSON.stringify(v)),
      kind: CompletionItemKind.Value,
      detail: v === schema.default ? 'default' : undefined,
      textEdit: { range: ctx.range, newText: text },
      sortText: `${v === schema.default ? '0' : '1'}${String(i).padStart(3, '0')}`,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// YAML: read the structure from indentation, which still works while the line being typed is incomplete.

interface LineShape {
  /** Column of the first key on the line (after any "- " markers), or -1. */
  keyCol: number;
  key: string | null;
  /** True when the key has no inline value (`key:` opening a block). */
  opensBlock: boolean;
  /** Columns of the "- " markers at the start of the line. */
  dashes: number[];
  blank: boolean;
}

const KEY_RE = /^((?:"[^"]*"|'[^']*'|[^\s#'"{}[\],][^#]*?))\s*:(?:\s+|$)(.*)$/;

/** Keys sit at the start of a line: the rest of a very long line (a 1 MB value) is not read. */
const MAX_LINE = 4096;

function shapeOf(fullLine: string): LineShape {
  const line = fullLine.length > MAX_LINE ? fullLine.slice(0, MAX_LINE) : fullLine;
  const dashes: number[] = [];
  let col = 0;
  while (col < line.length && line[col] === ' ') col++;
  if (col >= line.length || line[col] === '#') return { keyCol: -1, key: null, opensBlock: false, dashes, blank: true };
  while (line[col] === '-' && (line[col + 1] === ' ' || col + 1 === line.length)) {
    dashes.push(col);
    col++;
    while (line[col] === ' ') col++;
  }
  const rest = line.slice(col);
  const m = KEY_RE.exec(rest);
  if (!m) return { keyCol: col, key: null, opensBlock: false, dashes, blank: false };
  const value = m[2].replace(/#.*$/, '').trim();
  const key = m[1].replace(/^["']|["']$/g, '');
  return { keyCol: col, key, opensBlock: value === '' || /^[&!][^\s]*$/.test(value) || value === '|' || value === '>', dashes, blank: false };
}

function yamlContext(textDocument: TextDocument, position: Position): Context | null {
  // Lines as LSP counts them: a lone \r ends a line too.
  const lines = textDocument.getText().split(/\r\n|\r|\n/);
  const line = lines[position.line] ?? '';
  const before = line.slice(0, position.character);
  if (before.length > MAX_LINE) return null; // deep inside a long value: nothing to complete
  if (/#/.test(before.replace(/(["']).*?\1/g, ''))) return null; // inside a comment

  const current = shapeOf(before);
  const valueMatch = /^(\s*(?:-\s+)*)((?:"[^"]*"|'[^']*'|[^\s#:'"][^#:]*?))\s*:\s+(\S*)$/.exec(before);
  let kind: 'key' | 'value';
  let keyCol: number;
  let ownKey: string | null = null;
  let wordStart: number;
  if (valueMatch) {
    kind = 'value';
    ownKey = valueMatch[2].replace(/^["']|["']$/g, '');
    keyCol = valueMatch[1].length;
    wordStart = position.character - valueMatch[3].length;
  } else {
    const keyMatch = /^(\s*(?:-\s+)*)([\w.-]*)$/.exec(before);
    if (!keyMatch) return null;
    kind = 'key';
    keyCol = keyMatch[1].length;
    wordStart = keyCol;
  }
  const after = /^[\w.-]*/.exec(line.slice(position.character))![0];
  const path: CompletionPath = [];
  // Walk up to the enclosing keys. `col` is where the construct we are in starts; `isItem` when it is a "- " item.
  let col = current.dashes.length ? current.dashes[0] : keyCol;
  let isItem = current.dashes.length > 0;
  for (const _ of current.dashes) path.unshift('[]');
  for (let l = position.line - 1; l >= 0 && (col > 0 || isItem); l--) {
    const shape = shapeOf(lines[l]);
    if (shape.blank) continue;
    const firstDash = shape.dashes.length ? shape.dashes[0] : -1;
    if (shape.key !== null && shape.opensBlock && (shape.keyCol < col || (shape.keyCol === col && isItem))) {
      // `key:` opening the block we are in (a list may sit at the key's own column).
      path.unshift(shape.key);
      for (const _ of shape.dashes) path.unshift('[]');
      isItem = shape.dashes.length > 0;
      col = isItem ? firstDash : shape.keyCol;
      continue;
    }
    if (!isItem && shape.dashes.length && shape.keyCol === col && firstDash < col) {
      // "- first_key: v" above us, and we are aligned with its first key: we are in that list item.
      for (const _ of shape.dashes) path.unshift('[]');
      isItem = true;
      col = firstDash;
      continue;
    }
    const startCol = firstDash >= 0 ? firstDash : shape.keyCol;
    if (startCol >= col) continue; // a sibling, or deeper content
    return null; // a scalar to our left: the cursor is not in a mapping we understand
  }
  if (kind === 'value') path.push(ownKey!);
  const siblings = kind === 'key' ? siblingKeys(lines, position.line, keyCol, current.dashes.length > 0) : new Set<string>();
  return {
    kind,
    path,
    siblings,
    range: { start: { line: position.line, character: wordStart }, end: { line: position.line, character: position.character + after.length } },
    indent: ' '.repeat(keyCol),
    quoted: false,
  };
}

/** Keys at the same column in the same mapping, above and below the cursor line. */
function siblingKeys(lines: string[], lineNo: number, col: number, startsItem: boolean): Set<string> {
  const keys = new Set<string>();
  // A line that opens a new list item has no siblings above it.
  for (let l = lineNo - 1; !startsItem && l >= 0; l--) {
    const shape = shapeOf(lines[l]);
    if (shape.blank) continue;
    if (shape.keyCol === col && shape.key !== null) keys.add(shape.key);
    const startCol = shape.dashes.length ? shape.dashes[0] : shape.keyCol;
    if (startCol < col) break; // the parent key, or the "- " that opens our item
  }
  for (let l = lineNo + 1; l < lines.length; l++) {
    const shape = shapeOf(lines[l]);
    if (shape.blank) continue;
    const startCol = shape.dashes.length ? shape.dashes[0] : shape.keyCol;
    if (startCol < col) break; // the end of our mapping, or the next list item
    if (shape.keyCol === col && shape.key !== null) keys.add(shape.key);
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON: a small scanner from the start of the file to the cursor; errors after the cursor do not matter.

interface Frame {
  type: 'object' | 'array';
  key: string | null;
  expectKey: boolean;
  keys: Set<string>;
}

function jsonContext(textDocument: TextDocument, position: Position): Context | null {
  const text = textDocument.getText();
  const offset = textDocument.offsetAt(position);
  const stack: Frame[] = [];
  let lastString: string | null = null;
  let i = 0;
  let inStringStart = -1;
  while (i < offset) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= offset) {
        inStringStart = i;
        break;
      }
      lastString = text.slice(i + 1, j);
      const top = stack[stack.length - 1];
      if (top?.type === 'object' && top.expectKey) top.keys.add(lastString);
      i = j + 1;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === '{') stack.push({ type: 'object', key: top?.type === 'object' ? lastString : '[]', expectKey: true, keys: new Set() });
    else if (c === '[') stack.push({ type: 'array', key: top?.type === 'object' ? lastString : '[]', expectKey: false, keys: new Set() });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ':' && top?.type === 'object') top.expectKey = false;
    else if (c === ',' && top?.type === 'object') top.expectKey = true;
    i++;
  }
  const top = stack[stack.length - 1];
  if (!top) return null;
  const path = stack.slice(1).map((f) => f.key ?? '[]');
  const quoted = inStringStart >= 0;
  // The word before the cursor, read backwards on its own line (a regex anchored at the end of everything before
  // the cursor would try every start: 17 s with a 200 KB string value).
  let start = quoted ? inStringStart + 1 : offset;
  while (!quoted && start > 0 && /[\w.-]/.test(text[start - 1])) start--;
  let end = offset;
  if (quoted) {
    while (end < text.length && text[end] !== '"' && text[end] !== '\n') end++;
  }
  const range = { start: textDocument.positionAt(start), end: textDocument.positionAt(end) };
  if (top.type === 'object' && top.expectKey) return { kind: 'key', path, siblings: top.keys, range, indent: '', quoted };
  if (top.type === 'object' && lastString !== null) return { kind: 'value', path: [...path, lastString], siblings: new Set(), range, indent: '', quoted };
  return null;
}
