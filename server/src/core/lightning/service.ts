import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { makeDiagnostic, offsetRange, type Fix } from '../common/diagnostics';
import type { Code } from '../common/codes';
import { pinnedBefore, type ToolVersion } from '../common/versions';
import { detectMigrations, type DetectContext, type LightningFinding } from './detect';
import { dottedName, type Node } from './python';
import { defaultDataloaderIdx, dropUnusedParameters, migrateEpochEndHook, migrateResume, removeKeyword } from './fixes';
import { devicesHint, migrateDevices } from './devices';
import { migrateLiteImport } from './liteImport';
import { addTransferLoaderIndex, renameLoaderIndex } from './loaderIndex';
import {
  checkpointHint,
  checkpointPathHint,
  migrateCheckpointCallback,
  migrateCheckpointPath,
  migrateLrSchedulers,
  migratePositionalTrainer,
} from './trainerFixes';
import type { IncrementalPython } from './incremental';
import type { MigrationKind, MigrationRule } from './table';
import { migrateImport } from './importFix';
import { migrateTuner } from './tuner';
import { migrateBatchHook, migrateEpochHooks, migratePrecision } from './hookFixes';
import { checkState, recheck, sameContext, type CheckState } from './recheck';

/** The newest Lightning release the migration table knows (reference/lightning-trainer.tsv snapshot). */
export const LIGHTNING_NEWEST = '2.6.0';

/** One code per kind of API, documented in docs/rules.md. */
export const LIGHTNING_CODES: Record<MigrationKind, Code> = {
  hook: 'FT301' as Code,
  hookSignature: 'FT302' as Code,
  callbackHook: 'FT303' as Code,
  dataModuleHook: 'FT303' as Code,
  moduleAttribute: 'FT304' as Code,
  logArgument: 'FT304' as Code,
  trainerArgument: 'FT305' as Code,
  trainerMember: 'FT306' as Code,
  import: 'FT307' as Code,
  callbackClass: 'FT307' as Code,
  cliArgument: 'FT308' as Code,
  changedDefault: 'FT309' as Code,
};

export interface LightningContext extends DetectContext {
  /** The Lightning release the project pins (or the newest). */
  version: ToolVersion;
  /** Re-parses open files incrementally (the editor); without it, every call parses from scratch. */
  incremental?: IncrementalPython;
}

const pinned1x = (version: ToolVersion): boolean => pinnedBefore(version, '2.0');

const HOOKS = new Set<MigrationKind>(['hook', 'hookSignature', 'callbackHook', 'dataModuleHook']);

function message(rule: MigrationRule, version: ToolVersion): string {
  if (rule.behaviour === 'changed') return `Lightning 2.0 changed a default here, without an error: ${rule.api ?? rule.name}. Write ${rule.replacement}.`;
  const what = `'${rule.api ?? rule.name}'`;
  const when = `Lightning ${rule.removedIn}`;
  const todo = `${rule.replacement}${rule.note ? ` (${rule.note})` : ''}`;
  if (pinned1x(version)) {
    return `${what} is gone in ${when}: this code breaks when you upgrade from ${version.version}${rule.behaviour === 'silent' ? ' (it is silently never called there)' : ''}. Use ${todo}.`;
  }
  switch (rule.behaviour) {
    case 'silent':
      return HOOKS.has(rule.kind)
        ? `${what} is never called in Lightning 2.x (removed in ${when}): this code silently stops running. Use ${todo}.`
        : `${what} has no effect in Lightning 2.x (changed in ${when}): the code runs but does not do what it did. Use ${todo}.`;
    case 'warns':
      return `${what} is deprecated since Lightning ${rule.deprecatedIn ?? rule.removedIn} and will be removed. Use ${todo}.`;
    default:
      return `${what} was removed in ${when}: Lightning 2.x stops with an error here. Use ${todo}.`;
  }
}

function severity(rule: MigrationRule, version: ToolVersion): 'error' | 'warning' | 'information' {
  if (rule.behaviour === 'changed') return 'information';
  if (pinned1x(version) || rule.behaviour === 'warns') return 'warning';
  return 'error';
}

/**
 * Removed and changed Lightning 1.x APIs in a Python file, with fixes where a safe one exists. With `incremental`
 * (the editor), the same text is not checked twice, and after an edit inside one top-level statement only that
 * statement is checked again when nothing the rest of the file reads of it changed (recheck.ts).
 */
