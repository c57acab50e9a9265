import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { findPair, locate, resolveAlias, type ValuePath } from '../ast';
import { CODES, type Code } from '../../common/codes';
import { makeDiagnostic, offsetRange, type Fix, type Severity } from '../../common/diagnostics';
import { keyText, MAX_DEPTH } from '../parse';
import { byCloseness, closest } from '../suggest';
import { atOrAfter, pinnedBefore, type ToolVersion } from '../../common/versions';
import type { FileAccess } from '../rules/types';
import type { PythonParser } from '../../common/python';
import { MIGRATIONS, type MigrationRule } from '../../lightning';
import {
  CLOSED_MODULES,
  DOTTED_PATH,
  HYDRA_KEYS,
  isDeferred,
  lookupCallable,
  shortName,
  type CallableArg,
  type CallableInfo,
  type CallableTable,
} from './callables';
import { missingDefaults } from './defaults';
import { userSignature } from './userClass';
import { judgeValue } from '../rules/valueHistory';

export interface HydraContext {
  textDocument: TextDocument;
  doc: Document;
  value: Record<string, unknown>;
  table: CallableTable;
  /** Absolute path of the config. */
  path: string;
  roots: string[];
  files?: FileAccess;
  /** Reads the user's own classes (`_target_: src.models.Net`) when their source is in the workspace. */
  python?: PythonParser;
  /** The release of a pip package the project uses (pins, settings, else the newest we know). */
  versionOf(pkg: string): ToolVersion;
}

const FT305 = 'FT305' as Code;
/** `<<: *base`: a YAML merge key (PyYAML and OmegaConf merge the anchor's keys in), not an argument. The `yaml`
 *  package gives its key a symbol for a value. */
const MERGE_KEYS = new Set(['<<', String(Symbol('<<'))]);

/** Trainer rows of the Lightning migration table: by argument name (any value), and by name for one value. */
const TRAINER_ROWS = MIGRATIONS.filter((r) => r.kind === 'trainerArgument' && r.id.startsWith('trainer.') && /^\w+$/.test(r.name));
/** Removed and renamed arguments of Lightning classes, by class: the Trainer's, and ModelCheckpoint's (`period=`). */
const REMOVED_ARGS: Record<string, Map<string, MigrationRule>> = {
  Trainer: new Map(TRAINER_ROWS.filter((r) => r.value === undefined).map((r) => [r.name, r])),
  ModelCheckpoint: new Map(MIGRATIONS.filter((r) => r.id.startsWith('ModelCheckpoint.')).map((r) => [r.id.slice('ModelCheckpoint.'.length), r])),
};

/** Every problem of a Hydra config: `_target_` blocks checked against their callable, and the defaults list. */
export function checkHydra(ctx: HydraContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const root = resolveAlias(ctx.doc, ctx.doc.contents);
  const stack: Array<[unknown, ValuePath]> = [[root, []]];
  const seen = new Set<unknown>();
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (path.length > MAX_DEPTH || seen.has(node)) continue;
    seen.add(node);
    if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push([resolveAlias(ctx.doc, item), [...path, i]]));
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key !== null) stack.push([resolveAlias(ctx.doc, pair.value), [...path, key]]);
      }
      checkBlock(ctx, node, out);
    }
  }
  if (ctx.files) out.push(...defaultsDiagnostics(ctx));
  return out;
}

function rangeOf(ctx: HydraContext, node: unknown) {
  const r = (node as Node | null)?.range;
  return r ? offsetRange(ctx.textDocument, r[0], r[1]) : offsetRange(ctx.textDocument, 0, 0);
}

function scalarValue(ctx: HydraContext, node: unknown): unknown {
  const n = resolveAlias(ctx.doc, node);
  if (isScalar(n)) return n.value;
  if (!isMap(n) && !isSeq(n)) return null;
  try {
    return n.toJS(ctx.doc, { maxAliasCount: 100 });
  } catch {
    return isSeq(n) ? [] : {}; // aliases beyond the budget: the shape is enough here
  }
}

