import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Fix } from '../common/diagnostics';
import type { LightningFinding } from './detect';
import { indentAt, lineEndOf, toEdits, type Span } from './edits';
import { descendants, dottedName, methodsOf, parameterNames, type Node } from './python';

// Hooks whose body has to move (on_epoch_start/end, Callback.on_batch_start/end) and precision values.

/** 1.x precision values and what 2.x's trainer.precision holds for them (fabric's precision alias table). */
const PRECISION_VALUES: Record<string, string> = { '16': '16-mixed', bf16: 'bf16-mixed', '32': '32-true', '64': '64-true' };

function newPrecision(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const v = node.type === 'integer' ? node.text : node.type === 'string' ? /^(['"])(\w+)\1$/.exec(node.text)?.[2] : undefined;
  const mapped = v ? PRECISION_VALUES[v] : undefined;
  return mapped ? `"${mapped}"` : undefined;
}

/**
 * `trainer.precision == 16` / `self.precision == "bf16"`: 2.x holds "16-mixed", "bf16-mixed", "32-true", "64-true"
 * whatever the Trainer was given, so the old comparison is silently False; the literal is mapped. `self.precision`
 * itself became `self.trainer.precision`. Only ==, !=, in and not in against literals (or a tuple/list/set of
 * them) are rewritten: anything else (`> 16`, int(...)) is a decision.
 */
export function migratePrecision(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const spans: Span[] = [];
  let comparison: Node | undefined;
  let attribute: Node | undefined;
  if (f.node.type === 'comparison_operator') comparison = f.node;
  else if (f.node.type === 'attribute') {
    attribute = f.node;
    // A store (`self.precision = ...`) is the module's own attribute, not Lightning's: left alone.
    if (attribute.parent?.type === 'assignment' && attribute.parent.childForFieldName('left')?.startIndex === attribute.startIndex) return [];
    if (attribute.parent?.type === 'augmented_assignment') return [];
    const name = attribute.childForFieldName('attribute');
    if (!name) return [];
    spans.push({ start: name.startIndex, end: name.endIndex, newText: 'trainer.precision' });
    if (attribute.parent?.type === 'comparison_operator') comparison = attribute.parent;
  } else return [];
  if (comparison) {
    const operands = comparison.namedChildren.filter((c): c is Node => c !== null);
    const operators = comparison.children.filter((c) => c !== null && !c.isNamed).map((c) => c!.type);
    if (operands.length !== 2 || operators.some((o) => !['==', '!=', 'in', 'not', 'not in'].includes(o))) {
      if (!attribute) return [];
    } else {
      const other = operands.find((o) => !(o.type === 'attribute' && o.childForFieldName('attribute')?.text === 'precision'));
      const single = newPrecision(other);
      if (other && single) spans.push({ start: other.startIndex, end: other.endIndex, newText: single });
      else if (other && ['tuple', 'list', 'set'].includes(other.type) && operators.some((o) => o === 'in' || o === 'not in')) {
        const elements = other.namedChildren.filter((c): c is Node => c !== null);
        const mapped = elements.map((e) => newPrecision(e) ?? (e.type === 'string' ? e.text : undefined));
        if (mapped.some((m) => m === undefined) || !elements.some((e) => newPrecision(e))) {
          if (!attribute) return [];
        } else {
          const unique = [...new Set(mapped as string[])];
          const [open, close] = other.type === 'list' ? ['[', ']'] : other.type === 'set' ? ['{', '}'] : ['(', ')'];
          spans.push({
            start: other.startIndex,
            end: other.endIndex,
            newText: `${open}${unique.join(', ')}${unique.length === 1 && open === '(' ? ',' : ''}${close}`,
          });
        }
      } else if (!attribute) return [];
    }
  }
  if (!spans.length) return [];
  const title = attribute ? 'Use self.trainer.precision (with its 2.x values)' : 'Compare with the 2.x precision value';
  return [{ title, edits: toEdits(textDocument, spans), preferred: true }];
}

const EPOCH_STAGES = ['train', 'validation', 'test'] as const;

function plainParameters(fn: Node): Node[] | undefined {
  const params = fn.childForFieldName('parameters')?.namedChildren.filter((p): p is Node => p !== null && p.type !== 'comment') ?? [];
  return params.every((p) => p.type === 'identifier' || p.type === 'typed_parameter') ? params : undefined;
}

function basesEndIn(cls: Node, names: RegExp): boolean {
  const bases = cls.childForFieldName('superclasses')?.namedChildren.filter((b): b is Node => b !== null && b.type !== 'comment') ?? [];
  return bases.length > 0 && bases.every((b) => names.test(dottedName(b) ?? ''));
}

/**
 * `on_epoch_start` / `on_epoch_end` (LightningModule or Callback): 1.x called them around train, validation and
 * test epochs alike (sanity check included). The body becomes `_on_epoch_start`, called from
 * `on_train_epoch_start`, `on_validation_epoch_start` and `on_test_epoch_start`. Not offered when the class already
 * has one of those hooks, derives from anything but LightningModule/Callback (a built-in callback's own hook would
 * be replaced), or calls the old hook itself.
 */
export function migrateEpochHooks(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const fn = f.functionNode;
  const cls = f.classNode;
  const when = /^on_epoch_(start|end)$/.exec(f.node.text)?.[1];
  if (!fn || !cls || !when || fn.parent?.type === 'decorated_definition') return [];
  if (!basesEndIn(cls, /(?:^|\.)(?:LightningModule|Callback)$/)) return [];
  const methods = methodsOf(cls);
  const helper = `_on_epoch_${when}`;
  const hooks = EPOCH_STAGES.map((s) => `on_${s}_epoch_${when}`);
  if (methods.has(helper) || hooks.some((h) => methods.has(h)) || new RegExp(`\\.on_epoch_${when}\\b`).test(cls.text)) return [];
  const params = plainParameters(fn);
  const paramsNode = fn.childForFieldName('parameters');
  if (!params || !params.length || !paramsNode) return [];
  const text = textDocument.getText();
  const indent = indentAt(text, fn.startIndex);
  const args = parameterNames(fn).slice(1).join(', ');
  const at = lineEndOf(text, fn.endIndex);
  const defs = hooks.map((h) => `\n\n${indent}def ${h}${paramsNode.text}:\n${indent}    self.${helper}(${args})`).join('');
  const spans: Span[] = [
    { start: f.node.startIndex, end: f.node.endIndex, newText: helper },
    { start: at, end: at, newText: defs },
  ];
  return [
    { title: `Run the body from ${hooks.join(', ')} (on_epoch_${when} fired for all three in 1.x)`, edits: toEdits(textDocument, spans), preferred: true },
  ];
}

/**
 * Callback `on_batch_start(self, trainer, pl_module)` -> `on_train_batch_start(self, trainer, pl_module, batch,
 * batch_idx)` (1.x called it for training batches only); `on_batch_end` -> `on_train_batch_end(..., outputs, batch,
 * batch_idx)`.
 */
export function migrateBatchHook(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const fn = f.functionNode;
  const cls = f.classNode;
  const when = /^on_batch_(start|end)$/.exec(f.node.text)?.[1];
  if (!fn || !cls || !when) return [];
  const hook = `on_train_batch_${when}`;
  const extra = when === 'start' ? ['batch', 'batch_idx'] : ['outputs', 'batch', 'batch_idx'];
  const params = plainParameters(fn);
  const paramsNode = fn.childForFieldName('parameters');
  if (!params || params.length !== 3 || !paramsNode || methodsOf(cls).has(hook)) return [];
  const body = fn.childForFieldName('body');
  const used = new Set(body ? descendants(body, new Set(['identifier'])).map((n) => n.text) : []);
  if (extra.some((e) => used.has(e))) return [];
  const spans: Span[] = [
    { start: f.node.startIndex, end: f.node.endIndex, newText: hook },
    { start: paramsNode.startIndex, end: paramsNode.endIndex, newText: `(${[...params.map((p) => p.text), ...extra].join(', ')})` },
  ];
  return [{ title: `Rename to ${hook} (with the parameters 2.x passes)`, edits: toEdits(textDocument, spans), preferred: true }];
}
