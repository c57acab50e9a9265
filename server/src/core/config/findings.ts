import type { Document, Node } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import { locate } from './ast';
import type { Code } from '../common/codes';
import { makeDiagnostic, offsetRange, type Fix } from '../common/diagnostics';
import { placeEdits } from './edits';
import type { Finding } from './rules';
import type { RuleSetting } from './service';

/** Places a rule's finding on the key (or value) its path names, with its fixes turned into text edits. */
export function findingToDiagnostic(textDocument: TextDocument, doc: Document, f: Finding, json: boolean, createWithin: string[] = []): Diagnostic {
  const { node, pair, nearest } = locate(doc, f.path);
  const target = (f.on === 'value' ? node : (pair?.key as Node | undefined)) ?? (pair?.key as Node | undefined) ?? nearest;
  const r = target?.range ?? [0, 0];
  const text = textDocument.getText();
  let end = r[1];
  while (end > r[0] && /\s/.test(text[end - 1])) end--;
  const fixes: Fix[] = [];
  for (const fix of f.fixes ?? []) {
    const placed = placeEdits(textDocument, doc, fix.edits, json, createWithin);
    if (placed) fixes.push({ title: fix.title, preferred: fix.preferred, ...placed });
  }
  return makeDiagnostic({ range: offsetRange(textDocument, r[0], end), code: f.code as Code, severity: f.severity, message: f.message, fixes });
}

const SEVERITY: Record<Exclude<RuleSetting, 'off'>, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const DISABLE = /#\s*ftw:\s*disable(?:=|\s+)([A-Z0-9, ]+)/i;

/**
 * The user's word goes last: `finetune.rules` turns a code off or changes its severity, and a
 * `# ftw: disable=FT101` comment silences a code on its own line, or on the next line when it stands alone.
 */
export function applyUserSettings(textDocument: TextDocument, diagnostics: Diagnostic[], rules: Record<string, RuleSetting> | undefined): Diagnostic[] {
  const lines = textDocument.getText().split(/\r\n|\r|\n/); // as LSP counts lines
  const disabled = new Map<number, Set<string>>();
  lines.forEach((line, i) => {
    const m = DISABLE.exec(line);
    if (!m) return;
    const codes = new Set(
      m[1]
        .split(/[,\s]+/)
        .filter(Boolean)
        .map((c) => c.toUpperCase()),
    );
    const target = /^\s*#/.test(line) ? i + 1 : i;
    disabled.set(target, new Set([...(disabled.get(target) ?? []), ...codes]));
  });
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const code = String(d.code ?? '');
    const off = disabled.get(d.range.start.line);
    if (off && (off.has(code) || off.has('ALL'))) continue;
    const setting = rules?.[code];
    if (setting === 'off') continue;
    out.push(setting && SEVERITY[setting] ? { ...d, severity: SEVERITY[setting] } : d);
  }
  return out;
}
