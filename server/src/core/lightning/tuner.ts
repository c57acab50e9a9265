import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Fix } from '../common/diagnostics';
import type { LightningFinding } from './detect';
import { isShim } from './detect';
import { importLine, indentAt, lightningRoot, removeArguments, toEdits, usesName, type Span } from './edits';
import { collectImports, resolveName } from './imports';
import { descendants, dottedName, type Node, type Tree } from './python';

// Trainer(auto_lr_find=..., auto_scale_batch_size=...) + trainer.tune(model, ...) -> Tuner(trainer).
//
// In 1.x, trainer.tune() ran the batch-size finder (when auto_scale_batch_size was set) and then the learning-rate
// finder (when auto_lr_find was set), writing the results to the model (update_attr=True). Lightning 2.x removed
// the arguments and tune(); Tuner(trainer).scale_batch_size(...) / .lr_find(...) do the same, and lr_find's
// update_attr defaults to True. The rewrite is offered only when every piece is known: literal argument values, a
// Trainer assigned to a name, and tune() calls on that name later in the same scope whose result is unused.
// A tune() on a Trainer built without either argument did nothing in 1.x: it is removed (a comment says so).
// Everything else (a trainer passed in from elsewhere, values from variables, a dict splatted into Trainer) keeps
// its diagnostic without a fix.

const TRAINER = /^pl\.(?:Trainer|trainer\.(?:trainer\.)?Trainer)$/;
const TUNER = /^pl\.tuner(?:\.tuning)?\.Tuner$/;
const AUTO = new Set(['auto_lr_find', 'auto_scale_batch_size']);
const TUNE_KEYWORDS = new Set(['train_dataloaders', 'val_dataloaders', 'dataloaders', 'datamodule', 'method', 'scale_batch_size_kwargs', 'lr_find_kwargs']);
const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

interface Plan {
  /** Offsets of the nodes whose diagnostics carry the fix (keyword names, `trainer.tune` attributes). */
  anchors: Set<number>;
  spans: Span[];
  needsTuner: boolean;
}

const cache = new WeakMap<Tree, { fix: Fix | undefined; anchors: Set<number> }>();

export function migrateTuner(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const tree = f.node.tree;
  let planned = cache.get(tree);
  if (!planned) {
    planned = planFile(textDocument, tree.rootNode);
    cache.set(tree, planned);
  }
  return planned.fix && planned.anchors.has(f.node.startIndex) ? [planned.fix] : [];
}

function scopeOf(node: Node): Node {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition' || n.type === 'module') return n;
  return node.tree.rootNode;
}

function literal(node: Node | null): { kind: 'true' | 'false' | 'string'; text: string } | undefined {
  if (!node) return undefined;
  if (node.type === 'true') return { kind: 'true', text: 'True' };
  if (node.type === 'false' || node.type === 'none') return { kind: 'false', text: node.text };
  if (node.type === 'string' && !node.namedChildren.some((c) => c?.type === 'interpolation')) return { kind: 'string', text: node.text };
  return undefined;
}

function planFile(textDocument: TextDocument, root: Node): { fix: Fix | undefined; anchors: Set<number> } {
  const text = textDocument.getText();
  const imports = collectImports(root, isShim);
  const calls = descendants(root, new Set(['call']));
  const assignments = descendants(root, new Set(['assignment']));
  const plans: Plan[] = [];
  const existingTuner = [...imports.entries()].find(([, b]) => b.lightning && TUNER.test(b.target))?.[0];
  for (const call of calls) {
    if (!TRAINER.test(resolveName(call.childForFieldName('function'), imports) ?? '') || isShim(call)) continue;
    const plan = planTrainer(text, call, calls, assignments, existingTuner ?? 'Tuner');
    if (plan) plans.push(plan);
  }
  const anchors = new Set(plans.flatMap((p) => [...p.anchors]));
  if (!plans.length) return { fix: undefined, anchors };
  const spans = plans.flatMap((p) => p.spans);
  const needsTuner = plans.some((p) => p.needsTuner);
  if (needsTuner && !existingTuner) {
    // A `Tuner` of some other library would be shadowed: leave that to a human.
    if (usesName(text, 'Tuner')) return { fix: undefined, anchors };
    spans.push(importLine(text, root, `from ${lightningRoot(root, isShim)}.tuner import Tuner`));
  }
  const title = needsTuner
    ? 'Use Tuner(trainer).lr_find / .scale_batch_size instead of Trainer(auto_*=...) and trainer.tune()'
    : 'Remove trainer.tune() (it did nothing without auto_lr_find / auto_scale_batch_size)';
  return { fix: { title, edits: toEdits(textDocument, spans), preferred: true }, anchors };
}

