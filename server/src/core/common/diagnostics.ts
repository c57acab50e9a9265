import type { Diagnostic, Range, TextEdit } from 'vscode-languageserver-types';
import { DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { codeDescriptionUrl, SOURCE, type Code } from './codes';

/** A fix travels inside `diagnostic.data`, so code actions need no server state (as ruff does). */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** A file to create first (e.g. a missing DeepSpeed config), as a URI and its content. */
  create?: { uri: string; content: string };
  /** Shown first and applied by "fix all" when the diagnostic has exactly one safe fix. */
  preferred?: boolean;
}

export interface FixData {
  fixes: Fix[];
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export interface DiagnosticSpec {
  range: Range;
  code: Code;
  severity: Severity;
  message: string;
  fixes?: Fix[];
  deprecated?: boolean;
  unnecessary?: boolean;
}

export function makeDiagnostic(spec: DiagnosticSpec): Diagnostic {
  const d: Diagnostic = {
    range: spec.range,
    severity: SEVERITY[spec.severity],
    code: spec.code,
    codeDescription: { href: codeDescriptionUrl(spec.code) },
    source: SOURCE,
    message: spec.message,
  };
  const tags: DiagnosticTag[] = [];
  if (spec.deprecated) tags.push(DiagnosticTag.Deprecated);
  if (spec.unnecessary) tags.push(DiagnosticTag.Unnecessary);
  if (tags.length) d.tags = tags;
  if (spec.fixes?.length) d.data = { fixes: spec.fixes } satisfies FixData;
  return d;
}

export function offsetRange(doc: TextDocument, start: number, end: number): Range {
  return { start: doc.positionAt(start), end: doc.positionAt(Math.max(start, end)) };
}

export function fixesOf(diagnostic: Diagnostic): Fix[] {
  const data = diagnostic.data as Partial<FixData> | undefined;
  return Array.isArray(data?.fixes) ? data.fixes : [];
}

export function severityName(severity: DiagnosticSeverity | undefined): Severity {
  switch (severity) {
    case DiagnosticSeverity.Warning:
      return 'warning';
    case DiagnosticSeverity.Information:
      return 'information';
    case DiagnosticSeverity.Hint:
      return 'hint';
    default:
      return 'error';
  }
}
