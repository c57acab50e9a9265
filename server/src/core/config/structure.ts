import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { ValuePath } from './ast';
import { CODES } from '../common/codes';
import { makeDiagnostic, offsetRange, type Fix } from '../common/diagnostics';
import type { FormatInfo } from '../common/formats';
import { own } from './own';
import { keyText, MAX_DEPTH } from './parse';
import { childSchema, typesOf, type JsonSchema } from './schema';
import { atOrAfter, type ToolVersion } from '../common/versions';
import { renameFixes, renameKeyText } from './validate';

/**
 * Checks that need the text, not only the loaded value (ajv never sees them): duplicate keys, deprecated keys
 * that are still accepted, and Axolotl plugin keys whose plugin is not enabled. One iterative walk.
 */
export function checkStructure(
  textDocument: TextDocument,
  doc: Document,
  format: FormatInfo,
  schema: JsonSchema | null,
  value: unknown,
  version?: ToolVersion,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const plugins = enabledPlugins(value);
  const stack: Array<{ node: unknown; path: ValuePath; schema: JsonSchema | null }> = [{ node: doc.contents, path: [], schema }];
  while (stack.length) {
    const { node, path, schema: here } = stack.pop()!;
    if (path.length > MAX_DEPTH) continue;
    if (isMap(node)) {
      duplicates(textDocument, node, format, path, out);
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key === null) continue;
        const child = here ? childSchema(here, key) : null;
        if (child && own(here?.properties, key)) {
          deprecated(textDocument, pair, key, path, child, here!, format, out);
          if (version && version.source !== 'newest') tooNew(textDocument, pair, key, child, format, version, schema!, out);
          if (path.length === 0) plugin(textDocument, doc, pair, key, child, plugins, out);
        }
        stack.push({ node: pair.value, path: [...path, key], schema: child });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: [...path, i], schema: here ? childSchema(here, i) : null }));
    }
  }
  return out;
}

function duplicates(textDocument: TextDocument, map: YAMLMap, format: FormatInfo, path: ValuePath, out: Diagnostic[]): void {
  const first = new Map<string, Pair>();
  for (const pair of map.items) {
    const key = keyText(pair.key);
    if (key === null || key === '<<') continue;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, pair);
      continue;
    }
    const range = (pair.key as Node).range!;
    const earlierLine = textDocument.positionAt((earlier.key as Node).range![0]).line + 1;
    const where = path.length ? ` in '${path.join('.')}'` : '';
    const effect =
      format.duplicateKeys === 'rejected'
        ? `${format.tool} refuses a file with duplicate keys`
        : `the YAML loader keeps only this last value and silently drops the one on line ${earlierLine}`;
    out.push(
      makeDiagnostic({
        range: offsetRange(textDocument, range[0], range[1]),
        code: CODES.duplicateKey,
        severity: format.duplicateKeys === 'rejected' ? 'error' : 'warning',
        message: `Duplicate key '${key}'${where} (first on line ${earlierLine}): ${effect}.`,
      }),
    );
  }
}

function deprecated(
  textDocument: TextDocument,
  pair: Pair,
  key: string,
  path: ValuePath,
  schema: JsonSchema,
  parent: JsonSchema,
  format: FormatInfo,
  out: Diagnostic[],
): void {
  if (!schema.deprecated) return;
  const range = (pair.key as Node).range!;
  // The tables name replacements by full path; beside the old key, its own name is what to write.
  const parentPath = path
    .map((p) => (typeof p === 'number' ? '[]' : p))
    .join('.')
    .replace(/\.\[\]/g, '[]');
  const full = schema['x-ftw-replacement'];
  const replacement = full && parentPath && full.startsWith(`${parentPath}.`) ? full.slice(parentPath.length + 1) : full;
  // Renaming is only a fix when the new key takes the same kind of value (`fsdp` is a list, `fsdp_config` a mapping).
  const target = replacement && /^\w+$/.test(replacement) ? own(parent.properties, replacement) : undefined;
  const simple = target && sameTypes(target, schema);
  const since = schema['x-ftw-deprecatedSince'] ? ` since ${format.tool} ${schema['x-ftw-deprecatedSince']}` : '';
  const r = offsetRange(textDocument, range[0], range[1]);
  const fixes: Fix[] = simple
    ? [{ title: `Rename '${key}' to '${replacement}'`, edits: [{ range: r, newText: renameKeyText(pair, replacement!) }], preferred: true }]
    : replacement && /^\w+:\s*\S+$/.test(replacement)
      ? renameFixes(key, { replacement }, pair, r)
      : [];
  out.push(
    makeDiagnostic({
      range: r,
      code: CODES.deprecatedKey,
      // With nothing to move to, a deprecation is worth knowing, not worth a warning.
      severity: replacement ? 'warning' : 'information',
      message: `'${key}' is deprecated${since}${replacement ? `: use '${replacement}'` : ''}. ${format.tool} still reads it for now.`,
      deprecated: true,
      fixes,
    }),
  );
}

