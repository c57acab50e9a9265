import { dirname, join } from 'node:path';
import { collectImports, resolveName, type ImportBinding } from './imports';
import { childrenOfType, descendants, dottedName, indexTree, methodsOf, parameterNames, requiredParameterNames, within, type Node, type PythonParser, type Tree } from './python';
import { severalOptimizers } from './shapes';
import { MIGRATIONS, type MigrationKind, type MigrationRule } from './table';

export type ClassKind = 'module' | 'datamodule' | 'callback';

export interface LightningFinding {
  rule: MigrationRule;
  /** The token to underline: a def name, a keyword, an import statement, an attribute. */
  node: Node;
  /** The class the finding is in, when it is a hook. */
  classNode?: Node;
  /** The function the finding is in (a hook definition). */
  functionNode?: Node;
}

export interface LightningFileAccess {
  read(path: string): string | undefined;
}

export interface DetectContext {
  parser: PythonParser;
  /** Absolute path of the file, to find sibling modules that define base classes. */
  path: string;
  files?: LightningFileAccess;
}

const MODULE = /^pl\.(?:LightningModule|core\.(?:lightning\.|module\.)?LightningModule)$/;
const DATAMODULE = /^pl\.(?:LightningDataModule|core\.(?:datamodule\.)?LightningDataModule)$/;
const CALLBACK = /^pl\.(?:Callback|callbacks\.(?:[\w.]+\.)?\w+)$/;
const TRAINER = /^pl\.(?:Trainer|trainer\.(?:trainer\.)?Trainer)$/;

function kindOfBase(path: string | undefined): ClassKind | undefined {
  if (!path) return undefined;
  if (MODULE.test(path)) return 'module';
  if (DATAMODULE.test(path)) return 'datamodule';
  if (CALLBACK.test(path)) return 'callback';
  return undefined;
}

/** Words without which no node of a file can be in a shim (a superset of the two tests below, on the whole text). */
const SHIM_WORDS = /ImportError|ModuleNotFoundError|version|_PL_|LIGHTNING_|_TORCH_GREATER/i;
const mayHaveShims = new WeakMap<Tree, boolean>();

/** Inside a compatibility shim: a try/except ImportError, or an `if` on a version. Both branches are left alone. */
export function isShim(node: Node): boolean {
  // Most files have no shim at all: one look at the text spares the walk up the parents of every candidate node.
  let may = mayHaveShims.get(node.tree);
  if (may === undefined) {
    may = SHIM_WORDS.test(node.tree.rootNode.text);
    mayHaveShims.set(node.tree, may);
  }
  if (!may) return false;
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'try_statement' && childrenOfType(n, 'except_clause').some((e) => /\b(?:ImportError|ModuleNotFoundError)\b/.test(e.text.split(':')[0] ?? ''))) return true;
    if ((n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'conditional_expression') && /version|__version__|_PL_|LIGHTNING_|_TORCH_GREATER/i.test(n.childForFieldName('condition')?.text ?? '')) return true;
  }
  return false;
}

const RULES_BY_KIND = new Map<MigrationKind, MigrationRule[]>();
for (const r of MIGRATIONS) RULES_BY_KIND.set(r.kind, [...(RULES_BY_KIND.get(r.kind) ?? []), r]);

function rulesOf(kind: MigrationKind): MigrationRule[] {
  return RULES_BY_KIND.get(kind) ?? [];
}

