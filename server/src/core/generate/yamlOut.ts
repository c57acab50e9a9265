/** Writes a config value as YAML 1.1 (what PyYAML and OmegaConf read) with comments placed on its keys. */
import { Document, isMap, isScalar } from 'yaml';
import { commentText } from '../jobs';

export type KeyPath = Array<string | number>;

export interface KeyComment {
  path: KeyPath;
  /** Comment lines above the key. */
  before?: string[];
  /** A comment after a scalar value, on the same line. */
  inline?: string;
  /** A blank line above the key (and its comment). */
  blankBefore?: boolean;
}

/** Comment lines for the `yaml` package, which puts `#` after each line break it knows; commentText escapes the
 *  ones only PyYAML knows (NEL), so that a file name in a comment stays in the comment. */
function prefix(lines: string[]): string {
  return lines.map((l) => (l ? ` ${commentText(l)}` : '')).join('\n');
}

/** YAML text of `value` with the header lines and the comments; strings YAML 1.1 would misread get quoted. */
export function renderYaml(header: string[], value: Record<string, unknown>, comments: KeyComment[]): string {
  const doc = new Document(value, { version: '1.1' });
  for (const c of comments) {
    const last = c.path[c.path.length - 1];
    const parent = c.path.length > 1 ? doc.getIn(c.path.slice(0, -1), true) : doc.contents;
    if (!isMap(parent)) continue;
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (!pair || !isScalar(pair.key)) continue;
    const key = pair.key;
    if (c.before?.length) key.commentBefore = key.commentBefore ? `${key.commentBefore}\n${prefix(c.before)}` : prefix(c.before);
    if (c.blankBefore) key.spaceBefore = true;
    if (c.inline && isScalar(pair.value)) pair.value.comment = ` ${c.inline}`;
  }
  if (header.length) doc.commentBefore = prefix(header);
  return doc.toString({ lineWidth: 0 });
}
