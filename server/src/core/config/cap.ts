import type { Diagnostic } from 'vscode-languageserver-types';
import { CODES } from '../common/codes';
import { makeDiagnostic } from '../common/diagnostics';

/** No file gets more diagnostics than this: past it, the file is not what we think it is, or one mistake repeats. */
export const MAX_DIAGNOSTICS = 200;

/**
 * The first MAX_DIAGNOSTICS diagnostics (sorted by position), then one line (FT007) where the first one left out
 * starts. The count past the cap is not exact: validation stops building diagnostics there.
 */
export function capDiagnostics(sorted: Diagnostic[]): Diagnostic[] {
  if (sorted.length <= MAX_DIAGNOSTICS) return sorted;
  const shown = sorted.slice(0, MAX_DIAGNOSTICS);
  shown.push(
    makeDiagnostic({
      range: sorted[MAX_DIAGNOSTICS].range,
      code: CODES.tooManyProblems,
      severity: 'information',
      message: `More than ${MAX_DIAGNOSTICS} problems: the ones from here on are not shown. If this file is not a fine-tuning config, choose "Not a fine-tuning config" in the status bar's format picker.`,
    }),
  );
  return shown;
}
