import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { offsetRange, type Fix } from '../config/diagnostics';
import type { LightningFinding } from './detect';
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

/** `*_epoch_end(self, outputs)` -> `on_*_epoch_end(self)`, with the step's outputs collected as 1.x collected them. */
export function migrateEpochEndHook(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const stage = STAGES[f.node.text];
  const cls = f.classNode;
  const hook = f.functionNode;
  if (!stage || !cls || !hook) return [];
  const text = textDocument.getText();
  const all = methodsOf(cls);
  const step = all.get(stage.step);
  const params = parameterNames(hook);
  const outputsName = params[1];
  // Cases a rewrite cannot keep faithful: a *_step_end that reshapes the outputs, an existing 2.x hook to merge
  // with, a step defined elsewhere (base class), extra hook parameters.
  if (!outputsName || params.length !== 2 || all.has(stage.hook) || all.has(`${stage.step}_end`)) return [];
  if (!stage.predict && !step) return [];
  const edits: TextEdit[] = [];
  const paramsNode = hook.childForFieldName('parameters')!;
  edits.push({ range: offsetRange(textDocument, f.node.startIndex, f.node.endIndex), newText: stage.hook });
  edits.push({ range: offsetRange(textDocument, paramsNode.startIndex, paramsNode.endIndex), newText: `(${params[0]})` });
  const top = bodyStart(text, hook);
  if (!top) return [];

  if (stage.predict) {
    // 2.x keeps the predictions itself (when return_predictions is on, the default).
    edits.push({ range: offsetRange(textDocument, top.offset, top.offset), newText: `${top.indent}${outputsName} = ${params[0]}.trainer.predict_loop.predictions\n` });
    return [{ title: `Migrate to ${stage.hook}(self)`, edits, preferred: true }];
  }

  const multi = parameterNames(step!).includes('dataloader_idx');
  const buffer = `self.${stage.buffer}`;
  // Read and reset at the top: the old body runs unchanged on `outputs`, and the next epoch starts empty
  // (early returns in the body need no clear()).
  const bind = multi
    ? `${top.indent}${outputsName} = [${buffer}[i] for i in sorted(${buffer})]\n${top.indent}if len(${outputsName}) == 1:\n${top.indent}    ${outputsName} = ${outputsName}[0]\n${top.indent}${buffer} = {}\n`
    : `${top.indent}${outputsName} = ${buffer}\n${top.indent}${buffer} = []\n`;
  edits.push({ range: offsetRange(textDocument, top.offset, top.offset), newText: bind });

  // Collect in the step: at each `return value` of the step itself (not of nested functions).
  const returns = descendants(step!.childForFieldName('body')!, new Set(['return_statement']), new Set(['function_definition', 'lambda', 'class_definition']));
  for (const ret of returns) {
    const value = ret.namedChildren[0];
    if (!value) continue;
    const indent = indentOf(text, ret.startIndex);
    const collected = stage.training
      ? // 1.x handed training_epoch_end dicts holding a detached "loss", whatever the step returned.
        `{"loss": step_output.detach()} if hasattr(step_output, "detach") else {**step_output, "loss": step_output["loss"].detach()}`
      : 'step_output';
    const append = multi ? `${buffer}.setdefault(dataloader_idx, []).append(${collected})` : `${buffer}.append(${collected})`;
    edits.push({
      range: offsetRange(textDocument, ret.startIndex, ret.endIndex),
      newText: `step_output = ${value.text}\n${indent}if step_output is not None:\n${indent}    ${append}\n${indent}return step_output`,
    });
  }

  // The buffer, created with the module: after super().__init__(...), or in a pass-through __init__.
  const init = all.get('__init__');
  const empty = multi ? '{}' : '[]';
  if (init) {
    const superCall = descendants(init, new Set(['call'])).find((c) => /^super\(\)\.__init__$/.test(dottedName(c.childForFieldName('function')) ?? c.childForFieldName('function')?.text ?? ''));
    const anchor = superCall ? superCall.parent ?? superCall : undefined;
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

const SIMPLE = new Set(['identifier', 'attribute', 'subscript']);

/** Trainer(gpus=V) -> accelerator="gpu", devices=V (0/None -> accelerator="cpu"); tpu_cores, num_processes alike. */
export function migrateDevices(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const arg = f.node.parent;
  if (arg?.type !== 'keyword_argument') return [];
  const call = arg.parent;
  const value = arg.childForFieldName('value');
  if (!value || !call) return [];
  const names = call.namedChildren.filter((c) => c?.type === 'keyword_argument').map((c) => c!.childForFieldName('name')?.text);
  if (names.includes('devices') || (names.includes('accelerator') && f.node.text !== 'num_processes')) return [];
  const accelerator = { gpus: 'gpu', tpu_cores: 'tpu', ipus: 'ipu', num_processes: 'cpu' }[f.node.text];
  if (!accelerator) return [];
  const v = value.text;
  let replacement: string;
  if (v === '0' || v === 'None') replacement = accelerator === 'gpu' ? 'accelerator="cpu"' : '';
  else if (value.type === 'integer' || value.type === 'unary_operator' || value.type === 'list' || value.type === 'string') replacement = `accelerator="${accelerator}", devices=${v}`;
  else if (SIMPLE.has(value.type) && accelerator === 'gpu') replacement = `accelerator="gpu" if ${v} else "cpu", devices=${v} or 1`;
  else return [];
  if (!replacement) return [];
  // With a variable the value may be 0 or None at run time: offered, but not applied by fix-all.
  return [{ title: `Use ${replacement}`, edits: [{ range: offsetRange(textDocument, arg.startIndex, arg.endIndex), newText: replacement }], preferred: !SIMPLE.has(value.type) }];
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
  const [start, end] = argumentSpan(text, arg.startIndex, arg.endIndex);
  const edits: TextEdit[] = [{ range: offsetRange(textDocument, start, end), newText: '' }];
  for (const fit of fits) {
    const args = fit.childForFieldName('arguments')!;
    if (args.namedChildren.some((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'ckpt_path')) continue;
    const close = args.endIndex - 1;
    let b = close - 1;
    while (b >= 0 && /\s/.test(text[b]!)) b--;
    const sep = !args.namedChildren.length ? '' : text[b] === ',' ? ' ' : ', ';
    edits.push({ range: offsetRange(textDocument, close, close), newText: `${sep}ckpt_path=${value.text}` });
  }
  return [{ title: `Pass ckpt_path=${value.text} to ${trainer}.fit()`, edits, preferred: true }];
}
