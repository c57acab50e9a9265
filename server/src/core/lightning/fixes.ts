import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { offsetRange, type Fix } from '../common/diagnostics';
import type { LightningFinding } from './detect';
import { removeArguments, toEdits } from './edits';
import { loaderIndexExpression } from './loaderIndex';
import { argumentSpan, descendants, dottedName, methodsOf, parameterNames, type Node } from './python';

// The structural migrations of ../shared/research/lightning-migration.md §2: they keep behaviour, so they touch
// more than one place. Each returns no fix when it cannot be sure, and the message says what to do by hand.

const STAGES: Record<string, { hook: string; step: string; buffer: string; training?: boolean; predict?: boolean }> = {
  training_epoch_end: { hook: 'on_train_epoch_end', step: 'training_step', buffer: 'training_step_outputs', training: true },
  validation_epoch_end: { hook: 'on_validation_epoch_end', step: 'validation_step', buffer: 'validation_step_outputs' },
  test_epoch_end: { hook: 'on_test_epoch_end', step: 'test_step', buffer: 'test_step_outputs' },
  predict_epoch_end: { hook: 'on_predict_epoch_end', step: 'predict_step', buffer: '', predict: true },
};

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** Where new statements go at the top of a function body: after its docstring, at the body's indentation. */
function bodyStart(text: string, fn: Node): { offset: number; indent: string } | undefined {
  const body = fn.childForFieldName('body');
  const first = body?.namedChildren[0];
  if (!body || !first) return undefined;
  const indent = indentOf(text, first.startIndex);
  const isDocstring = first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
  if (isDocstring) return { offset: text.indexOf('\n', first.endIndex) + 1 || first.endIndex, indent };
  // Right after the `def ...:` line: comments that open the body stay with the code they describe.
  const colon = fn.children.find((c) => c?.type === ':');
  const afterHeader = colon ? text.indexOf('\n', colon.endIndex) + 1 : 0;
  return { offset: afterHeader > 0 && afterHeader <= first.startIndex ? afterHeader : lineStart(text, first.startIndex), indent };
}

/** Which stage a hook belongs to, from any of its 1.x or 2.x names. */
function stageOf(name: string): [string, (typeof STAGES)[string]] | undefined {
  for (const [old, stage] of Object.entries(STAGES)) {
    if (name === old || name === stage.hook || name === `${stage.step}_end`) return [old, stage];
  }
  return undefined;
}

/**
 * The 1.x epoch-end pipeline, rebuilt for 2.x: `*_step_end` (applied to each step output in 1.x) becomes a plain
 * helper called at each `return` of the step; `*_epoch_end(self, outputs)` (or an `on_*_epoch_end(self,
 * outputs)` renamed but not migrated) becomes `on_*_epoch_end(self)` reading the outputs the step collected.
 */