function renameEdit(ctx: HydraContext, pair: Pair, to: string): TextEdit {
  return { range: rangeOf(ctx, pair.key), newText: to };
}

/** One `_target_` block: every key is a keyword argument of the callable, except Hydra's own. */
function checkBlock(ctx: HydraContext, map: YAMLMap, out: Diagnostic[]): void {
  const targetPair = findPair(map, '_target_');
  if (!targetPair) return;
  const targetNode = resolveAlias(ctx.doc, targetPair.value);
  if (!isScalar(targetNode) || typeof targetNode.value !== 'string') return;
  const target = targetNode.value.trim();
  if (!DOTTED_PATH.test(target)) return;
  const partial = scalarValue(ctx, findPair(map, '_partial_')?.value) === true;
  const known = lookupCallable(ctx.table, target);
  if (known) return checkKnown(ctx, map, known.name, known.info, partial, out);
  const module = target.slice(0, target.lastIndexOf('.'));
  if (CLOSED_MODULES.includes(module)) return unknownInClosedModule(ctx, targetNode, target, module, out);
  if (ctx.files && ctx.python) checkUserClass(ctx, map, target, partial, out);
}

function when(partial: boolean): string {
  return partial ? ' when the code calls the partial it returns (`_partial_: true`)' : '';
}

function unknownInClosedModule(ctx: HydraContext, node: Node, target: string, module: string, out: Diagnostic[]): void {
  const names = Object.keys(ctx.table.callables)
    .filter((n) => n.slice(0, n.lastIndexOf('.')) === module)
    .map(shortName);
  const [suggestion] = closest(shortName(target), names, 1);
  if (!suggestion) return; // perhaps newer than our list: stay quiet
  const fixed = `${module}.${suggestion}`;
  out.push(
    makeDiagnostic({
      range: rangeOf(ctx, node),
      code: CODES.notAllowed,
      severity: 'error',
      message: `${module} has no '${shortName(target)}': Hydra cannot import '${target}' and stops with "Error locating target". Did you mean '${fixed}'?`,
      fixes: [{ title: `Change to '${fixed}'`, preferred: true, edits: [{ range: rangeOf(ctx, node), newText: fixed }] }],
    }),
  );
}

function checkKnown(ctx: HydraContext, map: YAMLMap, name: string, info: CallableInfo, partial: boolean, out: Diagnostic[]): void {
  const label = `${name}()`;
  const present = new Set(map.items.map((p) => keyText(p.key)).filter((k): k is string => k !== null));
  const version = ctx.versionOf(info.package);
  const migrations = info.package === 'lightning' ? REMOVED_ARGS[shortName(name)] : undefined;
  // We know the signatures of Lightning 2.6's callbacks, loggers and profilers only: on a pinned 1.x, an argument
  // we do not know may well be one of its own.
  const knownRelease = !(info.package === 'lightning' && !info.trainer && pinned1x(version));
  for (const pair of map.items) {
    const key = keyText(pair.key);
    if (key === null || MERGE_KEYS.has(key) || Object.prototype.hasOwnProperty.call(HYDRA_KEYS, key)) continue;
    const arg = Object.prototype.hasOwnProperty.call(info.args, key) ? info.args[key] : undefined;
    if (arg) {
      if (info.trainer && trainerValueRow(ctx, key, pair, map, version, out)) continue;
      checkNewerThanPin(ctx, pair, key, arg, info, label, version, out);
      checkValue(ctx, pair, key, arg, info, label, out);
      continue;
    }
    if (migrations?.has(key)) {
      out.push(trainerDiagnostic(ctx, migrations.get(key)!, pair, map, present, version, false, shortName(name)));
      continue;
    }
    const removed = Object.prototype.hasOwnProperty.call(info.removed, key) ? info.removed[key] : undefined;
    if (removed) {
      removedDiagnostic(ctx, pair, key, removed, info, label, version, present, partial, out);
      continue;
    }
    if (knownRelease)
      unknownArgument(
        ctx,
        pair,
        key,
        Object.keys(info.args).filter((a) => !info.args[a].byCaller && !present.has(a)),
        label,
        info.kwargs,
        info.tool,
        partial,
        out,
      );
  }
}

