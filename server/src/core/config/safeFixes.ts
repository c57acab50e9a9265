import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { preferredFixes } from './actions';
import type { Fix } from '../common/diagnostics';

/** Each fix proven alone costs one more check of the file: past this many, a fix is not proven and not safe. */
const MAX_PROOFS = 12;

/**
 * A fix is offered as safe (fix-all, `ftw fix`) only when the fixed text, checked again, has fewer diagnostics and
 * gains none: for every code, no more diagnostics than before. All safe fixes are tried together first (one more
 * check, the usual case); when that gains a diagnostic, each is tried alone, and one that gains is no longer
 * preferred (it stays a quick fix the user chooses and sees). Issue 14 (4): a "safe" fix once produced a file the
 * tool refuses (Accelerate's `backend: TE` changed to `te`).
 */
export function proveSafeFixes(textDocument: TextDocument, diagnostics: Diagnostic[], recheck: (text: string) => Diagnostic[]): void {
  const taken = preferredFixes(diagnostics);
  if (!taken.length) return;
  const before = countByCode(diagnostics);
  const gains = (fixes: Fix[]) => {
    const after = recheck(
      TextDocument.applyEdits(
        textDocument,
        fixes.flatMap((f) => f.edits),
      ),
    );
    if (after.length >= diagnostics.length) return true;
    for (const [code, n] of countByCode(after)) if (n > (before.get(code) ?? 0)) return true;
    return false;
  };
  if (!gains(taken.map((t) => t.fix))) return;
  taken.forEach(({ fix }, i) => {
    if (i >= MAX_PROOFS || gains([fix])) fix.preferred = false;
  });
}

function countByCode(diagnostics: Diagnostic[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of diagnostics) out.set(String(d.code), (out.get(String(d.code)) ?? 0) + 1);
  return out;
}