export function migrateEpochEndHook(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const found = stageOf(f.node.text);
  const cls = f.classNode;
  if (!found || !cls) return [];
  const [oldHook, stage] = found;
  const text = textDocument.getText();
  const all = methodsOf(cls);
  const step = all.get(stage.step);
  const stepEnd = all.get(`${stage.step}_end`);
  const newHook = all.get(stage.hook);
  const newHookTakesOutputs = newHook ? parameterNames(newHook).length === 2 : false;
  const hook = all.get(oldHook) ?? (newHookTakesOutputs ? newHook : undefined);
  // A *_step_end finding is migrated together with its epoch-end hook when there is one.
  if (f.node.text === `${stage.step}_end` && hook) return [];
  if (hook && all.has(oldHook) && newHook) return []; // both the 1.x and the 2.x hook: merging them is a decision
  const edits: TextEdit[] = [];
  const collect = Boolean(hook) && !stage.predict;
  // Several loaders, recognised by use: the step takes a loader index (whatever its name), so 1.x handed the
  // epoch end one list per loader. Not for training_step, whose third parameter was optimizer_idx.
  const multi = step && !stage.training && !stage.predict ? loaderIndexExpression(step) : undefined;
  const buffer = `self.${stage.buffer}`;

  if (hook) {
    const params = parameterNames(hook);
    const outputsName = params[1];
    if (!outputsName || params.length !== 2) return [];
    const nameNode = hook.childForFieldName('name')!;
    const paramsNode = hook.childForFieldName('parameters')!;
    if (nameNode.text !== stage.hook) edits.push({ range: offsetRange(textDocument, nameNode.startIndex, nameNode.endIndex), newText: stage.hook });
    edits.push({ range: offsetRange(textDocument, paramsNode.startIndex, paramsNode.endIndex), newText: `(${params[0]})` });
    // A body that never reads `outputs` (a half-done migration that already collects its own list, or a hook that
    // only logs) only loses the parameter: no step outputs are needed, so no step of its own either.
    const body = hook.childForFieldName('body')!;
    const readsOutputs = descendants(body, new Set(['identifier'])).some((n) => n.text === outputsName);
    if (!readsOutputs) return [{ title: `Drop the '${outputsName}' parameter (2.x calls ${stage.hook}(self))`, edits, preferred: true }];
    if (!stage.predict && !step) return [];
    // The class already uses the buffer name for something: collecting into it too is a decision, not a fix.
    if (!stage.predict && cls.text.includes(`self.${stage.buffer}`)) return [];
    const top = bodyStart(text, hook);
    if (!top) return [];
    if (stage.predict) {
      // 2.x keeps the predictions itself (when return_predictions is on, the default), flattened for one loader;
      // 1.x handed the hook one list per loader always (loops/dataloader/prediction_loop.py at 1.9.5).
      const loop = `${params[0]}.trainer.predict_loop`;
      edits.push({
        range: offsetRange(textDocument, top.offset, top.offset),
        newText: `${top.indent}${outputsName} = ${loop}.predictions\n${top.indent}if ${loop}.num_dataloaders == 1:\n${top.indent}    ${outputsName} = [${outputsName}]\n`,
      });
      return [{ title: `Migrate to ${stage.hook}(self)`, edits, preferred: true }];
    }
    // Read and reset at the top: the old body runs unchanged on `outputs`, and the next epoch starts empty
    // (early returns in the body need no clear()).
    const bind = multi
      ? `${top.indent}${outputsName} = [${buffer}[i] for i in sorted(${buffer})]\n${top.indent}if len(${outputsName}) == 1:\n${top.indent}    ${outputsName} = ${outputsName}[0]\n${top.indent}${buffer} = {}\n`
      : `${top.indent}${outputsName} = ${buffer}\n${top.indent}${buffer} = []\n`;
    edits.push({ range: offsetRange(textDocument, top.offset, top.offset), newText: bind });
  }

  // *_step_end: 2.x refuses the hook, so its body becomes a helper the step calls itself.
  const helper = `_${stage.step}_end`;
  if (stepEnd) {
    const name = stepEnd.childForFieldName('name')!;
    edits.push({ range: offsetRange(textDocument, name.startIndex, name.endIndex), newText: helper });
  }
  if (!collect && !stepEnd) return [];
  if (!step) return [];

  // At each `return value` of the step itself (not of nested functions).
  const returns = descendants(step.childForFieldName('body')!, new Set(['return_statement']), new Set(['function_definition', 'lambda', 'class_definition']));
  for (const ret of returns) {
    const value = ret.namedChildren[0];
    if (!value) continue;
    const indent = indentOf(text, ret.startIndex);
    const produced = stepEnd ? `self.${helper}(${value.text})` : value.text;
    if (!collect) {
      edits.push({ range: offsetRange(textDocument, ret.startIndex, ret.endIndex), newText: `return ${produced}` });
      continue;
    }
    const collected = stage.training
      ? // 1.x handed training_epoch_end dicts holding a detached "loss", whatever the step returned.
        `{"loss": step_output.detach()} if hasattr(step_output, "detach") else {**step_output, "loss": step_output["loss"].detach()}`
      : 'step_output';
    const append = multi ? `${buffer}.setdefault(${multi}, []).append(${collected})` : `${buffer}.append(${collected})`;
    edits.push({
      range: offsetRange(textDocument, ret.startIndex, ret.endIndex),
      newText: `step_output = ${produced}\n${indent}if step_output is not None:\n${indent}    ${append}\n${indent}return step_output`,
    });
  }
  if (!collect) return [{ title: `Call ${helper}() from ${stage.step} (2.x no longer calls ${stage.step}_end)`, edits, preferred: true }];

  // The buffer, created with the module: after super().__init__(...), or in a pass-through __init__.
  const init = all.get('__init__');
  const empty = multi ? '{}' : '[]';
  if (init) {
    const superCall = descendants(init, new Set(['call'])).find((c) => /^super\(\)\.__init__$/.test(c.childForFieldName('function')?.text ?? ''));
    const anchor = superCall ? (superCall.parent ?? superCall) : undefined;
    if (anchor) {
      const end = text.indexOf('\n', anchor.endIndex);
      const at = end < 0 ? text.length : end + 1;
      edits.push({ range: offsetRange(textDocument, at, at), newText: `${indentOf(text, anchor.startIndex)}${buffer} = ${empty}\n` });
    } else {
      const start = bodyStart(text, init);
      if (!start) return [];
      edits.push({ range: offsetRange(textDocument, start.offset, start.offset), newText: `${start.indent}${buffer} = ${empty}\n` });
    }
  } else {
    const first = cls.childForFieldName('body')?.namedChildren[0];
    if (!first) return [];
    const indent = indentOf(text, first.startIndex);
    const isDoc = first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
    const at = isDoc ? text.indexOf('\n', first.endIndex) + 1 : lineStart(text, first.startIndex);
    edits.push({
      range: offsetRange(textDocument, at, at),
      newText: `${indent}def __init__(self, *args, **kwargs):\n${indent}    super().__init__(*args, **kwargs)\n${indent}    ${buffer} = ${empty}\n\n`,
    });
  }
  return [{ title: `Migrate to ${stage.hook}(self), collecting ${stage.step} outputs`, edits, preferred: true }];
}