/** A key the pinned release does not know yet: it was added later. */
function tooNew(
  textDocument: TextDocument,
  pair: Pair,
  key: string,
  schema: JsonSchema,
  format: FormatInfo,
  version: ToolVersion,
  root: JsonSchema,
  out: Diagnostic[],
): void {
  const since = schema['x-ftw-since'];
  if (!since || since.startsWith('<=') || atOrAfter(version.version, since.replace(/^>/, '')) !== false) return;
  const range = (pair.key as Node).range!;
  const rejects = root['x-ftw-unknownKeys'] === 'rejected';
  const where = version.source === 'setting' ? 'finetune.versions' : version.source;
  out.push(
    makeDiagnostic({
      range: offsetRange(textDocument, range[0], range[1]),
      code: CODES.tooNew,
      severity: rejects ? 'error' : 'warning',
      message: `'${key}' is new in ${format.tool} ${since.replace(/^>/, 'after ')}; your project uses ${version.version} (${where}), which ${rejects ? 'refuses to start with it' : 'ignores it silently'}. Upgrade, or remove the key.`,
    }),
  );
}

function sameTypes(a: JsonSchema, b: JsonSchema): boolean {
  const norm = (s: JsonSchema) =>
    typesOf(s)
      .filter((t) => t !== 'null')
      .sort()
      .join('|');
  return norm(a) === norm(b);
}

function enabledPlugins(value: unknown): Set<string> {
  const list = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['plugins'] : undefined;
  return new Set(Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : []);
}

function pluginLabel(plugin: string): string {
  return plugin
    .split('.')
    .pop()!
    .replace(/Plugin$/, '');
}

function plugin(textDocument: TextDocument, doc: Document, pair: Pair, key: string, schema: JsonSchema, enabled: Set<string>, out: Diagnostic[]): void {
  const needed = schema['x-ftw-plugin'];
  if (!needed || enabled.has(needed)) return;
  const range = (pair.key as Node).range!;
  out.push(
    makeDiagnostic({
      range: offsetRange(textDocument, range[0], range[1]),
      code: CODES.pluginNotEnabled,
      severity: 'warning',
      message: `'${key}' is a key of the ${pluginLabel(needed)} plugin: Axolotl ignores it unless '${needed}' is listed under 'plugins:'.`,
      fixes: addPluginFix(textDocument, doc, needed),
    }),
  );
}

/** Appends the plugin to an existing block list, or adds a `plugins:` list at the end of the file. */
function addPluginFix(textDocument: TextDocument, doc: Document, plugin: string): Fix[] {
  const root = doc.contents;
  if (!isMap(root)) return [];
  const existing = root.items.find((p) => keyText(p.key) === 'plugins');
  const title = `Add '${plugin}' to plugins`;
  if (!existing) {
    const text = textDocument.getText();
    const end = textDocument.positionAt(text.length);
    const prefix = text.endsWith('\n') || text.length === 0 ? '' : '\n';
    return [{ title, edits: [{ range: { start: end, end }, newText: `${prefix}plugins:\n  - ${plugin}\n` }] }];
  }
  const list = existing.value;
  if (isSeq(list) && !list.flow && list.items.length) {
    const last = list.items[list.items.length - 1] as Node;
    const lastStart = textDocument.positionAt(last.range![0]);
    const lineText = textDocument.getText({ start: { line: lastStart.line, character: 0 }, end: lastStart });
    const indent = lineText.replace(/-\s*$/, '');
    const endOfLast = textDocument.positionAt(last.range![1]);
    return [{ title, edits: [{ range: { start: endOfLast, end: endOfLast }, newText: `\n${indent}- ${plugin}` }] }];
  }
  if (isScalar(list) && list.value === null) {
    const keyEnd = textDocument.positionAt((existing.key as Node).range![1]);
    const lineEnd = {
      line: keyEnd.line,
      character: textDocument.getText({ start: { line: keyEnd.line, character: 0 }, end: { line: keyEnd.line + 1, character: 0 } }).replace(/\r?\n$/, '')
        .length,
    };
    return [{ title, edits: [{ range: { start: lineEnd, end: lineEnd }, newText: `\n  - ${plugin}` }] }];
  }
  return [];
}
