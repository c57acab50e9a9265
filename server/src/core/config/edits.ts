import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { locate } from './ast';
import { offsetRange, type Fix } from '../common/diagnostics';
import { uriOfPath } from '../common/uris';
import { renameKeyText } from './validate';
import type { EditSpec } from './rules';

/**
 * Whether a fix may create `file`: only inside one of `folders` (the workspace folders), so that a config cannot
 * offer to write `deepspeed: ../../../../etc/cron.d/x.json`. Paths are absolute, with `/` or `\` separators.
 */
export function insideFolders(file: string, folders: string[]): boolean {
  const target = normalizePath(file);
  return (
    target !== null &&
    folders.some((f) => {
      const root = normalizePath(f);
      return root !== null && (target === root || target.startsWith(root.endsWith('/') ? root : `${root}/`));
    })
  );
}

/** `a/b/../c` → `a/c`; null for a relative path or one that climbs above the root. */
function normalizePath(path: string): string | null {
  const slashed = path.replace(/\\/g, '/');
  if (!slashed.startsWith('/') && !/^[A-Za-z]:\//.test(slashed)) return null;
  const out: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(part);
  }
  return `${slashed.startsWith('/') ? '/' : ''}${out.join('/')}`;
}

/**
 * Turns a rule's edits (in terms of keys) into text edits for this document. Null when one cannot be placed, or
 * when it would create a file outside `createWithin`.
 */
export function placeEdits(
  textDocument: TextDocument,
  doc: Document,
  specs: EditSpec[],
  json: boolean,
  createWithin: string[] = [],
): Pick<Fix, 'edits' | 'create'> | null {
  const edits: TextEdit[] = [];
  let create: Fix['create'];
  const text = textDocument.getText();
  const appended: string[] = [];
  for (const spec of specs) {
    if (spec.kind === 'createFile') {
      if (!insideFolders(spec.file, createWithin)) return null;
      // Beside the document, in its file system: file:// for a file, the same scheme and authority for a remote or
      // virtual document (vscode-remote://, vscode-vfs://), so the file is made where the config is.
      create = { uri: uriOfPath(spec.file, [textDocument.uri])!, content: spec.content };
      continue;
    }
    const path = spec.kind === 'addKey' ? [spec.key] : spec.path;
    const { node, pair } = locate(doc, path);
    if (spec.kind === 'renameKey') {
      const key = pair?.key as Node | undefined;
      if (!key?.range) return null;
      edits.push({ range: offsetRange(textDocument, key.range[0], key.range[1]), newText: renameKeyText(pair, spec.to) });
      continue;
    }
    if (pair && spec.kind === 'set') {
      const value = node;
      if (value?.range && !(isScalar(value) && value.value === null && value.range[0] === value.range[1])) {
        let end = value.range[1];
        while (end > value.range[0] && /\s/.test(text[end - 1])) end--;
        const start = spec.text.startsWith('\n') && (isSeq(value) || isMap(value)) ? (pair.key as Node).range![1] + 1 : value.range[0];
        edits.push({
          range: offsetRange(textDocument, start, end),
          newText: spec.text.startsWith('\n') && start === value.range[0] ? spec.text.trimStart() : spec.text,
        });
      } else {
        const keyEnd = (pair.key as Node).range![1];
        const colon = text.indexOf(':', keyEnd);
        const at = colon >= 0 ? colon + 1 : keyEnd;
        edits.push({ range: offsetRange(textDocument, at, at), newText: spec.text.startsWith('\n') ? spec.text : ` ${spec.text}` });
      }
      continue;
    }
    if (path.length !== 1 || json || !isMap(doc.contents)) return null;
    appended.push(`${String(path[0])}:${spec.text.startsWith('\n') ? '' : ' '}${spec.text}`);
  }
  if (appended.length) {
    const end = textDocument.positionAt(text.length);
    const prefix = text.length === 0 || text.endsWith('\n') ? '' : '\n';
    edits.push({ range: { start: end, end }, newText: `${prefix}${appended.join('\n')}\n` });
  }
  return { edits, create };
}