/** Lightning classes of a file: by their bases, through local classes and sibling modules. */
export function classKinds(tree: Tree, imports: Map<string, ImportBinding>, ctx: DetectContext, depth = 0, indexed?: Node[]): Map<string, { kind: ClassKind; node: Node }> {
  const classes = indexed ?? indexTree(tree.rootNode, new Set(['class_definition'])).get('class_definition')!;
  const kinds = new Map<string, { kind: ClassKind; node: Node }>();
  const external = new Map<string, ClassKind | undefined>();
  const externalKind = (name: string): ClassKind | undefined => {
    const binding = imports.get(name);
    if (!binding || binding.lightning || depth > 1 || !ctx.files) return undefined;
    if (external.has(name)) return external.get(name);
    // `from seq_tagger_multi_val import GRUTagger`: read that module next to this one.
    const module = binding.module.replace(/^\.+/, '');
    const file = join(dirname(ctx.path), `${module.replace(/\./g, '/')}.py`);
    const text = ctx.files.read(file);
    let kind: ClassKind | undefined;
    if (text !== undefined) {
      const other = ctx.parser.parse(text);
      if (other) {
        const otherImports = collectImports(other.rootNode, isShim);
        kind = classKinds(other, otherImports, { ...ctx, path: file }, depth + 1).get(binding.target.split('.').pop()!)?.kind;
      }
    }
    external.set(name, kind);
    return kind;
  };
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (const cls of classes) {
      const name = cls.childForFieldName('name')?.text;
      if (!name || kinds.has(name)) continue;
      const bases = cls.childForFieldName('superclasses')?.namedChildren.filter((b): b is Node => b !== null && b.type !== 'keyword_argument') ?? [];
      for (const base of bases) {
        const local = dottedName(base);
        const kind = kindOfBase(resolveName(base, imports)) ?? (local ? kinds.get(local)?.kind : undefined) ?? (local && !local.includes('.') ? externalKind(local) : undefined);
        if (kind) {
          kinds.set(name, { kind, node: cls });
          changed = true;
          break;
        }
      }
    }
    if (!changed) break;
  }
  return kinds;
}

const HOOK_KINDS: Record<ClassKind, MigrationKind[]> = {
  module: ['hook', 'hookSignature'],
  callback: ['callbackHook'],
  datamodule: ['dataModuleHook'],
};

/** The hook rows of each class kind by method name, in table order. */
const HOOKS_BY_NAME = new Map<ClassKind, Map<string, MigrationRule[]>>(
  (Object.keys(HOOK_KINDS) as ClassKind[]).map((kind) => {
    const byName = new Map<string, MigrationRule[]>();
    for (const rule of HOOK_KINDS[kind].flatMap(rulesOf)) byName.set(rule.name, [...(byName.get(rule.name) ?? []), rule]);
    return [kind, byName];
  }),
);