export function lightningDiagnostics(textDocument: TextDocument, ctx: LightningContext): Diagnostic[] {
  const text = textDocument.getText();
  const incremental = ctx.incremental;
  if (incremental) {
    const same = incremental.checked(textDocument.uri, text) as CheckState | undefined;
    if (same && !same.whole && sameContext(same, ctx)) return visible(same.diagnostics, ctx);
  }
  const parsed = incremental ? incremental.parseChange(textDocument.uri, text) : { tree: ctx.parser.parse(text), change: undefined, checked: undefined };
  const tree = parsed?.tree;
  if (!tree) return [];
  try {
    if (incremental && parsed.change && parsed.checked) {
      const state = recheck(parsed.checked as CheckState, tree, parsed.change, textDocument, ctx, (f) =>
        diagnose(textDocument, f, ctx, () => {
          throw new Error('a re-check never fixes resume_from_checkpoint');
        }),
      );
      if (state) {
        incremental.keep(textDocument.uri, text, state);
        return visible(state.diagnostics, ctx);
      }
    }
    const { findings, index, facts } = detectMigrations(tree, ctx);
    let fits: Map<string, Node[]> | undefined;
    // `<trainer>.fit(...)` calls by receiver, built once and only when a fix needs them.
    const calls = () => {
      if (fits) return fits;
      fits = new Map();
      for (const call of index.get('call') ?? []) {
        const fn = call.childForFieldName('function');
        if (fn?.type !== 'attribute' || !fn.text.endsWith('.fit')) continue;
        const receiver = dottedName(fn.childForFieldName('object'));
        if (receiver) fits.set(receiver, [...(fits.get(receiver) ?? []), call]);
      }
      return fits;
    };
    const diagnostics = findings.map((f) => diagnose(textDocument, f, ctx, calls));
    if (incremental) incremental.keep(textDocument.uri, text, checkState(textDocument, tree, findings, diagnostics, facts, ctx));
    return visible(diagnostics, ctx);
  } finally {
    tree.delete();
  }
}

/**
 * FT309 (a changed default) only where the code is still 1.x: the project pins 1.x, or the file has a 1.x API. Code
 * written for 2.x gets the 2.x defaults on purpose.
 */
function visible(diagnostics: Diagnostic[], ctx: LightningContext): Diagnostic[] {
  if (pinned1x(ctx.version) || diagnostics.some((d) => d.code !== LIGHTNING_CODES.changedDefault)) return [...diagnostics];
  return diagnostics.filter((d) => d.code !== LIGHTNING_CODES.changedDefault);
}

function diagnose(textDocument: TextDocument, f: LightningFinding, ctx: LightningContext, calls: () => Map<string, Node[]>): Diagnostic {
  const fixes = fixFor(textDocument, f, calls);
  const hint = fixes.length ? undefined : hintFor(f);
  return makeDiagnostic({
    range: offsetRange(textDocument, f.node.startIndex, f.node.endIndex),
    code: LIGHTNING_CODES[f.rule.kind],
    severity: severity(f.rule, ctx.version),
    message: `${message(f.rule, ctx.version)}${hint ? ` ${hint}` : ''}${f.origin ? ` (${f.origin})` : ''}`,
    deprecated: f.rule.behaviour !== 'changed',
    fixes,
  });
}

/** Where no fix is safe: what to write in this place, from the value at hand. */
function hintFor(f: LightningFinding): string | undefined {
  switch (f.rule.fix.kind) {
    case 'acceleratorDevices':
      return devicesHint(f);
    case 'checkpointCallback':
      return checkpointHint(f);
    case 'checkpointPath':
      return checkpointPathHint(f);
    default:
      return undefined;
  }
}

function edit(textDocument: TextDocument, node: Node, newText: string): TextEdit {
  return { range: offsetRange(textDocument, node.startIndex, node.endIndex), newText };
}

const PRECISION: Record<string, string> = { '16': '"16-mixed"', bf16: '"bf16-mixed"', '32': '"32-true"', '64': '"64-true"' };

/**
 * 2.x toggles by optimizer: `self.toggle_optimizer(opt, idx)` drops the index; `self.untoggle_optimizer(idx)`
 * takes the optimizer that the same function last toggled with that index (no fix when there is none).
 */
function migrateToggle(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const call = f.node;
  const args = call.childForFieldName('arguments');
  const list = args ? args.namedChildren.filter((a): a is Node => Boolean(a) && a!.type !== 'comment') : [];
  const fn = call.childForFieldName('function')?.text;
  if (fn === 'self.toggle_optimizer' && list.length === 2 && list[1].type !== 'keyword_argument') {
    // From the end of the first argument to the end of the second: ", idx".
    return [
      { title: 'Drop the optimizer index', edits: [{ range: offsetRange(textDocument, list[0].endIndex, list[1].endIndex), newText: '' }], preferred: true },
    ];
  }
  if (fn === 'self.untoggle_optimizer' && list.length === 1) {
    let scope: Node | null = call.parent;
    while (scope && scope.type !== 'function_definition') scope = scope.parent;
    if (!scope) return [];
    const index = list[0].text;
    let optimizer: string | undefined;
    for (const c of scope.descendantsOfType('call')) {
      if (!c || c.startIndex >= call.startIndex) continue;
      if (c.childForFieldName('function')?.text !== 'self.toggle_optimizer') continue;
      const a = c.childForFieldName('arguments')?.namedChildren.filter((x): x is Node => Boolean(x) && x!.type !== 'comment') ?? [];
      if (a.length === 2 && a[1].text === index && /^[\w.]+$/.test(a[0].text)) optimizer = a[0].text;
    }
    return optimizer ? [{ title: `Untoggle ${optimizer}`, edits: [edit(textDocument, list[0], optimizer)], preferred: true }] : [];
  }
  return [];
}

