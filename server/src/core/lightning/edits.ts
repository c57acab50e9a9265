import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { offsetRange } from '../common/diagnostics';
import { collectImports } from './imports';
import type { Node } from './python';

// Text helpers shared by the structural fixes of tuner.ts and hookFixes.ts.

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function lineEndOf(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}

export function indentAt(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStartOf(text, offset)))![0];
}

export interface Span {
  start: number;
  end: number;
  newText: string;
}

/** Merges overlapping deletions (two neighbouring arguments share a comma) into one edit each. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end && !last.newText && !s.newText) last.end = Math.max(last.end, s.end);
    else if (last && s.start < last.end) return [];
    else out.push({ ...s });
  }
  return out;
}

export function toEdits(textDocument: TextDocument, spans: Span[]): TextEdit[] {
  return spans.map((s) => ({ range: offsetRange(textDocument, s.start, s.end), newText: s.newText }));
}

/**
 * Deletes some arguments of a call and keeps the rest as written: an argument on a line of its own loses that
 * line (a comment after it stays, on its own line); inline ones go with the comma that separates them from a
 * kept neighbour. Undefined when a comment would be lost.
 */
export function removeArguments(text: string, argList: Node, removed: Node[]): Span[] | undefined {
  const args = argList.namedChildren.filter((a): a is Node => a !== null && a.type !== 'comment');
  const gone = new Set(removed.map((r) => r.startIndex));
  const comments = argList.namedChildren.filter((a): a is Node => a !== null && a.type === 'comment');
  const spans: Span[] = [];
  for (const [i, arg] of args.entries()) {
    if (!gone.has(arg.startIndex)) continue;
    const start = lineStartOf(text, arg.startIndex);
    const end = lineEndOf(text, arg.endIndex);
    const before = text.slice(start, arg.startIndex);
    const after = text.slice(arg.endIndex, end);
    const alone = /^\s*$/.test(before) && /^\s*,?\s*(?:#.*)?$/.test(after);
    if (alone) {
      const comment = comments.find((c) => c.startIndex > arg.endIndex && c.startIndex < end);
      spans.push(comment ? { start: arg.startIndex, end: comment.startIndex, newText: '' } : { start, end: Math.min(end + 1, text.length), newText: '' });
      continue;
    }
    const keptAfter = args.slice(i + 1).find((a) => !gone.has(a.startIndex));
    const keptBefore = [...args.slice(0, i)].reverse().find((a) => !gone.has(a.startIndex));
    let span: Span;
    if (keptAfter) span = { start: arg.startIndex, end: args[i + 1].startIndex, newText: '' };
    else if (keptBefore) span = { start: keptBefore.endIndex, end: arg.endIndex, newText: '' };
    else {
      let e = arg.endIndex;
      while (e < text.length && /[ \t]/.test(text[e])) e++;
      if (text[e] === ',') e++;
      span = { start: arg.startIndex, end: e, newText: '' };
    }
    if (comments.some((c) => c.startIndex >= span.start && c.startIndex < span.end)) return undefined;
    spans.push(span);
  }
  const merged = mergeSpans(spans);
  return merged.length || !spans.length ? merged : undefined;
}

/** The package root the file imports Lightning from: `pytorch_lightning` or `lightning.pytorch`. */
export function lightningRoot(root: Node, isShim: (n: Node) => boolean): 'pytorch_lightning' | 'lightning.pytorch' {
  for (const b of collectImports(root, isShim).values()) {
    if (!b.lightning) continue;
    if (b.module.startsWith('pytorch_lightning')) return 'pytorch_lightning';
  }
  return 'lightning.pytorch';
}

/**
 * Where a new top-level import goes: after the last top-level Lightning import (else after the last import, else
 * after the module docstring), as an insertion at the start of the next line.
 */
export function importInsertionPoint(text: string, root: Node): number {
  const top = root.namedChildren.filter((c): c is Node => c !== null);
  const imports = top.filter((c) => c.type === 'import_statement' || c.type === 'import_from_statement' || c.type === 'future_import_statement');
  const lightning = imports.filter((c) => /\b(?:pytorch_lightning|lightning)\b/.test(c.text));
  const anchor = lightning[lightning.length - 1] ?? imports[imports.length - 1];
  if (anchor) return Math.min(lineEndOf(text, anchor.endIndex) + 1, text.length);
  const first = top[0];
  if (first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') return Math.min(lineEndOf(text, first.endIndex) + 1, text.length);
  return 0;
}

/** Every identifier spelled in the source (a cheap over-approximation of the names in use). */
export function usesName(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w.])${name}(?!\\w)`).test(text);
}

/** The insertion of one import line at importInsertionPoint. */
export function importLine(text: string, root: Node, line: string): Span {
  const at = importInsertionPoint(text, root);
  const needsBreak = at > 0 && text[at - 1] !== '\n';
  return { start: at, end: at, newText: `${needsBreak ? '\n' : ''}${line}\n` };
}