function unknownArgument(
  ctx: HydraContext,
  pair: Pair,
  key: string,
  candidates: string[],
  label: string,
  kwargs: CallableInfo['kwargs'],
  tool: string,
  partial: boolean,
  out: Diagnostic[],
): void {
  if (kwargs === 'accepted') return;
  const suggestions = closest(key, candidates, 3);
  const fixes: Fix[] = suggestions.map((s, i) => ({
    title: `Change '${key}' to '${s}'`,
    preferred: i === 0 && suggestions.length === 1,
    edits: [renameEdit(ctx, pair, s)],
  }));
  const what =
    kwargs === 'ignored'
      ? `${label} takes it in **kwargs and drops it (${tool} only logs it as unused)`
      : `hydra.utils.instantiate passes it as a keyword argument and ${label} stops with "TypeError: got an unexpected keyword argument '${key}'"${when(partial)}`;
  out.push(
    makeDiagnostic({
      range: rangeOf(ctx, pair.key),
      code: CODES.unknownKey,
      severity: kwargs === 'ignored' ? 'warning' : 'error',
      message: `Unknown argument '${key}' of ${label}: ${what}.${suggestions.length ? ` Did you mean '${suggestions[0]}'?` : ''}`,
      fixes,
    }),
  );
}

/** Keys removed from TrainingArguments, TRL and PEFT configs: fine on a pinned release that still has them. */
function removedDiagnostic(
  ctx: HydraContext,
  pair: Pair,
  key: string,
  removed: CallableInfo['removed'][string],
  info: CallableInfo,
  label: string,
  version: ToolVersion,
  present: Set<string>,
  partial: boolean,
  out: Diagnostic[],
): void {
  const pinned = version.source !== 'newest';
  if (pinned && removed.removed && atOrAfter(version.version, removed.removed) === false) return;
  // Lightning's removed arguments carry no release here (the migration table has the ones it knows): a 1.x pin keeps them.
  if (info.package === 'lightning' && pinned1x(version)) return;
  const replacement = removed.replacement;
  const simple =
    replacement && /^\w+$/.test(replacement) && Object.prototype.hasOwnProperty.call(info.args, replacement) && !present.has(replacement)
      ? replacement
      : undefined;
  out.push(
    makeDiagnostic({
      range: rangeOf(ctx, pair.key),
      code: CODES.renamedKey,
      severity: 'error',
      message: `'${key}' was removed from ${label}${removed.removed ? ` in ${info.tool} ${removed.removed.replace(/^<=/, '')}` : ''}: ${label} stops with "TypeError: got an unexpected keyword argument '${key}'"${when(partial)}${pinned ? ` on ${info.package} ${version.version}` : ' (pin an older release to keep it)'}.${replacement ? ` Use ${replacement}.` : ''}`,
      deprecated: true,
      fixes: simple ? [{ title: `Change '${key}' to '${simple}'`, preferred: true, edits: [renameEdit(ctx, pair, simple)] }] : [],
    }),
  );
}

/** An argument the pinned release does not have yet. */
function checkNewerThanPin(
  ctx: HydraContext,
  pair: Pair,
  key: string,
  arg: CallableArg,
  info: CallableInfo,
  label: string,
  version: ToolVersion,
  out: Diagnostic[],
): void {
  if (version.source === 'newest' || !arg.since || atOrAfter(version.version, arg.since) !== false) return;
  out.push(
    makeDiagnostic({
      range: rangeOf(ctx, pair.key),
      code: CODES.tooNew,
      severity: 'error',
      message: `'${key}' is an argument of ${label} since ${info.tool} ${arg.since}; the project uses ${info.package} ${version.version} (${version.source}), where it stops with "TypeError: got an unexpected keyword argument '${key}'".`,
    }),
  );
}

function splitTypes(type: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === '|' && depth === 0) {
      out.push(type.slice(start, i));
      start = i + 1;
    }
  }
  out.push(type.slice(start));
  return out.map((t) => (t.startsWith('array<') ? 'array' : t.trim()));
}