/** The other keywords of the call, or keys of the dict literal, that a keyword or key belongs to. */
function siblingKeys(node: Node): Set<string> {
  const holder = node.parent?.parent;
  const out = new Set<string>();
  for (const c of holder?.namedChildren ?? []) {
    if (c?.type === 'keyword_argument') out.add(c.childForFieldName('name')?.text ?? '');
    if (c?.type === 'pair') out.add((c.childForFieldName('key')?.text ?? '').replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}

/** The simple, safe rewrites; the structural ones (epoch-end hooks, devices, Tuner) are done separately. */
function fixFor(textDocument: TextDocument, f: LightningFinding, calls: () => Map<string, Node[]>): Fix[] {
  const { rule, node } = f;
  if (f.noFix) return [];
  const to = rule.fix.to;
  // 2.x passes dataloader_idx only with several loaders: a default makes the hook work either way.
  if (rule.params?.length === 1 && rule.params[0] === 'dataloader_idx' && f.functionNode) return defaultDataloaderIdx(textDocument, f);
  // Signature rows with nothing better: parameters 2.x no longer passes, dropped when the body never reads them.
  if (f.functionNode && rule.params?.length && (rule.fix.kind === 'removeParameters' || rule.fix.kind === 'none')) {
    const dropped = dropUnusedParameters(textDocument, f, rule.params);
    // on_predict_epoch_end(self, results) that reads them: the predictions the loop kept, in 1.x's shape.
    return dropped.length || rule.id !== 'hookSignature.on_predict_epoch_end(outputs)' ? dropped : migrateEpochEndHook(textDocument, f);
  }
  if (rule.fix.kind === 'transferLoaderIndex') return addTransferLoaderIndex(textDocument, f);
  switch (rule.fix.kind) {
    case 'epochEnd':
      return migrateEpochEndHook(textDocument, f);
    case 'acceleratorDevices':
      return migrateDevices(textDocument, f);
    case 'checkpointCallback':
      return migrateCheckpointCallback(textDocument, f);
    case 'liteImport':
      return /import/.test(node.type) ? migrateLiteImport(textDocument, node) : [];
    case 'checkpointPath':
      return migrateCheckpointPath(textDocument, f);
    case 'positionalTrainer':
      return migratePositionalTrainer(textDocument, f);
    case 'lrSchedulerConfigs':
      return migrateLrSchedulers(textDocument, f);
    case 'loaderIndex':
      return renameLoaderIndex(textDocument, f);
    case 'resumeFromCheckpoint':
      return migrateResume(textDocument, f, calls);
    case 'renameMethod':
      return to ? [{ title: `Rename to ${to}`, edits: [edit(textDocument, node, to)], preferred: true }] : [];
    case 'renameKeyword':
    case 'renameAttribute':
      if (!to) return [];
      if (node.type === 'attribute') {
        const attr = node.childForFieldName('attribute');
        // `self.datamodule` -> `self.trainer.datamodule`, `trainer.root_gpu` -> `trainer.strategy.root_device.index`.
        return attr ? [{ title: `Use ${to}`, edits: [edit(textDocument, attr, to)], preferred: true }] : [];
      }
      // The call (or dict) already has the new keyword: a rename would pass it twice.
      if (siblingKeys(node).has(to)) return [];
      if (node.type === 'string') {
        // A key of a splatted dict literal ({"replace_sampler_ddp": False}), quoted as it was.
        const quote = textDocument.getText().charAt(node.startIndex);
        return /^["']$/.test(quote) ? [{ title: `Rename to ${to}`, edits: [edit(textDocument, node, `${quote}${to}${quote}`)], preferred: true }] : [];
      }
      return node.type === 'identifier' ? [{ title: `Rename to ${to}`, edits: [edit(textDocument, node, to)], preferred: true }] : [];
    case 'precision': {
      const arg = node.parent;
      const value = arg?.type === 'keyword_argument' ? arg.childForFieldName('value') : null;
      const v = value?.text.replace(/^(['"])(.*)\1$/, '$2');
      const next = v ? PRECISION[v] : undefined;
      return value && next ? [{ title: `Use precision=${next}`, edits: [edit(textDocument, value, next)], preferred: true }] : [];
    }
    case 'removeKeyword':
      return removeKeyword(textDocument, f);
    case 'tuner':
      return migrateTuner(textDocument, f);
    case 'precisionValue':
      return migratePrecision(textDocument, f);
    case 'epochHooks':
      return migrateEpochHooks(textDocument, f);
    case 'batchHook':
      return migrateBatchHook(textDocument, f);
    case 'toggleOptimizer':
      return migrateToggle(textDocument, f);
    case 'replaceImport':
      return /import/.test(node.type) ? migrateImport(textDocument, rule, node) : [];
    default:
      return [];
  }
}