/**
 * A hook whose 1.x parameters 2.x no longer passes (`outputs`, `optimizer_idx`, `on_tpu`...): when the body never
 * reads them, dropping them is the whole migration. When it does, it is a decision for a human.
 */
export function dropUnusedParameters(textDocument: TextDocument, f: LightningFinding, params: string[]): Fix[] {
  const fn = f.functionNode;
  const body = fn?.childForFieldName('body');
  const list = fn?.childForFieldName('parameters');
  if (!fn || !body || !list) return [];
  const present = list.namedChildren
    .filter((p): p is Node => p !== null)
    .filter((p) =>
      params.includes(p.type === 'identifier' ? p.text : ((p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'))?.text ?? '')),
    );
  if (!present.length) return [];
  const used = new Set(descendants(body, new Set(['identifier'])).map((n) => n.text));
  if (
    present.some((p) =>
      used.has(p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'))!.text),
    )
  )
    return [];
  const text = textDocument.getText();
  const title = `Drop ${present.map((p) => `'${p.text.replace(/[:=].*$/s, '').trim()}'`).join(', ')} (2.x no longer passes ${present.length === 1 ? 'it' : 'them'})`;
  // Parameters on lines of their own go with their lines (no whitespace-only line left behind).
  const spans = removeArguments(text, list, present);
  if (spans?.length) return [{ title, edits: toEdits(textDocument, spans), preferred: true }];
  const edits = present.map((p) => {
    const [start, end] = argumentSpan(text, p.startIndex, p.endIndex);
    return { range: offsetRange(textDocument, start, end), newText: '' };
  });
  // Two adjacent parameters share a comma: keep the spans apart by merging overlapping ones.
  edits.sort((a, b) => textDocument.offsetAt(a.range.start) - textDocument.offsetAt(b.range.start));
  const merged: typeof edits = [];
  for (const e of edits) {
    const last = merged[merged.length - 1];
    if (last && textDocument.offsetAt(e.range.start) <= textDocument.offsetAt(last.range.end)) {
      if (textDocument.offsetAt(e.range.end) > textDocument.offsetAt(last.range.end)) last.range = { start: last.range.start, end: e.range.end };
    } else merged.push(e);
  }
  return [{ title, edits: merged, preferred: true }];
}

/** `def on_test_batch_start(self, batch, batch_idx, dataloader_idx)` -> `dataloader_idx=0`, the 2.x form. */
export function defaultDataloaderIdx(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const fn = f.functionNode;
  const param = fn?.childForFieldName('parameters')?.namedChildren.find((p) => p?.type === 'identifier' && p.text === 'dataloader_idx');
  if (!param) return [];
  return [
    {
      title: 'Give dataloader_idx a default: dataloader_idx=0',
      edits: [{ range: offsetRange(textDocument, param.startIndex, param.endIndex), newText: 'dataloader_idx=0' }],
      preferred: true,
    },
  ];
}

/** A removed Trainer argument with no replacement: deleted, with a comment saying why (in its place when it
 *  stood on a line of its own, else above the statement). */
export function removeKeyword(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const arg = f.node.parent;
  if (arg?.type !== 'keyword_argument') return [];
  const text = textDocument.getText();
  const title = `Remove ${f.node.text}=... (${f.rule.replacement})`;
  const why = `# ${arg.text} removed: Lightning 2.x has no such argument (${f.rule.replacement})`.replace(/\s+/g, ' ');
  const start = lineStart(text, arg.startIndex);
  const lineEnd = text.indexOf('\n', arg.endIndex) < 0 ? text.length : text.indexOf('\n', arg.endIndex);
  if (/^\s*$/.test(text.slice(start, arg.startIndex)) && /^\s*,?\s*$/.test(text.slice(arg.endIndex, lineEnd))) {
    return [{ title, edits: [{ range: offsetRange(textDocument, start, lineEnd), newText: `${indentOf(text, arg.startIndex)}${why}` }], preferred: true }];
  }
  const [from, to] = argumentSpan(text, arg.startIndex, arg.endIndex);
  let statement: Node = arg;
  while (statement.parent && !/_statement$|^expression_statement$/.test(statement.type)) statement = statement.parent;
  const at = lineStart(text, statement.startIndex);
  return [
    {
      title,
      edits: [
        { range: offsetRange(textDocument, at, at), newText: `${indentOf(text, statement.startIndex)}${why}\n` },
        { range: offsetRange(textDocument, from, to), newText: '' },
      ],
      preferred: true,
    },
  ];
}

/** Trainer(resume_from_checkpoint=p) -> trainer.fit(..., ckpt_path=p) on the same trainer. */
export function migrateResume(textDocument: TextDocument, f: LightningFinding, fitCalls: () => Map<string, Node[]>): Fix[] {
  const arg = f.node.parent;
  const value = arg?.childForFieldName('value');
  const call = arg?.parent?.parent; // keyword_argument -> argument_list -> call
  if (!arg || !value || call?.type !== 'call') return [];
  const assign = call.parent?.type === 'assignment' ? call.parent : undefined;
  const trainer = assign ? dottedName(assign.childForFieldName('left')) : undefined;
  if (!trainer) return [];
  const fits = fitCalls().get(trainer) ?? [];
  if (!fits.length) return [];
  const text = textDocument.getText();
  // An argument on a line of its own goes with its line (no whitespace-only line left behind).
  const spans = removeArguments(text, arg.parent!, [arg]);
  const [start, end] = argumentSpan(text, arg.startIndex, arg.endIndex);
  const edits: TextEdit[] = spans?.length ? toEdits(textDocument, spans) : [{ range: offsetRange(textDocument, start, end), newText: '' }];
  for (const fit of fits) {
    const args = fit.childForFieldName('arguments')!;
    if (args.namedChildren.some((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'ckpt_path')) continue;
    const close = args.endIndex - 1;
    let b = close - 1;
    while (b >= 0 && /\s/.test(text[b])) b--;
    const sep = !args.namedChildren.length ? '' : text[b] === ',' ? ' ' : ', ';
    edits.push({ range: offsetRange(textDocument, close, close), newText: `${sep}ckpt_path=${value.text}` });
  }
  return [{ title: `Pass ckpt_path=${value.text} to ${trainer}.fit()`, edits, preferred: true }];
}