const NUMERIC = /^[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?$|^[-+]?(?:inf|nan)$/i;

/** What Python receives is acceptable for the declared type, as OmegaConf loads it (`1e-4` is a float there). */
function accepts(types: string[], value: unknown, node: unknown): string | null {
  if (types.includes('any') || types.includes('') || value === null || value === undefined || isDeferred(value)) return null;
  if (isMap(node)) return types.includes('object') || findPair(node, '_target_') ? null : 'a mapping';
  if (isSeq(node) || Array.isArray(value)) return types.includes('array') || types.includes('object') ? null : 'a list';
  if (typeof value === 'boolean') return types.some((t) => ['boolean', 'integer', 'number'].includes(t)) ? null : 'a boolean';
  if (typeof value === 'number') return types.some((t) => ['integer', 'number', 'string', 'boolean'].includes(t)) ? null : 'a number';
  if (typeof value === 'string') {
    if (types.includes('string') || types.includes('object')) return null;
    if ((types.includes('number') || types.includes('integer')) && NUMERIC.test(value.trim())) return null;
    if (types.includes('boolean') && /^(?:true|false)$/i.test(value.trim())) return null;
    return 'a string';
  }
  return null;
}

function typeWords(types: string[]): string {
  const words: Record<string, string> = {
    number: 'a number',
    integer: 'an integer',
    boolean: 'a boolean',
    string: 'a string',
    array: 'a list',
    object: 'a mapping',
    null: 'null',
  };
  return [...new Set(types.map((t) => words[t] ?? t))].join(' or ');
}

function checkValue(ctx: HydraContext, pair: Pair, key: string, arg: CallableArg, info: CallableInfo, label: string, out: Diagnostic[]): void {
  const node = resolveAlias(ctx.doc, pair.value);
  const value = scalarValue(ctx, node);
  if (value === null || isDeferred(value)) return;
  const types = splitTypes(arg.type);
  const wrong = accepts(types, value, node);
  if (wrong) {
    out.push(
      makeDiagnostic({
        range: rangeOf(ctx, node),
        code: CODES.wrongType,
        severity: 'warning',
        message: `'${key}' of ${label} takes ${typeWords(types)}, not ${wrong}: ${info.dataclass ? `${info.tool} does not check it when the object is built, so it fails or misbehaves later` : 'the call may stop with an error or misbehave'}.`,
      }),
    );
    return;
  }
  // A value only some releases take (TRL `packing_strategy: ffd`): judged for the project's release.
  if (typeof value === 'string' && arg.valueHistory && Object.prototype.hasOwnProperty.call(arg.valueHistory, value)) {
    const version = ctx.versionOf(info.package);
    const j = judgeValue(key, value, arg.valueHistory, info.tool, version, version.version);
    if (j) {
      const code = j.code === 'FT110' ? CODES.deprecatedKey : j.code === 'FT111' ? CODES.tooNew : CODES.notAllowed;
      out.push(
        makeDiagnostic({
          range: rangeOf(ctx, node),
          code,
          severity: j.severity,
          message: j.message,
          fixes: j.replacement
            ? [
                {
                  title: `Change to '${j.replacement.value}'`,
                  preferred: j.replacement.safe,
                  edits: [{ range: rangeOf(ctx, node), newText: j.replacement.value }],
                },
              ]
            : [],
        }),
      );
    }
    return;
  }
  const allowed = arg.enum;
  if (!allowed?.length || typeof value !== 'string' || !allowed.every((v) => typeof v === 'string') || allowed.includes(value)) return;
  const ordered = byCloseness(value, allowed);
  const enforced = info.tool === 'transformers' || info.tool === 'Lightning';
  const [best] = closest(value, allowed, 1);
  out.push(
    makeDiagnostic({
      range: rangeOf(ctx, node),
      code: CODES.notAllowed,
      severity: enforced ? 'error' : 'warning',
      message: `'${value}' is not a value of '${key}' (${label} takes ${allowed.map((v) => `'${v}'`).join(', ')})${enforced ? `: ${info.tool} stops with a ValueError` : ''}.${best ? ` Did you mean '${best}'?` : ''}`,
      fixes: ordered.slice(0, 5).map((v) => ({ title: `Change to '${v}'`, preferred: v === best, edits: [{ range: rangeOf(ctx, node), newText: v }] })),
    }),
  );
}

// --- Lightning's Trainer: the migration table, judged by the project's Lightning pin (as for Python files).

const pinned1x = (version: ToolVersion): boolean => pinnedBefore(version, '2.0');

function trainerSeverity(row: MigrationRule, version: ToolVersion): Severity {
  return pinned1x(version) || row.behaviour !== 'raises' ? 'warning' : 'error';
}

function trainerMessage(row: MigrationRule, version: ToolVersion, call: string): string {
  const todo = `${row.replacement}${row.note && !row.note.startsWith('an argument of') ? ` (${row.note})` : ''}`;
  if (pinned1x(version)) return `${call} is gone in Lightning ${row.removedIn}: this config breaks when you upgrade from ${version.version}. Use ${todo}.`;
  if (row.behaviour === 'warns') return `${call} is deprecated since Lightning ${row.deprecatedIn ?? row.removedIn} and will be removed. Use ${todo}.`;
  if (row.behaviour === 'silent') return `${call} has no effect in Lightning 2.x (changed in ${row.removedIn}). Use ${todo}.`;
  return `${call} was removed in Lightning ${row.removedIn}: hydra.utils.instantiate stops with a TypeError on Lightning 2.x. Use ${todo}.`;
}

function trainerDiagnostic(
  ctx: HydraContext,
  row: MigrationRule,
  pair: Pair,
  map: YAMLMap,
  present: Set<string>,
  version: ToolVersion,
  onValue = false,
  cls = 'Trainer',
): Diagnostic {
  const key = keyText(pair.key)!;
  const valueNode = resolveAlias(ctx.doc, pair.value);
  const value = scalarValue(ctx, valueNode);
  const shown = row.value === undefined ? `${key}=` : `${key}=${row.value}`;
  return makeDiagnostic({
    range: rangeOf(ctx, onValue ? valueNode : pair.key),
    code: FT305,
    severity: trainerSeverity(row, version),
    message: trainerMessage(row, version, `${cls}(${shown})`),
    deprecated: true,
    fixes: trainerFixes(ctx, row, pair, map, present, value),
  });
}

function trainerFixes(ctx: HydraContext, row: MigrationRule, pair: Pair, map: YAMLMap, present: Set<string>, value: unknown): Fix[] {
  const key = keyText(pair.key)!;
  const valueNode = pair.value as Node | null;
  switch (row.fix.kind) {
    case 'renameKeyword':
      return row.fix.to && !present.has(row.fix.to)
        ? [{ title: `Change '${key}' to '${row.fix.to}'`, preferred: true, edits: [renameEdit(ctx, pair, row.fix.to)] }]
        : [];
    case 'precision':
      return row.fix.to && valueNode
        ? [{ title: `Change to '${row.fix.to}'`, preferred: true, edits: [{ range: rangeOf(ctx, valueNode), newText: row.fix.to }] }]
        : [];
    case 'acceleratorDevices': {
      const devices =
        isDeferred(value) ||
        (typeof value === 'number' && value !== 0) ||
        (typeof value === 'string' && value.trim() !== '0' && value.trim() !== '') ||
        Array.isArray(value);
      const keyRange = (pair.key as Node | null)?.range;
      const valueRange = valueNode?.range;
      // A block list under `gpus:` would need re-indenting: the fix is offered for one-line values only.
      const oneLine = isScalar(valueNode) || ((isSeq(valueNode) || isMap(valueNode)) && valueNode.flow);
      if (!devices || !oneLine || !keyRange || !valueRange || present.has('accelerator') || present.has('devices')) return [];
      const text = ctx.textDocument.getText();
      const valueText = text.slice(valueRange[0], valueRange[1]);
      const lineStart = text.lastIndexOf('\n', keyRange[0] - 1) + 1;
      const separator = map.flow ? ', ' : `\n${' '.repeat(keyRange[0] - lineStart)}`;
      return [
        {
          title: `Use accelerator: ${row.fix.to} and devices: ${valueText}`,
          preferred: true,
          edits: [{ range: offsetRange(ctx.textDocument, keyRange[0], valueRange[1]), newText: `accelerator: ${row.fix.to}${separator}devices: ${valueText}` }],
        },
      ];
    }
    default:
      return [];
  }
}

/** A Trainer argument that still exists but whose 1.x value does not (`precision: 16`, `accelerator: ddp`). */
function trainerValueRow(ctx: HydraContext, key: string, pair: Pair, map: YAMLMap, version: ToolVersion, out: Diagnostic[]): boolean {
  const node = resolveAlias(ctx.doc, pair.value);
  const value = scalarValue(ctx, node);
  const row = TRAINER_ROWS.find((r) => r.name === key && r.value !== undefined && valueMatches(ctx, r.value, value, node));
  if (!row) return false;
  const present = new Set(map.items.map((p) => keyText(p.key)).filter((k): k is string => k !== null));
  out.push(trainerDiagnostic(ctx, row, pair, map, present, version, true));
  return true;
}

function valueMatches(ctx: HydraContext, expected: string, value: unknown, node: unknown): boolean {
  if (expected === 'None') return value === null && isScalar(node);
  if (expected === '<dict>') return isMap(node) && !findPair(node, '_target_');
  const cls = /^<(\w+)>$/.exec(expected)?.[1];
  if (cls) {
    const target = isMap(node) ? scalarValue(ctx, findPair(node, '_target_')?.value) : undefined;
    return typeof target === 'string' && target.endsWith(`.${cls}`);
  }
  return (typeof value === 'string' || typeof value === 'number') && String(value) === expected;
}

// --- The user's own classes.

function checkUserClass(ctx: HydraContext, map: YAMLMap, target: string, partial: boolean, out: Diagnostic[]): void {
  const signature = userSignature(target, ctx.path, ctx.roots, ctx.files!, ctx.python!);
  if (!signature || signature.kwargs) return;
  const present = new Set(map.items.map((p) => keyText(p.key)).filter((k): k is string => k !== null));
  const where = signature.file.split('/').slice(-2).join('/');
  for (const pair of map.items) {
    const key = keyText(pair.key);
    if (key === null || MERGE_KEYS.has(key) || Object.prototype.hasOwnProperty.call(HYDRA_KEYS, key) || signature.params.includes(key)) continue;
    const suggestions = closest(
      key,
      signature.params.filter((p) => !present.has(p)),
      3,
    );
    out.push(
      makeDiagnostic({
        range: rangeOf(ctx, pair.key),
        code: CODES.unknownKey,
        severity: 'error',
        message: `Unknown argument '${key}' of ${signature.label} (${where}): hydra.utils.instantiate passes it as a keyword argument and it stops with "TypeError: got an unexpected keyword argument '${key}'"${when(partial)}.${suggestions.length ? ` Did you mean '${suggestions[0]}'?` : ''}`,
        fixes: suggestions.map((s, i) => ({
          title: `Change '${key}' to '${s}'`,
          preferred: i === 0 && suggestions.length === 1,
          edits: [renameEdit(ctx, pair, s)],
        })),
      }),
    );
  }
}

// --- The defaults list.

function defaultsDiagnostics(ctx: HydraContext): Diagnostic[] {
  return missingDefaults(ctx.value, ctx.path, ctx.files!).map(({ entry, name, file }) => {
    const located = locate(ctx.doc, entry.path);
    const node = located.node ?? located.nearest;
    const relative = file.slice(ctx.path.lastIndexOf('/') + 1);
    return makeDiagnostic({
      range: rangeOf(ctx, node),
      code: CODES.missingLinkedFile,
      severity: 'error',
      message: entry.group
        ? `Config group '${entry.group}' has no option '${entry.option}': ${relative} does not exist next to this file, and Hydra stops with "Could not find '${name}'".`
        : `There is no config '${entry.option}' next to this file (${relative}): Hydra stops with "Could not find '${name}'".`,
    });
  });
}
