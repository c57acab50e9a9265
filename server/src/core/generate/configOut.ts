/** The config value a builder writes, with its comments placed on keys (rendered by yamlOut.ts). */
import type { Explanations } from './builders';
import type { KeyComment, KeyPath } from './yamlOut';

/** The inline comment on a key a training script declares but TrainingArguments does not (FT101 would say so). */
export const SCRIPT_KEY = 'ftw: disable=FT101';

export const DATASET_NOTE = 'The dataset is a placeholder that validates and runs: replace it with yours (same format).';

/** Collects the value and the comments on its keys, in writing order. */
export class Out {
  readonly value: Record<string, unknown> = {};
  readonly comments: KeyComment[] = [];

  set(key: string, value: unknown, before?: string | string[], inline?: string, blank = false): void {
    this.value[key] = value;
    const lines = before === undefined ? [] : Array.isArray(before) ? before : [before];
    if (lines.length || inline || blank)
      this.comments.push({ path: [key], ...(lines.length ? { before: lines } : {}), ...(inline ? { inline } : {}), ...(blank ? { blankBefore: true } : {}) });
  }

  comment(path: KeyPath, before?: string | string[], inline?: string): void {
    const lines = before === undefined ? [] : Array.isArray(before) ? before : [before];
    if (lines.length || inline) this.comments.push({ path, ...(lines.length ? { before: lines } : {}), ...(inline ? { inline } : {}) });
  }

  section(key: string, title: string): void {
    const c = this.comments.find((x) => x.path.length === 1 && x.path[0] === key);
    if (c) {
      c.before = [title, ...(c.before ?? [])];
      c.blankBefore = true;
    } else this.comments.push({ path: [key], before: [title], blankBefore: true });
  }
}

/** The explanation of one chosen value, as comment lines (none when there is none). */
export const opt = (e: Explanations, k: keyof Explanations) => (e[k] ? [e[k]] : undefined);
