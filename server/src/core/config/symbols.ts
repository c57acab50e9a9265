import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { offsetRange } from '../common/diagnostics';
import { keyText } from './parse';
import type { Analysis } from './service';

/** Enough for any config; a huge generated file gets an outline of its first entries only. */
const MAX_SYMBOLS = 5000;
const MAX_SYMBOL_DEPTH = 12;

function kindOf(node: unknown): SymbolKind {
  if (isMap(node)) return SymbolKind.Object;
  if (isSeq(node)) return SymbolKind.Array;
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') return SymbolKind.Number;
    if (typeof v === 'boolean') return SymbolKind.Boolean;
    if (v === null) return SymbolKind.Null;
  }
  return SymbolKind.String;
}

function detailOf(node: unknown): string | undefined {
  if (isScalar(node)) {
    const text = node.value === null ? '' : String(node.value as string | number | boolean | bigint);
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  }
  if (isSeq(node)) return `${node.items.length} item${node.items.length === 1 ? '' : 's'}`;
  return undefined;
}

/** The outline: one symbol per key, list items named by their first scalar (e.g. a dataset's path). */
export function documentSymbols(textDocument: TextDocument, analysis: Analysis): DocumentSymbol[] {
  const doc = analysis.parsed?.doc;
  if (!doc || analysis.detection.format === 'none') return [];
  let budget = MAX_SYMBOLS;
  const build = (node: unknown, depth: number): DocumentSymbol[] => {
    const out: DocumentSymbol[] = [];
    if (depth > MAX_SYMBOL_DEPTH) return out;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (budget-- <= 0) break;
        const key = pair.key as Node | null;
        const name = keyText(key);
        if (!key?.range || name === null) continue;
        const value = pair.value as Node | null;
        const end = value?.range?.[1] ?? key.range[1];
        out.push({
          name: name || '""',
          detail: detailOf(value),
          kind: kindOf(value),
          range: offsetRange(textDocument, key.range[0], end),
          selectionRange: offsetRange(textDocument, key.range[0], key.range[1]),
          children: build(value, depth + 1),
        });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (budget-- <= 0) return;
        const n = item as Node | null;
        if (!n?.range || !(isMap(n) || isSeq(n))) return;
        const first = isMap(n) ? n.items.find((p) => isScalar(p.value)) : undefined;
        const label = first && isScalar(first.value) ? `${keyText(first.key)}: ${String(first.value.value)}` : `[${i}]`;
        out.push({
          name: label,
          kind: kindOf(n),
          range: offsetRange(textDocument, n.range[0], n.range[1]),
          selectionRange: offsetRange(textDocument, n.range[0], n.range[0]),
          children: build(n, depth + 1),
        });
      });
    }
    return out;
  };
  return build(doc.contents, 0);
}
