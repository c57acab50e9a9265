import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CompletionItemKind, CompletionItemTag, type CompletionItem, type Hover, type Position, type Range } from 'vscode-languageserver-types';
import { isMap, isScalar, type Document, type Node, type YAMLMap } from 'yaml';
import { contextAt, findPair, locate, resolveAlias } from '../ast';
import { offsetRange } from '../../common/diagnostics';
import { HYDRA_KEYS, lookupCallable, type CallableArg, type CallableInfo, type CallableTable } from './callables';

/** Markdown for one argument of a callable: type, default, allowed values, what it does. */
export function describeArgument(name: string, arg: CallableArg, callable: string, info: CallableInfo): string {
  const lines = [`**${name}**${arg.type === 'any' ? '' : ` \`${arg.type}\``} — argument of \`${callable}\``];
  if (arg.description) lines.push('', arg.description);
  const facts: string[] = [];
  if (arg.default !== undefined) facts.push(`Default: \`${JSON.stringify(arg.default)}\``);
  if (arg.byCaller) facts.push('Usually passed by the code that calls `instantiate`');
  if (facts.length) lines.push('', facts.join(' · '));
  if (arg.enum?.length) lines.push('', `Allowed: ${arg.enum.map((v) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``).join(', ')}`);
  if (arg.deprecated) lines.push('', `**Deprecated**${typeof arg.deprecated === 'string' ? `: use \`${arg.deprecated}\`` : ''}.`);
  if (arg.since) lines.push('', `_${info.tool} ${arg.since}+_`);
  return lines.join('\n');
}

/** The `_target_` block a mapping path is in: the mapping itself, when it has a `_target_` we know. */
function blockAt(doc: Document, table: CallableTable, path: Array<string | number>): { map: YAMLMap; name: string; info: CallableInfo } | undefined {
  const node = path.length ? locate(doc, path).node : resolveAlias(doc, doc.contents);
  if (!isMap(node)) return undefined;
  const target = resolveAlias(doc, findPair(node, '_target_')?.value);
  if (!isScalar(target) || typeof target.value !== 'string') return undefined;
  const known = lookupCallable(table, target.value.trim());
  return known ? { map: node, ...known } : undefined;
}

export function hydraHover(textDocument: TextDocument, position: Position, doc: Document, table: CallableTable): Hover | null {
  const ctx = contextAt(doc, textDocument.offsetAt(position));
  if (!ctx || !ctx.path.length) return null;
  const key = ctx.path[ctx.path.length - 1];
  if (typeof key !== 'string') return null;
  const node = (ctx.onKey ? ctx.pair?.key : ctx.scalar) as Node | null | undefined;
  const range = node?.range ? offsetRange(textDocument, node.range[0], node.range[1]) : undefined;
  if (key === '_target_' && !ctx.onKey && isScalar(ctx.scalar) && typeof ctx.scalar.value === 'string') {
    const known = lookupCallable(table, ctx.scalar.value.trim());
    if (!known) return null;
    const count = Object.keys(known.info.args).length;
    return {
      contents: {
        kind: 'markdown',
        value: `**${known.name}** (${known.info.tool})\n\n${count} keyword arguments${known.info.kwargs === 'rejected' ? '; any other key is a TypeError' : ''}.`,
      },
      range,
    };
  }
  if (!ctx.onKey) return null;
  if (Object.prototype.hasOwnProperty.call(HYDRA_KEYS, key))
    return { contents: { kind: 'markdown', value: `**${key}** — Hydra\n\n${HYDRA_KEYS[key]}` }, range };
  const block = blockAt(doc, table, ctx.path.slice(0, -1));
  const arg = block && Object.prototype.hasOwnProperty.call(block.info.args, key) ? block.info.args[key] : undefined;
  return block && arg ? { contents: { kind: 'markdown', value: describeArgument(key, arg, block.name, block.info) }, range } : null;
}

const MAX_LINE = 4096;

/** Keys of the `_target_` block the cursor's line sits in, and known `_target_` values. YAML only. */
export function hydraCompletion(textDocument: TextDocument, position: Position, doc: Document, table: CallableTable): CompletionItem[] {
  const text = textDocument.getText();
  const lineStart = textDocument.offsetAt({ line: position.line, character: 0 });
  const offset = textDocument.offsetAt(position);
  const before = text.slice(lineStart, offset).slice(-MAX_LINE);
  const targetValue = /^(\s*(?:-\s+)?)_target_:\s*(\S*)$/.exec(before);
  if (targetValue) {
    const typed = targetValue[2];
    const range: Range = { start: textDocument.positionAt(offset - typed.length), end: position };
    return Object.entries(table.callables).map(([name, info]) => ({
      label: name,
      kind: CompletionItemKind.Class,
      detail: info.tool,
      textEdit: { range, newText: name },
      filterText: name,
    }));
  }
  const keyMatch = /^(\s*)([\w-]*)$/.exec(before);
  if (!keyMatch) return [];
  const typed = keyMatch[2];
  // Read from the text, not the tree: while a key is being typed the block does not parse.
  const block = siblingKeys(text, lineStart, keyMatch[1].length);
  const targetName = block.get('_target_');
  if (!targetName) return [];
  const known = lookupCallable(table, targetName);
  const present = new Set([...block.keys()].filter((k) => k !== typed));
  const range: Range = { start: textDocument.positionAt(offset - typed.length), end: position };
  const items: CompletionItem[] = [];
  if (known) {
    for (const [name, arg] of Object.entries(known.info.args)) {
      if (present.has(name) || arg.byCaller) continue;
      items.push({
        label: name,
        kind: CompletionItemKind.Property,
        detail: `${arg.type}${arg.default !== undefined ? ` = ${JSON.stringify(arg.default)}` : ''}`,
        documentation: { kind: 'markdown', value: describeArgument(name, arg, known.name, known.info) },
        textEdit: { range, newText: `${name}: ` },
        filterText: name,
        sortText: `${arg.deprecated ? '9' : '1'}${name}`,
        tags: arg.deprecated ? [CompletionItemTag.Deprecated] : undefined,
      });
    }
  }
  for (const [name, doc] of Object.entries(HYDRA_KEYS)) {
    if (present.has(name)) continue;
    items.push({
      label: name,
      kind: CompletionItemKind.Keyword,
      detail: 'Hydra',
      documentation: { kind: 'markdown', value: doc },
      textEdit: { range, newText: `${name}: ` },
      filterText: name,
      sortText: `5${name}`,
    });
  }
  return items;
}

const KEY_LINE = /^(\s*)(?:-\s+)?([^\s#:'"][^:#]*?)\s*:(?:\s+(.*?))?\s*$/;

/**
 * The keys (and their one-line values) of the block mapping whose keys sit at column `indent` around the line that
 * starts at `lineStart`: lines above and below at that indentation, up to a line indented less.
 */
function siblingKeys(text: string, lineStart: number, indent: number): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (line: string): boolean => {
    if (!line.trim() || /^\s*#/.test(line)) return true;
    const lead = /^(\s*)(-\s+)?/.exec(line)!;
    const m = KEY_LINE.exec(line);
    if (lead[1].length < indent && lead[0].length <= indent) {
      // The parent key, or a list item `- key:` whose first key is a sibling.
      if (m && lead[2] && lead[0].length === indent) out.set(m[2], (m[3] ?? '').replace(/^['"]|['"]$/g, ''));
      return false;
    }
    if (m && lead[0].length === indent) out.set(m[2], (m[3] ?? '').replace(/^['"]|['"]$/g, ''));
    return true;
  };
  let end = lineStart - 1;
  for (let i = 0; i < 2000 && end > 0; i++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    if (!visit(text.slice(start, end))) break;
    end = start - 1;
  }
  let start = text.indexOf('\n', lineStart);
  for (let i = 0; i < 2000 && start >= 0; i++) {
    const next = text.indexOf('\n', start + 1);
    if (!visit(text.slice(start + 1, next < 0 ? text.length : next))) break;
    start = next;
  }
  return out;
}
