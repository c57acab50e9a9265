import { expandPaths, readTextFile } from './workspaceFiles';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { pathOfUri, preferredFixes } from './core/config';
import { resolveVersion } from './core/common/versions';
import { lightningDiagnostics, LIGHTNING_NEWEST } from './core/lightning';
import type { MigrateWorkspaceResult } from './protocol';
import { readWorkspacePins } from './pins';
import { loadPythonParser } from './pythonParser';
import type { Steps } from './workProgress';

/**
 * Every safe migration of the workspace's Lightning code as one WorkspaceEdit (open editors' unsaved text
 * wins over the disk). Each change is annotated `needsConfirmation`, so VS Code shows its refactor preview.
 */
export async function migrateWorkspace(
  folders: string[],
  openText: (path: string) => string | undefined,
  versions: Record<string, string>,
  count?: (total: number) => Steps,
): Promise<MigrateWorkspaceResult> {
  const parser = await loadPythonParser();
  const roots = folders.map((f) => pathOfUri(f));
  const version = resolveVersion('lightning', versions, readWorkspacePins(roots), LIGHTNING_NEWEST);
  const documentChanges: TextDocumentEdit[] = [];
  let fixes = 0;
  let remaining = 0;
  const read = (p: string) => {
    const open = openText(p);
    return open !== undefined ? open : readTextFile(p, 2 * 1024 * 1024);
  };
  const paths = expandPaths(roots, /\.py$/i).map((f) => f.path);
  const steps = count?.(paths.length);
  let done = 0;
  let cancelled = false;
  for (const path of paths) {
    if (steps) {
      await steps.step(done++, shortPath(path, roots));
      if ((cancelled = steps.cancelled)) break;
    }
    const text = read(path);
    if (!text || !/^\s*(?:from|import)\s+(?:pytorch_lightning|lightning)\b/m.test(text)) continue;
    const uri = `file://${encodeURI(path)}`;
    const diagnostics = lightningDiagnostics(TextDocument.create(uri, 'python', 0, text), { parser, path, version, files: { read } });
    const taken = preferredFixes(diagnostics);
    remaining += diagnostics.length - taken.length;
    if (!taken.length) continue;
    fixes += taken.length;
    documentChanges.push({
      textDocument: { uri, version: null },
      edits: taken.flatMap((t) => t.fix.edits.map((e) => ({ ...e, annotationId: 'lightning-migration' }))),
    });
  }
  const edit: WorkspaceEdit = {
    documentChanges,
    changeAnnotations: {
      'lightning-migration': { label: 'Lightning 1.x → 2.x', description: `${fixes} safe migration${fixes === 1 ? '' : 's'}`, needsConfirmation: true },
    },
  };
  return { edit, files: documentChanges.length, fixes, remaining, ...(cancelled ? { cancelled } : {}) };
}

/** A path as the progress message shows it: relative to its workspace folder. */
function shortPath(path: string, roots: string[]): string {
  const root = roots.find((r) => path.startsWith(`${r.replace(/\/$/, '')}/`));
  return root ? path.slice(root.replace(/\/$/, '').length + 1) : path;
}