function planTrainer(text: string, call: Node, calls: Node[], assignments: Node[], tunerClass: string): Plan | undefined {
  const argList = call.childForFieldName('arguments');
  if (!argList) return undefined;
  const args = argList.namedChildren.filter((a): a is Node => a !== null && a.type !== 'comment');
  const autos = args.filter((a) => a.type === 'keyword_argument' && AUTO.has(a.childForFieldName('name')?.text ?? ''));
  const values = new Map<string, { kind: 'true' | 'false' | 'string'; text: string }>();
  for (const a of autos) {
    const v = literal(a.childForFieldName('value'));
    if (!v) return undefined;
    values.set(a.childForFieldName('name')!.text, v);
  }
  const opaque = args.some((a) => a.type !== 'keyword_argument');
  const assign = call.parent?.type === 'assignment' && call.parent.parent?.type === 'expression_statement' ? call.parent : undefined;
  const variable = assign ? dottedName(assign.childForFieldName('left')) : undefined;
  const scope = scopeOf(call);
  const tunes = variable && assign ? governedTunes(call, assign, variable, scope, calls, assignments) : [];
  const lr = values.get('auto_lr_find');
  const bs = values.get('auto_scale_batch_size');
  const runs = (lr && lr.kind !== 'false') || (bs && bs.kind !== 'false');
  const anchors = new Set<number>();
  const spans: Span[] = [];
  if (!runs) {
    // Only False/None values (the 1.x defaults): the arguments go, and a tune() on this trainer did nothing.
    if (autos.length) {
      const removed = removeArguments(text, argList, autos);
      if (!removed) return undefined;
      spans.push(...removed);
      for (const a of autos) anchors.add(a.childForFieldName('name')!.startIndex);
    }
    if (!opaque) {
      for (const tune of tunes) {
        const statement = tune.parent!;
        spans.push({ start: statement.startIndex, end: statement.endIndex, newText: noopReplacement(statement) });
        anchors.add(tune.childForFieldName('function')!.startIndex);
      }
    }
    return anchors.size ? { anchors, spans, needsTuner: false } : undefined;
  }
  if (!tunes.length || !variable) return undefined;
  const removed = removeArguments(text, argList, autos);
  if (!removed) return undefined;
  spans.push(...removed);
  for (const a of autos) anchors.add(a.childForFieldName('name')!.startIndex);
  const tunerName = !usesName(text, 'tuner')
    ? 'tuner'
    : !usesName(text, `${variable.replace(/\W/g, '_')}_tuner`)
      ? `${variable.replace(/\W/g, '_')}_tuner`
      : undefined;
  if (!tunerName) return undefined;
  for (const tune of tunes) {
    const lines = tunerCalls(tune, variable, tunerName, tunerClass, lr, bs);
    if (!lines) return undefined;
    const statement = tune.parent!;
    spans.push({ start: statement.startIndex, end: statement.endIndex, newText: lines.join(`\n${indentAt(text, statement.startIndex)}`) });
    anchors.add(tune.childForFieldName('function')!.startIndex);
  }
  return { anchors, spans, needsTuner: true };
}

/** `<variable>.tune(...)` statements after the Trainer in the same scope, before the name is bound again. */
function governedTunes(call: Node, assign: Node, variable: string, scope: Node, calls: Node[], assignments: Node[]): Node[] {
  const inScope = (n: Node) =>
    n.startIndex > assign.endIndex && n.endIndex <= scope.endIndex && scopeOf(n).startIndex === scope.startIndex && !insideNested(n, scope);
  const rebinds = assignments
    .filter((a) => a !== assign && a.startIndex !== assign.startIndex && inScope(a) && dottedName(a.childForFieldName('left')) === variable)
    .map((a) => a.startIndex);
  const next = Math.min(...rebinds, Infinity);
  return calls.filter((c) => {
    const fn = c.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'tune' || dottedName(fn.childForFieldName('object')) !== variable) return false;
    return inScope(c) && c.startIndex < next && c.parent?.type === 'expression_statement' && c !== call;
  });
}

