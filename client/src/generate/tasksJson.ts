/**
 * Merging tasks into .vscode/tasks.json without a JSONC library (VS Code has no API for editing it).
 *
 * The file is JSON with comments and trailing commas. It is read with a small scanner that knows strings, so a
 * `//` inside "http://..." stays; comments are dropped and trailing commas removed, then JSON.parse. Tasks with
 * the same label are replaced, others appended, and the file is written back as formatted JSON under a comment
 * saying it was updated. Comments in the old file cannot be kept that way: the caller keeps a copy (tasks.json.bak).
 * When the file does not parse even so, nothing is changed: the caller writes the tasks to a file of their own.
 */
import type { EnsembleResult } from '../../../server/src/protocol';

type VsCodeTask = EnsembleResult['tasks']['tasks'][number];

export interface StrippedJsonc {
  json: string;
  hadComments: boolean;
}

/** Comments and trailing commas out, strings untouched. */
export function stripJsonc(text: string): StrippedJsonc {
  let out = '';
  let hadComments = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      hadComments = true;
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      hadComments = true;
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  // Trailing commas: a comma followed (after whitespace) by } or ]. Strings are copied whole above, so do this
  // with the same care: rescan, skipping strings.
  let result = '';
  for (let k = 0; k < out.length; k++) {
    const c = out[k];
    if (c === '"') {
      let j = k + 1;
      while (j < out.length && out[j] !== '"') j += out[j] === '\\' ? 2 : 1;
      result += out.slice(k, j + 1);
      k = j;
      continue;
    }
    if (c === ',') {
      let j = k + 1;
      while (j < out.length && /\s/.test(out[j])) j++;
      if (out[j] === '}' || out[j] === ']') continue;
    }
    result += c;
  }
  return { json: result, hadComments };
}

export type MergeResult = { ok: true; text: string; added: string[]; replaced: string[]; hadComments: boolean } | { ok: false; reason: string };

export const UPDATED_BY = '// Updated by Fine-Tune Workbench (Create Length-Bucket Ensemble): added';

/** tasks.json's new text with `tasks` merged in (same label: replaced). `existing` undefined: a new file. */
export function mergeTasks(existing: string | undefined, tasks: VsCodeTask[]): MergeResult {
  let doc: { version?: unknown; tasks?: unknown; [k: string]: unknown } = { version: '2.0.0', tasks: [] };
  let hadComments = false;
  if (existing !== undefined && existing.trim()) {
    const stripped = stripJsonc(existing);
    hadComments = stripped.hadComments && !onlyOurComment(existing);
    let parsed: unknown;
    try {
      parsed = JSON.parse(stripped.json);
    } catch (e) {
      return { ok: false, reason: `it does not parse as JSON with comments (${e instanceof Error ? e.message : String(e)})` };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'it is not a JSON object' };
    doc = parsed as typeof doc;
    if (doc.tasks !== undefined && !Array.isArray(doc.tasks)) return { ok: false, reason: '"tasks" is not a list' };
  }
  const list = (Array.isArray(doc.tasks) ? doc.tasks : []) as Array<Record<string, unknown>>;
  const added: string[] = [];
  const replaced: string[] = [];
  for (const t of tasks) {
    const at = list.findIndex((x) => x && typeof x === 'object' && x.label === t.label);
    if (at >= 0) {
      list[at] = { ...t };
      replaced.push(t.label);
    } else {
      list.push({ ...t });
      added.push(t.label);
    }
  }
  const out = { version: doc.version ?? '2.0.0', ...doc, tasks: list };
  const compound = tasks[tasks.length - 1]?.label ?? '';
  const header = `${UPDATED_BY} "${compound}" and its ${tasks.length - 1} bucket task${tasks.length === 2 ? '' : 's'}.\n`;
  return { ok: true, text: `${header}${JSON.stringify(out, null, 2)}\n`, added, replaced, hadComments };
}

/** True when the only comment is the line this module writes (no user comments to lose). */
function onlyOurComment(text: string): boolean {
  const lines = text.split('\n');
  const rest = lines.filter((l) => !l.startsWith(UPDATED_BY)).join('\n');
  return !stripJsonc(rest).hadComments;
}