function valueText(node: Node | null | undefined): string {
  return (node?.text ?? '').replace(/^(['"])(.*)\1$/s, '$2');
}

/** Every use of a removed or changed Lightning 1.x API in the file. */
export function detectMigrations(tree: Tree, ctx: DetectContext): { findings: LightningFinding[]; index: Map<string, Node[]> } {
  const root = tree.rootNode;
  const imports = collectImports(root, isShim);
  const out: LightningFinding[] = [];
  const hasLightning = [...imports.values()].some((b) => b.lightning);
  if (!hasLightning) return { findings: out, index: new Map() };
  // One walk of the tree for everything below; attributes and calls that cannot matter are skipped on their
  // text alone (most of a module), before a Node is built for them.
  const source = tree.rootNode.text;
  const heads = new Set([...imports.entries()].filter(([, b]) => b.lightning).map(([alias]) => alias));
  const idx = indexTree(root, new Set(['call', 'attribute', 'assignment', 'comparison_operator', 'function_definition', 'class_definition']), (type, start, end) => {
    if (type !== 'attribute' && type !== 'call') return true;
    const text = source.slice(start, Math.min(end, start + 200));
    const callee = type === 'call' ? text.slice(0, text.indexOf('(') < 0 ? text.length : text.indexOf('(')) : text;
    const head = /^[A-Za-z_]\w*/.exec(callee)?.[0];
    const member = lastWord(callee);
    return (head !== undefined && heads.has(head)) || (member !== undefined && INTERESTING_MEMBERS.has(member)) || (type === 'call' && member === 'fit');
  });
  const calls = idx.get('call')!;
  const attributes = idx.get('attribute')!;

  // Imports of moved or removed modules and names.
  for (const binding of new Set(imports.values())) {
    if (!binding.lightning || binding.shim) continue;
    const module = canonicalRule(binding.module);
    for (const [rule, path] of IMPORT_RULES) {
      if (module === path || module.startsWith(`${path}.`) || binding.target === path) {
        if (!out.some((f) => f.rule === rule && f.node.startIndex === binding.node.startIndex)) out.push({ rule, node: binding.node });
      }
    }
  }

  // Hooks and their signatures, by class kind.
  const classes = classKinds(tree, imports, ctx, 0, idx.get('class_definition'));
  for (const { kind, node: cls } of classes.values()) {
    const hooks = HOOKS_BY_NAME.get(kind)!;
    for (const fn of methodsOf(cls).values()) {
      const name = fn.childForFieldName('name');
      if (!name || isShim(fn)) continue;
      const rules = hooks.get(name.text);
      if (!rules) continue;
      const params = parameterNames(fn);
      const required = requiredParameterNames(fn);
      for (const rule of rules) {
        const has = (p: string) => (p === 'dataloader_idx' ? required.includes(p) : params.includes(p));
        if (rule.params?.length && (rule.kind === 'hookSignature' || rule.kind === 'callbackHook' || rule.kind === 'dataModuleHook') && !rule.params.some(has)) continue;
        out.push({ rule, node: name, classNode: cls, functionNode: fn });
      }
    }
    if (kind === 'module') out.push(...moduleUses(within(attributes, cls), within(calls, cls)));
  }

  // Trainer(...) arguments, including a dict splatted into it, and the Trainer's removed members.
  const trainerVars = new Set<string>();
  for (const call of calls) {
    if (!TRAINER.test(resolveName(call.childForFieldName('function'), imports) ?? '') || isShim(call)) continue;
    const assigned = call.parent?.type === 'assignment' ? dottedName(call.parent.childForFieldName('left')) : undefined;
    if (assigned) trainerVars.add(assigned);
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (!arg) continue;
      if (arg.type === 'keyword_argument') out.push(...trainerArgument(arg.childForFieldName('name')!, arg.childForFieldName('value')));
      if (arg.type === 'dictionary_splat') out.push(...splatted(idx.get('assignment')!, arg.namedChildren[0]?.text));
    }
  }
  out.push(...trainerMembers(attributes, trainerVars, classes));
  out.push(...classMembers(attributes, imports, classes));
  out.push(...specialShapes(idx, imports, classes, trainerVars));
  out.push(...severalOptimizers(classes));
  return { findings: dedupe(out), index: idx };
}

/** The last run of word characters, before trailing white space (what /(\w+)\s*$/ captures, without its backtracking). */
function lastWord(text: string): string | undefined {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  let start = end;
  while (start > 0 && /\w/.test(text[start - 1]!)) start--;
  return start < end ? text.slice(start, end) : undefined;
}

/** Names after a dot that some rule is about (trainer.tune, dm.from_argparse_args, self.log...). */
const INTERESTING_MEMBERS = new Set([
  ...MIGRATIONS.filter((r) => ['trainerMember', 'moduleAttribute', 'dataModuleHook', 'hook'].includes(r.kind)).map((r) => r.name.replace(/^\w+\./, '').replace(/\(.*$/, '')),
  'log', 'log_dict', 'toggle_optimizer', 'untoggle_optimizer', 'summarize', 'precision', 'Trainer',
]);

/** Import and class rows with their canonical paths, computed once. */
const IMPORT_RULES: Array<[MigrationRule, string]> = MIGRATIONS.filter((r) => r.kind === 'import' || r.kind === 'callbackClass').map((r) => [r, canonicalRule(r.name)]);

function canonicalRule(path: string): string {
  return path.replace(/^(?:pytorch_lightning|lightning\.pytorch|lightning)(?=\.|$)/, 'pl');
}

function trainerArgument(name: Node, value: Node | null): LightningFinding[] {
  const out: LightningFinding[] = [];
  for (const rule of rulesOf('trainerArgument')) {
    if (rule.name !== name.text) continue;
    if (rule.value !== undefined) {
      const v = valueText(value);
      if (rule.value === '<dict>' ? value?.type !== 'dictionary' : rule.value.replace(/^(['"])(.*)\1$/, '$2') !== v && !(rule.value.startsWith('<') && value?.text.includes(rule.value.slice(1, -1)))) continue;
    }
    out.push({ rule, node: name });
  }
  return out;
}

/** `Trainer(**kwargs)` where kwargs is a dict built in the file: its keys are Trainer arguments. */
function splatted(assignments: Node[], variable: string | undefined): LightningFinding[] {
  if (!variable) return [];
  const out: LightningFinding[] = [];
  for (const assign of assignments) {
    if (dottedName(assign.childForFieldName('left')) !== variable) continue;
    const right = assign.childForFieldName('right');
    if (right?.type === 'dictionary') {
      for (const pair of childrenOfType(right, 'pair')) {
        const key = pair.childForFieldName('key');
        if (key?.type === 'string') out.push(...trainerArgument(stringNode(key), pair.childForFieldName('value')));
      }
    } else if (right?.type === 'call' && right.childForFieldName('function')?.text === 'dict') {
      for (const arg of right.childForFieldName('arguments')?.namedChildren ?? []) {
        if (arg?.type === 'keyword_argument') out.push(...trainerArgument(arg.childForFieldName('name')!, arg.childForFieldName('value')));
      }
    }
  }
  return out;
}

/** A string literal seen as its content (for dict keys that name Trainer arguments). */
function stringNode(node: Node): Node {
  return new Proxy(node, { get: (target, prop) => (prop === 'text' ? valueText(target) : Reflect.get(target, prop)) }) as Node;
}

/** self.<removed attribute>, self.log(<removed keyword>=...) inside a LightningModule. */
function moduleUses(classAttributes: Node[], classCalls: Node[]): LightningFinding[] {
  const out: LightningFinding[] = [];
  const attributes = rulesOf('moduleAttribute');
  const logArgs = rulesOf('logArgument');
  // Attributes the module assigns itself (`self.precision = Precision()`) are its own, not Lightning's.
  const own = new Set(classAttributes.filter((a) => a.parent?.type === 'assignment' && a.parent.childForFieldName('left')?.startIndex === a.startIndex && a.childForFieldName('object')?.text === 'self').map((a) => a.childForFieldName('attribute')?.text));
  for (const attr of classAttributes) {
    if (attr.childForFieldName('object')?.text !== 'self' || isShim(attr)) continue;
    const name = attr.childForFieldName('attribute')?.text;
    for (const rule of attributes) {
      if (rule.name !== name && rule.name !== `self.${name}`) continue;
      if (own.has(name) && rule.fix.kind !== 'none' && rule.fix.kind !== 'manual') continue;
      out.push({ rule, node: attr });
    }
  }
  for (const call of classCalls) {
    const fn = dottedName(call.childForFieldName('function'));
    if (fn !== 'self.log' && fn !== 'self.log_dict') continue;
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg?.type !== 'keyword_argument') continue;
      const key = arg.childForFieldName('name')!;
      for (const rule of logArgs) if (rule.name === key.text) out.push({ rule, node: key });
    }
  }
  return out;
}

/** trainer.tune(), trainer.num_gpus... on a Trainer built in the file, on self.trainer, or a hook's `trainer`. */
function trainerMembers(attributes: Node[], trainerVars: Set<string>, classes: Map<string, { kind: ClassKind; node: Node }>): LightningFinding[] {
  const out: LightningFinding[] = [];
  const rules = rulesOf('trainerMember');
  if (!rules.length) return out;
  const members = new Set(rules.map((r) => r.name.replace(/^(?:trainer|Trainer)\./, '').replace(/\(\)$/, '')));
  const ranges = [...classes.values()].map((c) => [c.node.startIndex, c.node.endIndex] as const);
  const inLightningClass = (n: Node) => ranges.some(([a, b]) => n.startIndex >= a && n.endIndex <= b);
  for (const attr of attributes) {
    const member = attr.childForFieldName('attribute')?.text;
    if (!member || !members.has(member)) continue;
    const object = dottedName(attr.childForFieldName('object'));
    if (!object || !member || isShim(attr)) continue;
    const isTrainer = trainerVars.has(object) || ((object === 'self.trainer' || object === 'trainer') && inLightningClass(attr));
    if (!isTrainer) continue;
    for (const rule of rules) {
      const ruleMember = rule.name.replace(/^(?:trainer|Trainer)\./, '').replace(/\(\)$/, '');
      if (ruleMember === member) out.push({ rule, node: attr });
    }
  }
  return out;
}

function dedupe(findings: LightningFinding[]): LightningFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule.id}:${f.node.startIndex}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const CLASS_MEMBER_KINDS: Record<string, MigrationKind[]> = { trainer: ['trainerMember'], datamodule: ['dataModuleHook'], module: ['hook', 'moduleAttribute'] };

/** `Trainer.add_argparse_args(...)`, `MyDataModule.from_argparse_args(...)`, `model.summarize()` on classes. */
function classMembers(attributes: Node[], imports: Map<string, ImportBinding>, classes: Map<string, { kind: ClassKind; node: Node }>): LightningFinding[] {
  const out: LightningFinding[] = [];
  const names = new Set(Object.values(CLASS_MEMBER_KINDS).flat().flatMap(rulesOf).map((r) => r.name.replace(/^\w+\./, '').replace(/\(\)$/, '')));
  for (const attr of attributes) {
    const member = attr.childForFieldName('attribute')?.text;
    if (!member || !names.has(member)) continue;
    const objectNode = attr.childForFieldName('object');
    if (!objectNode || isShim(attr)) continue;
    const resolved = resolveName(objectNode, imports);
    const local = objectNode.type === 'identifier' ? classes.get(objectNode.text)?.kind : undefined;
    const kind = resolved && TRAINER.test(resolved) ? 'trainer' : resolved && DATAMODULE.test(resolved) ? 'datamodule' : resolved && MODULE.test(resolved) ? 'module' : local;
    if (!kind) continue;
    for (const rule of CLASS_MEMBER_KINDS[kind]!.flatMap(rulesOf)) {
      const name = rule.name.replace(/^\w+\./, '').replace(/\(\)$/, '');
      if (name === member && (rule.api?.includes('.') ?? false)) out.push({ rule, node: attr });
    }
  }
  return out;
}

function ruleByApi(api: string): MigrationRule | undefined {
  return MIGRATIONS.find((r) => r.api === api);
}

/** API uses that are a shape rather than a name: see the `api` strings of the corpus expectations. */
function specialShapes(idx: Map<string, Node[]>, imports: Map<string, ImportBinding>, classes: Map<string, { kind: ClassKind; node: Node }>, trainerVars: Set<string>): LightningFinding[] {
  const out: LightningFinding[] = [];
  const calls = idx.get('call')!;
  const attributes = idx.get('attribute')!;
  const modules = [...classes.values()].filter((c) => c.kind === 'module').map((c) => c.node);
  const inModule = (n: Node) => modules.some((c) => n.startIndex >= c.startIndex && n.endIndex <= c.endIndex);
  // trainer.precision == "16" / 16: 2.x precision values are strings such as "16-mixed".
  const precisionCompare = ruleByApi('trainer.precision == "16"');
  if (precisionCompare) {
    for (const cmp of idx.get('comparison_operator')!) {
      const sides = cmp.namedChildren.filter((c): c is Node => c !== null);
      const attr = sides.find((c) => c.type === 'attribute' && c.childForFieldName('attribute')?.text === 'precision');
      const old = (c: Node | null) => c !== null && /^(?:16|"16"|'16'|32|"32"|'32'|64|"64"|'64'|"bf16"|'bf16')$/.test(c.text);
      const literal = sides.find((c) => old(c) || (['tuple', 'list', 'set'].includes(c.type) && c.namedChildren.some(old)));
      const object = attr ? dottedName(attr.childForFieldName('object')) : undefined;
      if (attr && literal && object && (trainerVars.has(object) || /(?:^|\.)trainer$/.test(object)) && !isShim(cmp)) out.push({ rule: precisionCompare, node: cmp });
    }
  }
  // self.log("name", {...}): 2.x logs scalars only (use self.log_dict).
  const logDict = ruleByApi('self.log(<dict value>)');
  // configure_optimizers returning {"frequency": ...}: 2.x removed optimizer frequencies.
  const frequency = ruleByApi('configure_optimizers("frequency")');
  for (const cls of modules) {
    for (const call of within(calls, cls)) {
      if (!logDict || dottedName(call.childForFieldName('function')) !== 'self.log') continue;
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => a !== null) ?? [];
      const value = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'value')?.childForFieldName('value') ?? args.filter((a) => a.type !== 'keyword_argument')[1];
      if (value?.type === 'dictionary' && !isShim(call)) out.push({ rule: logDict, node: value });
    }
    if (frequency) {
      const configure = within(idx.get('function_definition')!, cls).find((f) => f.childForFieldName('name')?.text === 'configure_optimizers');
      for (const key of configure ? descendants(configure, new Set(['string'])) : []) {
        if (/^["']frequency["']$/.test(key.text) && key.parent?.type === 'pair') out.push({ rule: frequency, node: key });
      }
    }
  }
  // ModelCheckpoint(every_n_val_epochs=...) and other callback-constructor keywords.
  for (const call of calls) {
    const callee = resolveName(call.childForFieldName('function'), imports);
    if (!callee || !/^pl\.callbacks\./.test(callee) || isShim(call)) continue;
    const cls = callee.split('.').pop();
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg?.type !== 'keyword_argument') continue;
      const name = arg.childForFieldName('name')!;
      const rule = ruleByApi(`${cls}(${name.text}=)`);
      if (rule) out.push({ rule, node: name });
    }
  }
  // self.toggle_optimizer(opt, idx) / self.untoggle_optimizer(idx): 2.x takes the optimizer alone.
  const toggle = ruleByApi('toggle_optimizer(optimizer, optimizer_idx)');
  const untoggle = ruleByApi('untoggle_optimizer(optimizer_idx)');
  for (const cls of modules) {
    for (const call of within(calls, cls)) {
      const fn = dottedName(call.childForFieldName('function'));
      if (fn !== 'self.toggle_optimizer' && fn !== 'self.untoggle_optimizer') continue;
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => a !== null && a.type !== 'keyword_argument') ?? [];
      if (fn === 'self.toggle_optimizer' && toggle && args.length >= 2) out.push({ rule: toggle, node: call });
      if (fn === 'self.untoggle_optimizer' && untoggle && args.length === 1 && (args[0]!.type === 'integer' || /idx|index/i.test(args[0]!.text))) out.push({ rule: untoggle, node: call });
    }
  }
  // pl_module.summarize(...) in a callback, model.summarize() on a module instance.
  const summarize = ruleByApi('LightningModule.summarize()');
  if (summarize) {
    for (const attr of attributes) {
      if (attr.childForFieldName('attribute')?.text !== 'summarize') continue;
      const object = dottedName(attr.childForFieldName('object'));
      if (attr.parent?.type !== 'call' || isShim(attr)) continue;
      const onModule = object === 'pl_module' || object === 'self.model' || (object === 'self' && inModule(attr));
      if (onModule) out.push({ rule: summarize, node: attr });
    }
  }
  // pl.metrics.Accuracy(): a removed module used through an attribute chain rather than imported.
  const lightningAliases = new Set([...imports.entries()].filter(([, b]) => b.lightning).map(([alias]) => alias));
  for (const attr of attributes) {
    // Only chains that start at a Lightning import, and each chain once (at its outermost attribute).
    const head = /^[A-Za-z_]\w*/.exec(attr.text)?.[0];
    if (!head || !lightningAliases.has(head) || attr.parent?.type === 'attribute' || isShim(attr)) continue;
    const resolved = resolveName(attr, imports);
    if (!resolved?.startsWith('pl.')) continue;
    for (const [rule, path] of IMPORT_RULES) {
      if (resolved === path || resolved.startsWith(`${path}.`)) out.push({ rule, node: attr });
    }
  }
  return out;
}
