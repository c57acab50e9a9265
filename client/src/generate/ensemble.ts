import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ENSEMBLE,
  GENERATED_FORMATS,
  LAUNCH_INFO,
  LIST_CONFIGS,
  type ConfigEntry,
  type EnsembleAnswer,
  type EnsembleParams,
  type EnsembleResult,
  type LaunchInfoParams,
  type LaunchInfoResult,
} from '../../../server/src/protocol';
import { mergeTasks } from './tasksJson';

const TITLE = 'Create Length-Bucket Ensemble';
const isGenFormat = (f: string) => (GENERATED_FORMATS as readonly string[]).includes(f);

/** "512,1024,2048" → numbers, or why not. */
export function parseBuckets(text: string): number[] | string {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) return 'Give at least one sequence length, e.g. 512,1024,2048';
  if (parts.some((p) => !/^\d+$/.test(p))) return 'Whole numbers of tokens separated by commas, e.g. 512,1024,2048';
  const n = parts.map(Number);
  if (n.some((x) => x < 16)) return 'Each bucket is a sequence length of at least 16 tokens';
  if (new Set(n).size !== n.length) return 'Each bucket must be a different length';
  return n;
}

/**
 * "Fine-Tune: Create Length-Bucket Ensemble": one variant of a config per sequence-length bucket, written next to
 * it (or in a chosen folder), and tasks in .vscode/tasks.json that train them one after the other. Only writes
 * files: works in Restricted Mode.
 */
export async function createEnsemble(client: LanguageClient, target?: string | vscode.Uri): Promise<void> {
  const uri = target ? (typeof target === 'string' ? vscode.Uri.parse(target) : target) : await pickConfig(client);
  if (!uri) return;
  const doc = await vscode.workspace.openTextDocument(uri);
  const text = doc.getText();
  const format = await formatOf(client, uri);
  if (!isGenFormat(format)) {
    void vscode.window.showErrorMessage(
      `${basename(uri.fsPath)} is ${format === 'none' ? 'not a config the ensemble writer knows' : `a ${format} config`}: length-bucket ensembles are written for ${GENERATED_FORMATS.join(', ')} configs.`,
    );
    return;
  }
  const answer = await vscode.window.showInputBox({
    title: `${TITLE}: ${basename(uri.fsPath)}`,
    prompt: 'Sequence-length buckets in tokens, shortest first: one variant of the config per bucket',
    value: '512,1024,2048',
    validateInput: (v) => {
      const b = parseBuckets(v);
      return typeof b === 'string' ? b : undefined;
    },
  });
  if (answer === undefined) return;
  const buckets = parseBuckets(answer) as number[];

  const here = vscode.Uri.joinPath(uri, '..');
  const where = await vscode.window.showQuickPick(
    [
      { label: `$(file-directory) Next to ${basename(uri.fsPath)}`, description: vscode.workspace.asRelativePath(here), choose: false },
      { label: '$(folder-opened) Choose a folder…', choose: true },
    ],
    { title: TITLE, placeHolder: 'Where to write the variants' },
  );
  if (!where) return;
  let outDir = here;
  if (where.choose) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Folder for the variants',
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      defaultUri: here,
      openLabel: 'Write Variants Here',
    });
    if (!picked?.[0]) return;
    outDir = picked[0];
  }

  const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  const result = await client.sendRequest<EnsembleAnswer>(ENSEMBLE, {
    uri: uri.toString(),
    text,
    buckets,
    outDir: outDir.fsPath,
    workspace: folder?.uri.fsPath ?? dirname(outDir.fsPath),
  } satisfies EnsembleParams);
  if (!result.ok) {
    void vscode.window.showErrorMessage(`${basename(uri.fsPath)}: ${result.message}`);
    return;
  }

  const existing = result.variants.filter((v) => existsSync(v.path)).map((v) => basename(v.path));
  if (existing.length) {
    const ok = await vscode.window.showWarningMessage(
      `${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'}. Replace ${existing.length === 1 ? 'it' : 'them'}?`,
      { modal: true },
      'Replace',
    );
    if (ok !== 'Replace') return;
  }
  for (const v of result.variants) await vscode.workspace.fs.writeFile(vscode.Uri.file(v.path), new TextEncoder().encode(v.text));

  const tasksNote = folder ? await writeTasks(folder, result) : { note: 'No workspace folder is open, so no tasks were written.', file: undefined };
  const lines = result.variants.map((v) => `${v.name} (≤ ${v.sequenceLength} tokens) ${v.vram}`);
  const on = result.gpu ? ` on the ${result.gpu}` : '';
  const choice = await vscode.window.showInformationMessage(
    `Wrote ${result.variants.length} length-bucket variants of ${basename(uri.fsPath)} (${basename(uri.fsPath, extname(uri.fsPath))}.<bucket>${extname(uri.fsPath)})${on}: ${lines.join(' · ')}. ${tasksNote.note}`,
    ...(tasksNote.file ? ['Open Tasks'] : []),
    'Open Variants',
  );
  if (choice === 'Open Tasks' && tasksNote.file) await vscode.window.showTextDocument(tasksNote.file);
  else if (choice === 'Open Variants') for (const v of result.variants) await vscode.window.showTextDocument(vscode.Uri.file(v.path), { preview: false });
}

