import type { ClassKind, LightningFinding } from './detect';
import { descendants, dottedName, methodsOf, parameterNames, type Node } from './python';
import { MIGRATIONS } from './table';

// Findings that are a shape of the code rather than a name; kept apart from detect.ts so the detector's hot path
// stays as it is. Each function gets what detectMigrations already computed.

const OPTIMIZER =
  /(?:^|\.)(?:Adam|AdamW|SGD|RMSprop|Adagrad|Adadelta|Adamax|NAdam|RAdam|LBFGS|SparseAdam|ASGD|Rprop|Adafactor|Lion|LAMB|Lamb|FusedAdam|DeepSpeedCPUAdam|AdamW8bit|Adam8bit)$/;
const NESTED = new Set(['function_definition', 'lambda', 'class_definition']);

function items(node: Node | null | undefined): Node[] {
  if (!node) return [];
  if (node.type === 'parenthesized_expression') return items(node.namedChildren[0]);
  if (node.type === 'list' || node.type === 'tuple' || node.type === 'expression_list')
    return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  return [];
}

/**
 * A LightningModule under automatic optimization whose configure_optimizers returns several optimizers
 * (`return opt_g, opt_d`, `return [opt_g, opt_d], [sched]`, a tuple of `{"optimizer": ...}` dicts). Reported on
 * the return when training_step does not take optimizer_idx (that signature is reported already).
 */
export function severalOptimizers(classes: Iterable<{ kind: ClassKind; node: Node }>): LightningFinding[] {
  const rule = MIGRATIONS.find((r) => r.id === 'hookSignature.configure_optimizers(several optimizers)');
  if (!rule) return [];
  const out: LightningFinding[] = [];
  for (const { kind, node: cls } of classes) {
    if (kind !== 'module') continue;
    const methods = methodsOf(cls);
    const configure = methods.get('configure_optimizers');
    const step = methods.get('training_step');
    if (!configure || (step && parameterNames(step).includes('optimizer_idx'))) continue;
    if (/self\.automatic_optimization\s*=\s*False\b/.test(cls.text) || /def\s+automatic_optimization\b/.test(cls.text)) continue;
    const body = configure.childForFieldName('body');
    if (!body) continue;
    // Names bound to an optimizer in the method: `opt_g = torch.optim.Adam(...)`.
    const optimizers = new Set<string>();
    for (const assign of descendants(body, new Set(['assignment']), NESTED)) {
      const name = dottedName(assign.childForFieldName('left'));
      if (name && isOptimizerCall(assign.childForFieldName('right'), optimizers)) optimizers.add(name);
    }
    for (const ret of descendants(body, new Set(['return_statement']), NESTED)) {
      const value = ret.namedChildren[0];
      const parts = items(value);
      const first = parts[0];
      const several =
        // [opt_g, opt_d], [sched_g, sched_d]
        (parts.length === 2 && first && (first.type === 'list' || first.type === 'tuple') && items(first).length >= 2) ||
        // opt_g, opt_d  /  [opt_g, opt_d]
        (parts.length >= 2 && parts.every((p) => isOptimizerCall(p, optimizers))) ||
        // {"optimizer": ...}, {"optimizer": ...}
        (parts.length >= 2 && parts.every((p) => p.type === 'dictionary' && /^\{\s*["']optimizer["']\s*:/.test(p.text)));
      if (several && value) out.push({ rule, node: value, classNode: cls, functionNode: configure });
    }
  }
  return out;
}

function isOptimizerCall(node: Node | null | undefined, names: Set<string>): boolean {
  if (!node) return false;
  if (node.type === 'identifier' || node.type === 'attribute') return names.has(node.text);
  if (node.type !== 'call') return false;
  const callee = dottedName(node.childForFieldName('function')) ?? '';
  return OPTIMIZER.test(callee) || /(?:^|\.)optim\.\w+$/.test(callee);
}
