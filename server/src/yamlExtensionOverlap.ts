/**
 * Red Hat YAML (and anything else built on yaml-language-server) reports the YAML parser's own problems in every
 * YAML file it sees, whatever schema it has or has not: syntax errors, duplicate keys ("Map keys must be unique")
 * and tags it cannot resolve ("Unresolved tag: !Ref"). Our FT001, FT002 and FT006 are the same problems, so with
 * both extensions a broken config shows each one twice.
 *
 * With `finetune.validation.yamlSyntax` at "leaveToRedHatYaml" (what "auto" becomes in VS Code when Red Hat YAML
 * is installed and validating), a config's FT001/FT002/FT006 is left out where yaml-language-server reports the
 * same problem: where the `yaml` package, the parser yaml-language-server runs, finds an error or warning on the
 * same line (FT002, FT006) or, for a syntax error, an error on that line or after it (both parsers stop reading there;
 * yaml-language-server puts an unclosed `[` where the parser gave up, we put it at the bracket). Problems only
 * PyYAML has are kept: a list used as a key (PyYAML's "found unhashable key"), a second document (FT005), every
 * JSON file (Red Hat YAML does not read JSON).
 *
 * yaml-language-server 1.25: src/languageservice/parser/yamlParser07.ts composes the text with the `yaml` package
 * (`strict: false`), and src/languageservice/parser/yaml-documents.ts hands each document's `errors` and `warnings`
 * to validation, which publishes them as diagnostics of source "YAML".
 */
import type { Diagnostic } from 'vscode-languageserver-types';
import { LineCounter, parseAllDocuments } from 'yaml';
import { CODES } from './core/common/codes';

export type YamlSyntaxMode = 'show' | 'leaveToRedHatYaml';

const OVERLAPPING = new Set<string>([CODES.syntax, CODES.duplicateKey, CODES.unsafeTag]);

/** `diagnostics` of a YAML file less those yaml-language-server reports as well. */
export function withoutYamlLanguageServerOverlap(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  if (!diagnostics.some((d) => OVERLAPPING.has(String(d.code)))) return diagnostics;
  const { errors, all } = parserProblemLines(text);
  if (all.length === 0) return diagnostics;
  return diagnostics.filter((d) => {
    const code = String(d.code);
    if (!OVERLAPPING.has(code)) return true;
    const line = d.range.start.line;
    // A syntax error against the parser's errors only: a warning after a list used as a key (an unresolved tag)
    // is another problem, and the key stays ours.
    const reported = code === CODES.syntax ? errors.some((l) => l >= line) : all.includes(line);
    return !reported;
  });
}

/** 0-based lines of the errors (and of errors and warnings) the `yaml` package gives, as yaml-language-server parses the text. */
function parserProblemLines(text: string): { errors: number[]; all: number[] } {
  const counter = new LineCounter();
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false, strict: false });
  } catch {
    return { errors: [], all: [] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const line = (problem: { pos: [number, number] }) => counter.linePos(problem.pos[0]).line - 1;
  const errors = list.flatMap((doc) => doc.errors.map(line));
  return { errors, all: [...errors, ...list.flatMap((doc) => doc.warnings.map(line))] };
}