/**
 * Merges the tasks into .vscode/tasks.json (created when missing). A tasks.json with comments is rewritten without
 * them after a copy to tasks.json.bak; one that does not parse is left alone and the tasks go to
 * .vscode/tasks.ftw-ensemble.json instead.
 */
async function writeTasks(folder: vscode.WorkspaceFolder, result: EnsembleResult): Promise<{ note: string; file?: vscode.Uri }> {
  const dir = vscode.Uri.joinPath(folder.uri, '.vscode');
  const file = vscode.Uri.joinPath(dir, 'tasks.json');
  let existing: string | undefined;
  try {
    existing = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  } catch {
    existing = undefined;
  }
  const compound = result.tasks.tasks[result.tasks.tasks.length - 1].label;
  const merged = mergeTasks(existing, result.tasks.tasks);
  await vscode.workspace.fs.createDirectory(dir);
  if (!merged.ok) {
    const own = vscode.Uri.joinPath(dir, 'tasks.ftw-ensemble.json');
    await vscode.workspace.fs.writeFile(own, new TextEncoder().encode(`${JSON.stringify(result.tasks, null, 2)}\n`));
    return {
      note: `.vscode/tasks.json was left as it is (${merged.reason}): the tasks are in .vscode/tasks.ftw-ensemble.json; copy them into tasks.json to run "${compound}".`,
      file: own,
    };
  }
  if (merged.hadComments && existing !== undefined)
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'tasks.json.bak'), new TextEncoder().encode(existing));
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(merged.text));
  const how = existing === undefined ? 'Created .vscode/tasks.json' : 'Updated .vscode/tasks.json';
  return {
    note: `${how}: run "${compound}" (Tasks: Run Task) to train them one after the other.${merged.hadComments ? ' Its comments were dropped in the rewrite; the previous file is .vscode/tasks.json.bak.' : ''}`,
    file,
  };
}

/** The server's view of the format (it knows the user's overrides); 'none' when it cannot tell. */
async function formatOf(client: LanguageClient, uri: vscode.Uri): Promise<string> {
  const info = await client.sendRequest<LaunchInfoResult | null>(LAUNCH_INFO, { uri: uri.toString() } satisfies LaunchInfoParams);
  return info?.format ?? 'none';
}

/** The active editor's config when it is one the ensemble writer handles, else a pick of the workspace's configs. */
async function pickConfig(client: LanguageClient): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.uri.scheme === 'file' && /\.ya?ml$/i.test(active.uri.path)) {
    if (isGenFormat(await formatOf(client, active.uri))) return active.uri;
  }
  let configs: ConfigEntry[] = [];
  try {
    configs = (await client.sendRequest<ConfigEntry[]>(LIST_CONFIGS, {})).filter((c) => isGenFormat(c.format));
  } catch {
    configs = [];
  }
  if (!configs.length) {
    void vscode.window.showInformationMessage(
      `No ${GENERATED_FORMATS.join(', ')} config in this workspace: open one (or create one with Fine-Tune: New Training Config) and run this again.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    configs.map((c) => ({ label: basename(c.relativePath), description: c.label, detail: c.relativePath, uri: c.uri })),
    { title: TITLE, placeHolder: 'Which config?', matchOnDetail: true },
  );
  return picked ? vscode.Uri.parse(picked.uri) : undefined;
}
