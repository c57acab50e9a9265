import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { preferredFixes } from '../core/config';

/** The edits fix-all makes (the core's preferredFixes), with a line per fix for the report. */
export function preferredEdits(diagnostics: Diagnostic[]): { edits: TextEdit[]; titles: string[] } {
  const taken = preferredFixes(diagnostics);
  return { edits: taken.flatMap((t) => t.fix.edits), titles: taken.map((t) => `${t.diagnostic.range.start.line + 1}: ${t.fix.title}`) };
}

/** A unified diff of two texts, line based (for `ftw fix --dry-run`). */
export function unifiedDiff(file: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence on lines; configs and modules are small enough for the quadratic table.
  const n = a.length;
  const m = b.length;
  if (n * m > 25_000_000) return `--- ${file}\n+++ ${file}\n(file too large to diff)\n`;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      lines.push(` ${a[i]}`);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) lines.push(`+${b[j++]}`);
    else lines.push(`-${a[i++]}`);
  }
  // Keep changed lines with two lines of context.
  const keep = new Set<number>();
  lines.forEach((l, k) => {
    if (l[0] !== ' ') for (let c = k - 2; c <= k + 2; c++) keep.add(c);
  });
  const out = [`--- ${file}`, `+++ ${file} (fixed)`];
  let last = -2;
  lines.forEach((l, k) => {
    if (!keep.has(k)) return;
    if (k !== last + 1) out.push('@@');
    out.push(l);
    last = k;
  });
  return `${out.join('\n')}\n`;
}
