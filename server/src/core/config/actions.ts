import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Range, TextEdit } from 'vscode-languageserver-types';
import { SOURCE } from '../common/codes';
import { fixesOf, type Fix } from '../common/diagnostics';
import type { Analysis } from './service';

export const FIX_ALL_KIND = 'source.fixAll.finetune';

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** The analysis's own copy of a diagnostic the client sent back: its fixes are the proven ones. */
function ownCopy(d: Diagnostic, analysis: Analysis | undefined): Diagnostic {
  const same = (x: Diagnostic) =>
    x.code === d.code &&
    x.message === d.message &&
    x.range.start.line === d.range.start.line &&
    x.range.start.character === d.range.start.character &&
    x.range.end.line === d.range.end.line &&
    x.range.end.character === d.range.end.character;
  return analysis?.diagnostics.find(same) ?? d;
}

/**
 * Quick fixes read the fix carried in each diagnostic (the analysis's copy when there is one: its preferred fixes
 * were proven safe, the copy the client holds was published before that); "fix all" applies every preferred fix.
 */
export function codeActionsFor(
  textDocument: TextDocument,
  range: Range,
  diagnostics: Diagnostic[],
  only?: string[],
  analysis?: Analysis,
  fixAll?: TextEdit[],
): CodeAction[] {
  const actions: CodeAction[] = [];
  if (wants(only, 'quickfix')) {
    for (const sent of diagnostics) {
      if (sent.source !== SOURCE || !overlaps(sent.range, range)) continue;
      const d = ownCopy(sent, analysis);
      for (const fix of fixesOf(d)) {
        actions.push({
          title: fix.title,
          kind: 'quickfix',
          diagnostics: [d],
          isPreferred: fix.preferred === true,
          edit: fix.create
            ? {
                documentChanges: [
                  { kind: 'create', uri: fix.create.uri, options: { ignoreIfExists: true } },
                  {
                    textDocument: { uri: fix.create.uri, version: null },
                    edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: fix.create.content }],
                  },
                  ...(fix.edits.length ? [{ textDocument: { uri: textDocument.uri, version: textDocument.version }, edits: fix.edits }] : []),
                ],
              }
            : { changes: { [textDocument.uri]: fix.edits } },
        });
      }
    }
  }
  if (only && wants(only, FIX_ALL_KIND) && only.some((o) => o.startsWith('source'))) {
    // The host may pass fix-all run to its fixed point (documents.ts); else one pass over the diagnostics.
    const edits = fixAll ?? fixAllEdits(analysis?.diagnostics ?? diagnostics);
    if (edits.length) actions.push({ title: 'Fix all auto-fixable config problems', kind: FIX_ALL_KIND, edit: { changes: { [textDocument.uri]: edits } } });
  }
  return actions;
}

/** The preferred fix of every diagnostic that has one, skipping any whose edits overlap one already taken. */
export function preferredFixes(diagnostics: Diagnostic[]): Array<{ diagnostic: Diagnostic; fix: Fix }> {
  const taken: Array<{ diagnostic: Diagnostic; fix: Fix }> = [];
  const edits: TextEdit[] = [];
  for (const d of diagnostics) {
    const fix = fixesOf(d).find((f) => f.preferred);
    if (!fix || fix.create) continue;
    // Two inserts at the same point do not clash; anything that covers text another edit covers does.
    if (fix.edits.some((e) => edits.some((x) => overlapsStrictly(x.range, e.range)))) continue;
    edits.push(...fix.edits);
    taken.push({ diagnostic: d, fix });
  }
  return taken;
}

/** What fix-all applies: the edits of preferredFixes. */
export function fixAllEdits(diagnostics: Diagnostic[]): TextEdit[] {
  return preferredFixes(diagnostics).flatMap((t) => t.fix.edits);
}

function before(p: { line: number; character: number }, q: { line: number; character: number }): boolean {
  return p.line < q.line || (p.line === q.line && p.character < q.character);
}

function overlapsStrictly(a: Range, b: Range): boolean {
  return before(a.start, b.end) && before(b.start, a.end);
}
