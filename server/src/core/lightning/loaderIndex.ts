import type { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetRange, type Fix } from '../common/diagnostics';
import type { LightningFinding } from './detect';
import { descendants, methodsOf, type Node } from './python';

// The loader index of validation_step / test_step / predict_step. 1.x passed it positionally as the third
// argument when there were several loaders (loops/dataloader/evaluation_loop.py in 1.9.5: kwargs["dataloader_idx"]
// only when num_dataloaders > 1), whatever the parameter was called. 2.x still passes it positionally but first
// checks the name: several loaders and no parameter named `dataloader_idx` raise "You provided multiple
// `val_dataloader`, but no `dataloader_idx` argument" (lightning/pytorch/loops/utilities.py,
// _verify_dataloader_idx_requirement), and one loader with a `dataloader_idx` lacking a default raises too.

const EVAL_STEPS = new Set(['validation_step', 'test_step', 'predict_step']);

/** The parameter after (self, batch, batch_idx) of an evaluation step, with the name it binds. */
export function loaderIndexParameter(fn: Node): { node: Node; name: string; splat: boolean } | undefined {
  const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => p !== null && p.type !== 'comment');
  const p = params[3];
  if (!p || p.type === 'keyword_separator' || p.type === 'dictionary_splat_pattern') return undefined;
  if (p.type === 'list_splat_pattern') {
    const name = p.namedChildren.find((c) => c?.type === 'identifier')?.text;
    return name ? { node: p, name, splat: true } : undefined;
  }
  const name = p.type === 'identifier' ? p.text : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'))?.text;
  return name ? { node: p, name, splat: false } : undefined;
}

/** An evaluation step whose loader index is not called `dataloader_idx` (2.x refuses it with several loaders). */
export function misnamedLoaderIndex(fn: Node): boolean {
  if (!EVAL_STEPS.has(fn.childForFieldName('name')?.text ?? '')) return false;
  const p = loaderIndexParameter(fn);
  return Boolean(p && !p.splat && p.name !== 'dataloader_idx');
}

/** The expression that holds the loader index inside the step, when it takes one. */
export function loaderIndexExpression(step: Node): string | undefined {
  const p = loaderIndexParameter(step);
  if (!p) return undefined;
  return p.splat ? `(${p.name}[0] if ${p.name} else 0)` : p.name;
}

const EPOCH_END: Record<string, string> = { validation_step: 'validation_epoch_end', test_step: 'test_epoch_end', predict_step: 'on_predict_epoch_end' };

/**
 * `def validation_step(self, batch, batch_idx, dataset_idx)` → `dataloader_idx=0` (the default also serves a single
 * loader). A body that reads the old name, or a class whose epoch-end migration collects by it, gets
 * `dataset_idx = dataloader_idx` first.
 */
export function renameLoaderIndex(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const fn = f.functionNode;
  const p = fn ? loaderIndexParameter(fn) : undefined;
  const body = fn?.childForFieldName('body');
  if (!fn || !p || p.splat || !body) return [];
  const reads = descendants(body, new Set(['identifier'])).some((n) => n.text === p.name);
  const collects = f.classNode ? methodsOf(f.classNode).has(EPOCH_END[fn.childForFieldName('name')!.text] ?? '') : false;
  const edits = [{ range: offsetRange(textDocument, p.node.startIndex, p.node.endIndex), newText: 'dataloader_idx=0' }];
  if (reads || collects) {
    const text = textDocument.getText();
    const first = body.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!first) return [];
    const isDoc = first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
    const lineStart = text.lastIndexOf('\n', first.startIndex - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
    // One statement and the def on one line (`def f(...): return x`): no line to put the alias on.
    if (text.slice(lineStart, first.startIndex).trim()) return [];
    const at = isDoc ? text.indexOf('\n', first.endIndex) + 1 : lineStart;
    if (at <= 0) return [];
    edits.push({ range: offsetRange(textDocument, at, at), newText: `${indent}${p.name} = dataloader_idx\n` });
  }
  return [{ title: `Name the loader index dataloader_idx=0 (2.x looks for that name)`, edits, preferred: true }];
}

/** `def transfer_batch_to_device(self, batch, device)`: the 1.x form without the loader index (no *args either). */
export function lacksTransferIndex(fn: Node): boolean {
  const params = (fn.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is Node => p !== null && p.type !== 'comment');
  return (
    params.length === 3 &&
    params.every((p) => p.type === 'identifier' || p.type === 'typed_parameter' || p.type === 'default_parameter' || p.type === 'typed_default_parameter')
  );
}

/** Adds `dataloader_idx=0` and passes it on to the body's `super().transfer_batch_to_device(batch, device)`. */
export function addTransferLoaderIndex(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const fn = f.functionNode;
  const params = fn?.childForFieldName('parameters')?.namedChildren.filter((p): p is Node => p !== null && p.type !== 'comment') ?? [];
  const last = params[params.length - 1];
  if (!fn || !last || params.length !== 3) return [];
  if (descendants(fn.childForFieldName('body')!, new Set(['identifier'])).some((n) => n.text === 'dataloader_idx')) return [];
  const edits = [{ range: offsetRange(textDocument, last.endIndex, last.endIndex), newText: ', dataloader_idx=0' }];
  for (const call of descendants(fn, new Set(['call']))) {
    if (call.childForFieldName('function')?.text !== 'super().transfer_batch_to_device') continue;
    const args = call.childForFieldName('arguments')!.namedChildren.filter((a): a is Node => a !== null && a.type !== 'comment');
    if (args.length !== 2 || args.some((a) => a.type !== 'identifier' && a.type !== 'attribute' && a.type !== 'call' && a.type !== 'subscript')) return [];
    edits.push({ range: offsetRange(textDocument, args[1].endIndex, args[1].endIndex), newText: ', dataloader_idx' });
  }
  return [{ title: 'Take dataloader_idx (2.x passes it)', edits, preferred: true }];
}
