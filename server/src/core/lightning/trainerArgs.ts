import { assignmentBefore, originOf } from './dataflow';
import { isShim } from './detect';
import { childrenOfType, dottedName, type Node } from './python';

// Where the arguments of a Trainer(...) call come from, when they are not literal keywords: a dict splatted into it
// (`Trainer(**cfg)`) built as a literal, with dict(...), by `cfg.update(...)` or `cfg["key"] = v`, returned by a
// function of the module, or imported from a sibling module; and a keyword whose value is a name bound to a
// literal above (`strategy = None` ... `Trainer(strategy=strategy)`). One module, straight-line data flow only.

/** One Trainer argument reached through data flow: its name token, its value, and where it came from. */
export interface FlowArgument {
  name: Node;
  value: Node | null;
  origin?: string;
}

/** The keys and values of a dict literal or a dict(...) call (keys as string nodes, or keyword names). */
export function dictEntries(expr: Node | null | undefined): Array<{ key: Node; value: Node | null; quoted: boolean }> {
  if (!expr) return [];
  if (expr.type === 'dictionary') {
    return childrenOfType(expr, 'pair').flatMap((pair) => {
      const key = pair.childForFieldName('key');
      return key?.type === 'string' ? [{ key, value: pair.childForFieldName('value'), quoted: true }] : [];
    });
  }
  if (expr.type === 'call' && expr.childForFieldName('function')?.text === 'dict') {
    return (expr.childForFieldName('arguments')?.namedChildren ?? []).flatMap((arg) => {
      if (arg?.type === 'dictionary') return dictEntries(arg);
      return arg?.type === 'keyword_argument' ? [{ key: arg.childForFieldName('name')!, value: arg.childForFieldName('value'), quoted: false }] : [];
    });
  }
  return [];
}

const LITERAL = new Set(['string', 'integer', 'float', 'true', 'false', 'none', 'unary_operator', 'list']);

/** `strategy=strategy` where `strategy = None` above: the literal the name holds, and where it was bound. */
export function literalBehind(value: Node | null): { value: Node; origin: string } | undefined {
  if (value?.type !== 'identifier') return undefined;
  const bound = assignmentBefore(value, value.text);
  if (!bound || !LITERAL.has(bound.value.type)) return undefined;
  return { value: bound.value, origin: originOf(bound.assignment) };
}

/** The functions of the module by name (top level), to follow `Trainer(**flags(...))` into their returns. */
function localFunction(root: Node, name: string): Node | undefined {
  for (const child of root.namedChildren) {
    const fn = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === name) return fn;
  }
  return undefined;
}

/**
 * The arguments a `**expr` of a Trainer call at `call` passes: its keys, each with where it came from. `matched`
 * collects the offsets of the statements that build it (an edit there changes this call's findings).
 */
export function splattedArguments(
  splat: Node,
  assignments: Node[],
  matched: number[],
  external?: (name: string) => { entries: FlowArgument[]; origin: string } | undefined,
): FlowArgument[] {
  const expr = splat.namedChildren[0];
  if (!expr) return [];
  // No line numbers: a re-check after an edit elsewhere keeps this finding, and its text must stay true.
  const out: FlowArgument[] = [];
  const take = (source: Node | null | undefined, origin: string | undefined) => {
    for (const e of dictEntries(source)) out.push({ name: e.key, value: e.value, ...(origin ? { origin } : {}) });
  };
  // Trainer(**{...}) / Trainer(**dict(...)): the keys are right there.
  if (expr.type === 'dictionary' || (expr.type === 'call' && expr.childForFieldName('function')?.text === 'dict')) {
    take(expr, undefined);
    return out;
  }
  // Trainer(**flags(...)) with a function of this module: the dicts it returns.
  if (expr.type === 'call' && expr.childForFieldName('function')?.type === 'identifier') {
    const fn = localFunction(splat.tree.rootNode, expr.childForFieldName('function')!.text);
    if (!fn) return out;
    for (const ret of fn.descendantsOfType('return_statement')) {
      const value = ret?.namedChildren[0];
      if (!ret || !value || isShim(ret)) continue;
      matched.push(ret.startIndex);
      take(value, `returned by ${fn.childForFieldName('name')!.text}() and passed to Trainer(**...)`);
    }
    return out;
  }
  const variable = dottedName(expr);
  if (!variable) return out;
  const passed = `passed to Trainer(**${variable})`;
  let built = false;
  for (const assign of assignments) {
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    if (dottedName(left) === variable) {
      matched.push(assign.startIndex);
      built = true;
      take(right, `in ${variable}, ${passed}`);
    } else if (left?.type === 'subscript' && dottedName(left.childForFieldName('value')) === variable) {
      // cfg["gpus"] = 2
      const key = left.childForFieldName('subscript');
      if (key?.type !== 'string') continue;
      matched.push(assign.startIndex);
      out.push({ name: key, value: right, origin: `set in ${variable}, ${passed}` });
    }
  }
  // cfg.update(gpus=2) / cfg.update({"gpus": 2}), anywhere in the module (as the assignments above).
  for (const c of splat.tree.rootNode.descendantsOfType('call')) {
    if (!c || c.childForFieldName('function')?.text !== `${variable}.update`) continue;
    matched.push(c.startIndex);
    for (const arg of c.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg?.type === 'keyword_argument')
        out.push({ name: arg.childForFieldName('name')!, value: arg.childForFieldName('value'), origin: `added by ${variable}.update(...), ${passed}` });
      else if (arg?.type === 'dictionary') take(arg, `added by ${variable}.update(...), ${passed}`);
    }
  }
  // A dict imported from a sibling module that never imports Lightning itself (a config module).
  if (!built && external && expr.type === 'identifier') {
    const found = external(variable);
    if (found) out.push(...found.entries.map((e) => ({ ...e, origin: `${e.origin ?? found.origin}, ${passed}` })));
  }
  return out;
}