function insideNested(node: Node, scope: Node): boolean {
  for (let n = node.parent; n && n.startIndex >= scope.startIndex && !(n.startIndex === scope.startIndex && n.type === scope.type); n = n.parent) {
    if (SCOPES.has(n.type)) return true;
  }
  return false;
}

/** `trainer.tune(model, datamodule=dm)` -> `tuner = Tuner(trainer)`, `tuner.scale_batch_size(...)`, `tuner.lr_find(...)`. */
function tunerCalls(
  tune: Node,
  variable: string,
  tunerName: string,
  tunerClass: string,
  lr: { kind: string; text: string } | undefined,
  bs: { kind: string; text: string } | undefined,
): string[] | undefined {
  const args = tune.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => a !== null && a.type !== 'comment') ?? [];
  const shared: string[] = [];
  let bsKwargs: Node | undefined;
  let lrKwargs: Node | undefined;
  let positional = 0;
  for (const a of args) {
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')!.text;
      if (!TUNE_KEYWORDS.has(name)) return undefined;
      if (name === 'scale_batch_size_kwargs') bsKwargs = a.childForFieldName('value') ?? undefined;
      else if (name === 'lr_find_kwargs') lrKwargs = a.childForFieldName('value') ?? undefined;
      else shared.push(a.text);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat' || ++positional > 5) {
      return undefined;
    } else shared.push(a.text);
  }
  if (!positional) return undefined;
  const lines = [`${tunerName} = ${tunerClass}(${variable})`];
  // 1.x order: the batch size first, then the learning rate.
  if (bs && bs.kind !== 'false') {
    const extra = kwargs(bsKwargs, bs.kind === 'string' ? ['mode', bs.text] : undefined);
    if (!extra) return undefined;
    lines.push(`${tunerName}.scale_batch_size(${[...shared, ...extra].join(', ')})`);
  }
  if (lr && lr.kind !== 'false') {
    const extra = kwargs(lrKwargs, lr.kind === 'string' ? ['attr_name', lr.text] : undefined);
    if (!extra) return undefined;
    lines.push(`${tunerName}.lr_find(${[...shared, ...extra].join(', ')})`);
  }
  return lines;
}

/** The `*_kwargs={...}` of tune() as keyword arguments; 1.x used setdefault, so the user's own key wins over ours. */
function kwargs(dict: Node | undefined, fallback: [string, string] | undefined): string[] | undefined {
  if (!dict || dict.type === 'none') return fallback ? [`${fallback[0]}=${fallback[1]}`] : [];
  if (dict.type === 'dictionary') {
    const out: string[] = [];
    const keys = new Set<string>();
    for (const child of dict.namedChildren) {
      if (!child || child.type === 'comment') continue;
      const key = child.type === 'pair' ? child.childForFieldName('key') : null;
      const value = child.type === 'pair' ? child.childForFieldName('value') : null;
      const name = key?.type === 'string' ? /^(['"])([A-Za-z_]\w*)\1$/.exec(key.text)?.[2] : undefined;
      if (!name || !value) return undefined;
      keys.add(name);
      out.push(`${name}=${value.text}`);
    }
    if (fallback && !keys.has(fallback[0])) out.push(`${fallback[0]}=${fallback[1]}`);
    return out;
  }
  if (dict.type === 'identifier' || dict.type === 'attribute') return [fallback ? `**{"${fallback[0]}": ${fallback[1]}, **${dict.text}}` : `**${dict.text}`];
  return undefined;
}

/** A tune() that did nothing: a comment in its place (or `pass` where it was the only statement of a block). */
function noopReplacement(statement: Node): string {
  const comment = `# ${statement.text.replace(/\s+/g, ' ')} removed: it did nothing without auto_lr_find / auto_scale_batch_size, and Lightning 2.x has no Trainer.tune()`;
  const siblings = statement.parent?.namedChildren.filter((c) => c !== null && c.type !== 'comment') ?? [];
  return statement.parent?.type === 'block' && siblings.length === 1 ? `pass  ${comment}` : comment;
}
