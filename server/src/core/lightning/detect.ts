import { basename, dirname, join } from '../common/paths';
import { bindingsOf, collectImports, resolveName, topLevelImports, type ImportTarget } from './imports';
import {
  childrenOfType,
  descendants,
  dottedName,
  indexTree,
  methodsOf,
  parameterNames,
  requiredParameterNames,
  within,
  type Node,
  type PythonParser,
  type Tree,
} from './python';
import { assignmentBefore, originOf } from './dataflow';
import { liteImportRules } from './liteImport';
import { dictEntries, literalBehind, splattedArguments, type FlowArgument } from './trainerArgs';
import { lacksTransferIndex, misnamedLoaderIndex } from './loaderIndex';
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
  /** Where it goes in the file's list: the detection phase, then a class's rank or the offset of the node the phase was at. */
  phase?: number;
  unit?: number;
  /** Where the value came from when the finding was reached through data flow (`cfg = dict(...)` on line 12). */
  origin?: string;
  /** Found in another file's text (a sibling module's dict): reported here, never fixed from here. */
  noFix?: boolean;
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
    if (
      n.type === 'try_statement' &&
      childrenOfType(n, 'except_clause').some((e) => /\b(?:ImportError|ModuleNotFoundError)\b/.test(e.text.split(':')[0] ?? ''))
    )
      return true;
    if (
      (n.type === 'if_statement' || n.type === 'elif_clause' || n.type === 'conditional_expression') &&
      versionCondition(n.childForFieldName('condition')?.text ?? '', node.tree)
    )
      return true;
  }
  return false;
}

const versionFlags = new WeakMap<Tree, Set<string>>();

/** A condition on the Lightning version: spelled out, or a module-level flag such as `PL_GE_2 = Version(pl.__version__) >= ...`. */
function versionCondition(condition: string, tree: Tree): boolean {
  if (/version|__version__|_PL_|LIGHTNING_|_TORCH_GREATER/i.test(condition)) return true;
  let flags = versionFlags.get(tree);
  if (!flags) {
    flags = new Set();
    for (const statement of tree.rootNode.namedChildren) {
      const assign = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
      const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : undefined;
      if (left?.type === 'identifier' && /version/i.test(assign!.childForFieldName('right')?.text ?? '')) flags.add(left.text);
    }
    versionFlags.set(tree, flags);
  }
  if (!flags.size) return false;
  return (condition.match(/[A-Za-z_]\w*/g) ?? []).some((w) => flags.has(w));
}

const RULES_BY_KIND = new Map<MigrationKind, MigrationRule[]>();
for (const r of MIGRATIONS) RULES_BY_KIND.set(r.kind, [...(RULES_BY_KIND.get(r.kind) ?? []), r]);

function rulesOf(kind: MigrationKind): MigrationRule[] {
  return RULES_BY_KIND.get(kind) ?? [];
}

/** What classKinds reads of a class: its name and, per base, what the base is without the other classes. */
export interface ClassFact {
  name: string | undefined;
  /** Offset of the class_definition. */
  start: number;
  /** Per base (keyword arguments aside): the Lightning kind its import gives, and its dotted name. */
  bases: Array<{ kind: ClassKind | undefined; local: string | undefined }>;
}

export function classFacts(classes: Node[], imports: Map<string, ImportTarget>): ClassFact[] {
  return classes.map((cls) => ({
    name: cls.childForFieldName('name')?.text,
    start: cls.startIndex,
    bases: (cls.childForFieldName('superclasses')?.namedChildren.filter((b): b is Node => b !== null && b.type !== 'keyword_argument') ?? []).map((base) => ({
      kind: kindOfBase(resolveName(base, imports)),
      local: dottedName(base),
    })),
  }));
}

/**
 * The Lightning classes among `facts` by name, in the order they were found (the order every per-class step
 * follows), each with the index of its fact: by their bases, through local classes, then `external` (sibling
 * modules) for a plain name.
 */
export function kindsOf(facts: ClassFact[], external: (name: string) => ClassKind | undefined): Map<string, { kind: ClassKind; at: number }> {
  const kinds = new Map<string, { kind: ClassKind; at: number }>();
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    facts.forEach(({ name, bases }, at) => {
      if (!name || kinds.has(name)) return;
      for (const { kind: imported, local } of bases) {
        const kind = imported ?? (local ? kinds.get(local)?.kind : undefined) ?? (local && !local.includes('.') ? external(local) : undefined);
        if (kind) {
          kinds.set(name, { kind, at });
          changed = true;
          break;
        }
      }
    });
    if (!changed) break;
  }
  return kinds;
}

/** Whether a base named `name` would be looked up in a sibling module. */
function siblingBase(name: string, imports: Map<string, ImportTarget>, ctx: DetectContext, depth: number): boolean {
  const binding = imports.get(name);
  return Boolean(binding && !binding.lightning && depth <= 1 && ctx.files);
}

/** Lightning classes of a file: by their bases, through local classes and sibling modules. */
export function classKinds(
  tree: Tree,
  imports: Map<string, ImportTarget>,
  ctx: DetectContext,
  depth = 0,
  indexed?: Node[],
  siblings?: { used: boolean },
): Map<string, { kind: ClassKind; node: Node }> {
  const classes = indexed ?? indexTree(tree.rootNode, new Set(['class_definition'])).get('class_definition')!;
  const kinds = new Map<string, { kind: ClassKind; node: Node }>();
  for (const [name, { kind, at }] of kindsOf(classFacts(classes, imports), siblingKinds(imports, ctx, depth, siblings)))
    kinds.set(name, { kind, node: classes[at] });
  return kinds;
}

/**
 * A dict imported from a module next to this one (`from trainer_config import default_trainer_config`) that the file
 * splats into Trainer(**...): its keys, from a top-level `name = {...}` or `name = dict(...)` there.
 */
function siblingDict(
  imports: Map<string, ImportTarget>,
  ctx: DetectContext,
  facts: DetectFacts,
): (name: string) => { entries: FlowArgument[]; origin: string } | undefined {
  return (name) => {
    const binding = imports.get(name);
    if (!binding || binding.lightning || !ctx.files) return undefined;
    const module = binding.module.replace(/^\.+/, '');
    const file = join(dirname(ctx.path), `${module.replace(/\./g, '/')}.py`);
    facts.siblings = true;
    const text = ctx.files.read(file);
    const other = text === undefined ? undefined : ctx.parser.parse(text);
    if (!other) return undefined;
    const target = binding.target.split('.').pop()!;
    let found: { entries: FlowArgument[]; origin: string } | undefined;
    for (const statement of other.rootNode.namedChildren) {
      const assign = statement?.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
      if (assign?.type !== 'assignment' || assign.childForFieldName('left')?.text !== target) continue;
      const origin = `from ${target} in ${basename(file)} line ${assign.startPosition.row + 1}`;
      found = { entries: dictEntries(assign.childForFieldName('right')).map((e) => ({ name: e.key, value: e.value })), origin };
    }
    return found;
  };
}

/** The kind of a class imported from a module next to this one (`from seq_tagger_multi_val import GRUTagger`). */
function siblingKinds(
  imports: Map<string, ImportTarget>,
  ctx: DetectContext,
  depth: number,
  siblings?: { used: boolean },
): (name: string) => ClassKind | undefined {
  const external = new Map<string, ClassKind | undefined>();
  return (name) => {
    if (!siblingBase(name, imports, ctx, depth)) return undefined;
    if (siblings) siblings.used = true;
    if (external.has(name)) return external.get(name);
    const binding = imports.get(name)!;
    const module = binding.module.replace(/^\.+/, '');
    const file = join(dirname(ctx.path), `${module.replace(/\./g, '/')}.py`);
    const text = ctx.files!.read(file);
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

/** A Lightning class of the file, with its rank: the per-class steps go through the classes in this order. */
interface RankedClass {
  kind: ClassKind;
  node: Node;
  rank: number;
}

/** What a re-check after an edit needs to know of the whole file (or, scoped, of the statement it checked). */
export interface DetectFacts {
  lightning: boolean;
  /** Offsets of the import statements the file's bindings come from. */
  imports: number[];
  /** The bindings (a full check's). */
  bindings: Map<string, ImportTarget>;
  classes: ClassFact[];
  /** The Lightning classes in rank order, with the index of their fact. */
  kinds: Array<{ name: string; kind: ClassKind; at: number }>;
  /** Trainer(...) calls (not in shims): offset, the name they are assigned to, the variables they splat (`**kwargs`). */
  trainers: Array<{ start: number; name: string | undefined; splats: string[] }>;
  /** Offsets of assignments to a splatted variable (their dict keys are reported on the Trainer call). */
  splatAssignments: number[];
  /** Offsets of `<x>.fit(...)` calls (the resume fix edits them). */
  fits: number[];
  /** Whether a base class was looked up in a sibling module (whose text may change without this file's). */
  siblings: boolean;
}

/** The one top-level statement a re-check looks at, with what it needs of the rest of the file. */
export interface DetectScope {
  statement: Node;
  /** The file's imports (none in `statement`), as the last full check found them. */
  imports: Map<string, ImportTarget>;
  /** The variables some Trainer(**name) of the file splats. */
  splatNames: Set<string>;
  /**
   * The file's Lightning classes by name, with this statement's classes as `facts` (`at`: the index there), each
   * with its rank; undefined when they are not the last check's. `sibling` says whether a base name would be
   * looked up in a sibling module.
   */
  kinds(facts: ClassFact[], sibling: (name: string) => boolean): Map<string, { kind: ClassKind; rank: number; at?: number }> | undefined;
  /** The variables Trainer(...) is assigned to in the file, with this statement's `names`; undefined when they changed. */
  trainerVars(names: string[]): Set<string> | undefined;
}

/** Every use of a removed or changed Lightning 1.x API in the file. */
export function detectMigrations(tree: Tree, ctx: DetectContext): { findings: LightningFinding[]; index: Map<string, Node[]>; facts: DetectFacts } {
  const found = detect(tree, ctx)!;
  return { findings: dedupe(found.findings), index: found.index, facts: found.facts };
}

/**
 * The findings of one top-level statement, as a full check would give them (each with its phase and unit, to be
 * merged with the other statements'), or undefined when the rest of the file has to be checked again too.
 */
export function detectStatement(tree: Tree, ctx: DetectContext, scope: DetectScope): { findings: LightningFinding[]; facts: DetectFacts } | undefined {
  // isShim walks up from the few nodes of one statement: the look at the whole text that spares it is not worth it.
  mayHaveShims.set(tree, true);
  try {
    const found = detect(tree, ctx, scope);
    return found && { findings: dedupe(found.findings), facts: found.facts };
  } finally {
    mayHaveShims.delete(tree);
  }
}

// The phases of detection. A full check's list is ordered by phase, then by unit (a class's rank, or the offset
// of the node the phase walks), then in the order each unit's findings were found.
const IMPORTS = 1;
const HOOKS_PHASE = 2;
const TRAINER_ARGUMENTS = 3;
const TRAINER_MEMBERS = 4;
const CLASS_MEMBERS = 5;
const PRECISION_COMPARE = 6;
const LOG_DICT = 7;
const TRAINER_METHOD_ARGUMENTS = 8;
const CALLBACK_ARGUMENTS = 9;
const TOGGLE = 10;
const SUMMARIZE = 11;
const MODULE_CHAINS = 12;
const OPTIMIZERS = 13;
const DEFAULT_CALLS = 14;
const DEFAULT_CLASSES = 15;
/** The phases whose unit is a class's rank rather than an offset (a re-check does not shift them). */
export const RANKED_PHASES = new Set([HOOKS_PHASE, LOG_DICT, TOGGLE, OPTIMIZERS, DEFAULT_CLASSES]);

type Emit = (phase: number, unit: number, found: LightningFinding[]) => void;

function detect(
  tree: Tree,
  ctx: DetectContext,
  scope?: DetectScope,
): { findings: LightningFinding[]; index: Map<string, Node[]>; facts: DetectFacts } | undefined {
  const root = tree.rootNode;
  const importStatements = scope ? [] : topLevelImports(root);
  const bindings = scope ? undefined : bindingsOf(importStatements, isShim);
  const imports: Map<string, ImportTarget> = scope ? scope.imports : bindings!;
  const out: LightningFinding[] = [];
  const emit: Emit = (phase, unit, found) => {
    for (const f of found) {
      f.phase = phase;
      f.unit = unit;
      out.push(f);
    }
  };
  const hasLightning = [...imports.values()].some((b) => b.lightning || /^lightning_lite(?:\.|$)/.test(b.module));
  const facts: DetectFacts = {
    lightning: hasLightning,
    imports: importStatements.map((s) => s.startIndex),
    bindings: imports,
    classes: [],
    kinds: [],
    trainers: [],
    splatAssignments: [],
    fits: [],
    siblings: false,
  };
  if (!hasLightning) return { findings: out, index: new Map(), facts };
  // One walk of the tree for everything below; attributes and calls that cannot matter are skipped on their
  // text alone (most of a module), before a Node is built for them.
  const source = tree.rootNode.text;
  const heads = new Set([...imports.entries()].filter(([, b]) => b.lightning).map(([alias]) => alias));
  const idx = indexTree(
    scope ? scope.statement : root,
    new Set(['call', 'attribute', 'assignment', 'comparison_operator', 'function_definition', 'class_definition']),
    (type, start, end) => {
      if (type !== 'attribute' && type !== 'call') return true;
      const text = source.slice(start, Math.min(end, start + 200));
      const callee = type === 'call' ? text.slice(0, text.indexOf('(') < 0 ? text.length : text.indexOf('(')) : text;
      const head = /^[A-Za-z_]\w*/.exec(callee)?.[0];
      const member = lastWord(callee);
      if (type === 'call' && member === 'fit') facts.fits.push(start);
      return (head !== undefined && heads.has(head)) || (member !== undefined && INTERESTING_MEMBERS.has(member)) || (type === 'call' && member === 'fit');
    },
  );
  const calls = idx.get('call')!;
  const attributes = idx.get('attribute')!;

  // Imports of moved or removed modules and names (a re-check never has import statements).
  let unit = 0;
  for (const binding of new Set(bindings?.values() ?? [])) {
    unit++;
    if (!binding.lightning || binding.shim) continue;
    const module = canonicalRule(binding.module);
    for (const [rule, path] of IMPORT_RULES) {
      if (module === path || module.startsWith(`${path}.`) || binding.target === path) {
        if (!out.some((f) => f.rule === rule && f.node.startIndex === binding.node.startIndex)) emit(IMPORTS, unit, [{ rule, node: binding.node }]);
      }
    }
  }

  if (bindings) for (const { rule, node } of liteImportRules(bindings.values())) emit(IMPORTS, node.startIndex, [{ rule, node }]);

  // Hooks and their signatures, by class kind.
  const classNodes = idx.get('class_definition')!;
  facts.classes = classFacts(classNodes, imports);
  let classes: RankedClass[];
  let kindOf: (name: string) => ClassKind | undefined;
  if (scope) {
    const kinds = scope.kinds(facts.classes, (name) => siblingBase(name, imports, ctx, 0));
    if (!kinds) return undefined;
    classes = [...kinds.values()].filter((k) => k.at !== undefined).map((k) => ({ kind: k.kind, node: classNodes[k.at!], rank: k.rank }));
    kindOf = (name) => kinds.get(name)?.kind;
  } else {
    const siblings = { used: false };
    const kinds = kindsOf(facts.classes, siblingKinds(imports, ctx, 0, siblings));
    facts.siblings = siblings.used;
    facts.kinds = [...kinds].map(([name, { kind, at }]) => ({ name, kind, at }));
    classes = facts.kinds.map(({ kind, at }, rank) => ({ kind, node: classNodes[at], rank }));
    kindOf = (name) => kinds.get(name)?.kind;
  }
  for (const { kind, node: cls, rank } of classes) {
    const hooks = HOOKS_BY_NAME.get(kind)!;
    for (const fn of methodsOf(cls).values()) {
      const name = fn.childForFieldName('name');
      if (!name || isShim(fn)) continue;
      const rules = hooks.get(name.text);
      if (!rules) continue;
      const params = parameterNames(fn);
      const required = requiredParameterNames(fn);
      for (const rule of rules) {
        const has = (p: string) =>
          p === '<loader index>'
            ? misnamedLoaderIndex(fn)
            : p === '<no dataloader_idx>'
              ? lacksTransferIndex(fn)
              : p === 'dataloader_idx'
                ? required.includes(p)
                : params.includes(p);
        if (rule.params?.length && (rule.kind === 'hookSignature' || rule.kind === 'callbackHook' || rule.kind === 'dataModuleHook') && !rule.params.some(has))
          continue;
        emit(HOOKS_PHASE, rank, [{ rule, node: name, classNode: cls, functionNode: fn }]);
      }
    }
    if (kind === 'module') emit(HOOKS_PHASE, rank, moduleUses(within(attributes, cls), within(calls, cls)));
  }

  // Trainer(...) arguments, including a dict splatted into it, and the Trainer's removed members.
  const assignments = idx.get('assignment')!;
  const names: string[] = [];
  const defaults: LightningFinding[] = [];
  for (const call of calls) {
    if (!TRAINER.test(resolveName(call.childForFieldName('function'), imports) ?? '') || isShim(call)) continue;
    const assigned = call.parent?.type === 'assignment' ? dottedName(call.parent.childForFieldName('left')) : undefined;
    if (assigned) names.push(assigned);
    const args = call.childForFieldName('arguments')?.namedChildren ?? [];
    const splats = args.filter((a): a is Node => a?.type === 'dictionary_splat').map((a) => a.namedChildren[0]?.text ?? '');
    facts.trainers.push({ start: call.startIndex, name: assigned, splats });
    // Its keys come from other statements: the whole file is checked again.
    if (scope && splats.length) return undefined;
    defaults.push(...changedDefaults(call, args));
    const positional = ruleByApi('Trainer(<positional>)');
    for (const arg of args) {
      if (!arg) continue;
      if (positional && !['keyword_argument', 'dictionary_splat', 'list_splat', 'comment'].includes(arg.type))
        emit(TRAINER_ARGUMENTS, call.startIndex, [{ rule: positional, node: arg }]);
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')!;
        const value = arg.childForFieldName('value');
        const direct = trainerArgument(name, value);
        emit(TRAINER_ARGUMENTS, call.startIndex, direct);
        // strategy=strategy where `strategy = None` above: the rows about a value, on the value the name holds.
        const behind = direct.length ? undefined : literalBehind(value);
        if (behind)
          emit(
            TRAINER_ARGUMENTS,
            call.startIndex,
            trainerArgument(name, behind.value)
              .filter((f) => f.rule.value !== undefined)
              .map((f) => ({ ...f, origin: behind.origin })),
          );
      }
      if (arg.type === 'dictionary_splat') {
        const external = scope ? undefined : siblingDict(imports, ctx, facts);
        for (const a of splattedArguments(arg, assignments, facts.splatAssignments, external)) {
          const found = trainerArgument(a.name.type === 'string' ? stringNode(a.name) : a.name, a.value);
          // A key of another file's dict is reported on the `**name` here, without a fix (its text is not this file's).
          const here = a.name.tree === tree;
          emit(
            TRAINER_ARGUMENTS,
            call.startIndex,
            found.map((f) => ({ ...f, ...(here ? {} : { node: arg, noFix: true }), ...(a.origin ? { origin: a.origin } : {}) })),
          );
        }
      }
    }
  }
  // A statement that assigns a splatted dict: the keys it reports belong to a Trainer call elsewhere.
  if (scope?.splatNames.size && buildsSplat(scope.statement, assignments, scope.splatNames)) return undefined;
  const trainerVars = scope ? scope.trainerVars(names) : new Set(names);
  if (!trainerVars) return undefined;
  const byNode = (phase: number, found: LightningFinding[]) => {
    for (const f of found) emit(phase, f.node.startIndex, [f]);
  };
  byNode(TRAINER_MEMBERS, trainerMembers(attributes, trainerVars, classes));
  byNode(CLASS_MEMBERS, classMembers(attributes, imports, kindOf));
  specialShapes(idx, imports, classes, trainerVars, emit);
  for (const cls of classes) emit(OPTIMIZERS, cls.rank, severalOptimizers([cls]));
  for (const f of defaults) emit(DEFAULT_CALLS, f.node.startIndex, [f]);
  // The loss 1.x put on the progress bar by itself: a module with a training_step that logs nothing to the bar.
  const progressBar = MIGRATIONS.find((r) => r.id === 'default.progress_bar_loss');
  for (const { kind, node: cls, rank } of classes) {
    const step = kind === 'module' ? methodsOf(cls).get('training_step') : undefined;
    const name = step?.childForFieldName('name');
    if (progressBar && name && !/prog_bar\s*=\s*True/.test(cls.text) && !isShim(step!)) emit(DEFAULT_CLASSES, rank, [{ rule: progressBar, node: name }]);
  }
  return { findings: out, index: idx, facts };
}

const DEVICE_KEYWORDS = new Set(['accelerator', 'devices', 'gpus', 'tpu_cores', 'ipus', 'num_processes', 'auto_select_gpus']);

/** Trainer(...) calls that rely on a default 2.x changed (accelerator="auto", DDP's find_unused_parameters). */
function changedDefaults(call: Node, args: Array<Node | null>): LightningFinding[] {
  const out: LightningFinding[] = [];
  const named = args.filter((a): a is Node => a !== null && a.type !== 'comment');
  const keywords = new Map(named.filter((a) => a.type === 'keyword_argument').map((a) => [a.childForFieldName('name')?.text ?? '', a]));
  // Anything splatted or positional may choose the device: only a call that shows all its arguments is reported.
  const explicit = named.every((a) => a.type === 'keyword_argument');
  const accelerator = MIGRATIONS.find((r) => r.id === 'default.accelerator');
  const fn = call.childForFieldName('function');
  if (accelerator && fn && explicit && ![...keywords.keys()].some((k) => DEVICE_KEYWORDS.has(k))) out.push({ rule: accelerator, node: fn });
  const ddp = MIGRATIONS.find((r) => r.id === 'default.ddp_find_unused_parameters');
  const strategy = keywords.get('strategy')?.childForFieldName('value');
  if (ddp && strategy && /^(["'])ddp\1$/.test(strategy.text)) out.push({ rule: ddp, node: strategy });
  return out;
}

/** Whether a statement assigns, sets a key of (`cfg["k"] = v`) or updates (`cfg.update(...)`) a splatted dict. */
function buildsSplat(statement: Node, assignments: Node[], names: Set<string>): boolean {
  for (const a of assignments) {
    const left = a.childForFieldName('left');
    if (names.has(dottedName(left) ?? '') || (left?.type === 'subscript' && names.has(dottedName(left.childForFieldName('value')) ?? ''))) return true;
  }
  return statement.descendantsOfType('call').some((c) => {
    const fn = c?.childForFieldName('function');
    return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'update' && names.has(dottedName(fn.childForFieldName('object')) ?? '');
  });
}

/** The last run of word characters, before trailing white space (what /(\w+)\s*$/ captures, without its backtracking). */
function lastWord(text: string): string | undefined {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  let start = end;
  while (start > 0 && /\w/.test(text[start - 1])) start--;
  return start < end ? text.slice(start, end) : undefined;
}

/** Names after a dot that some rule is about (trainer.tune, dm.from_argparse_args, self.log...). */
const INTERESTING_MEMBERS = new Set([
  ...MIGRATIONS.filter((r) => ['trainerMember', 'moduleAttribute', 'dataModuleHook', 'hook'].includes(r.kind)).map((r) =>
    r.name.replace(/^\w+\./, '').replace(/\(.*$/, ''),
  ),
  'log',
  'log_dict',
  'fit',
  'validate',
  'test',
  'toggle_optimizer',
  'untoggle_optimizer',
  'summarize',
  'precision',
  'Trainer',
]);

/** Import and class rows with their canonical paths, computed once. */
const IMPORT_RULES: Array<[MigrationRule, string]> = MIGRATIONS.filter((r) => r.kind === 'import' || r.kind === 'callbackClass').map((r) => [
  r,
  canonicalRule(r.name),
]);

function canonicalRule(path: string): string {
  return path.replace(/^(?:pytorch_lightning|lightning\.pytorch|lightning)(?=\.|$)/, 'pl');
}

function trainerArgument(name: Node, value: Node | null): LightningFinding[] {
  const out: LightningFinding[] = [];
  for (const rule of rulesOf('trainerArgument')) {
    if (rule.name !== name.text) continue;
    if (rule.value !== undefined) {
      const v = valueText(value);
      if (
        rule.value === '<dict>'
          ? value?.type !== 'dictionary'
          : rule.value.replace(/^(['"])(.*)\1$/, '$2') !== v && !(rule.value.startsWith('<') && value?.text.includes(rule.value.slice(1, -1)))
      )
        continue;
    }
    out.push({ rule, node: name });
  }
  return out;
}

/** A string literal seen as its content (for dict keys that name Trainer arguments). */
function stringNode(node: Node): Node {
  return new Proxy(node, { get: (target, prop): unknown => (prop === 'text' ? valueText(target) : Reflect.get(target, prop)) });
}

/** self.<removed attribute>, self.log(<removed keyword>=...) inside a LightningModule. */
function moduleUses(classAttributes: Node[], classCalls: Node[]): LightningFinding[] {
  const out: LightningFinding[] = [];
  const attributes = rulesOf('moduleAttribute');
  const logArgs = rulesOf('logArgument');
  // Attributes the module assigns itself (`self.precision = Precision()`) are its own, not Lightning's.
  const own = new Set(
    classAttributes
      .filter(
        (a) =>
          a.parent?.type === 'assignment' && a.parent.childForFieldName('left')?.startIndex === a.startIndex && a.childForFieldName('object')?.text === 'self',
      )
      .map((a) => a.childForFieldName('attribute')?.text),
  );
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
function trainerMembers(attributes: Node[], trainerVars: Set<string>, classes: RankedClass[]): LightningFinding[] {
  const out: LightningFinding[] = [];
  const rules = rulesOf('trainerMember');
  if (!rules.length) return out;
  const members = new Set(rules.map((r) => r.name.replace(/^(?:trainer|Trainer)\./, '').replace(/\(\)$/, '')));
  const ranges = classes.map((c) => [c.node.startIndex, c.node.endIndex] as const);
  const inLightningClass = (n: Node) => ranges.some(([a, b]) => n.startIndex >= a && n.endIndex <= b);
  for (const attr of attributes) {
    const member = attr.childForFieldName('attribute')?.text;
    if (!member || !members.has(member)) continue;
    const object = dottedName(attr.childForFieldName('object'));
    if (!object || !member || isShim(attr)) continue;
    const isTrainer =
      trainerVars.has(object) ||
      ((object === 'self.trainer' || object === 'trainer') && inLightningClass(attr)) ||
      (object === 'trainer' && takesTrainer(attr));
    if (!isTrainer) continue;
    for (const rule of rules) {
      const ruleMember = rule.name.replace(/^(?:trainer|Trainer)\./, '').replace(/\(\)$/, '');
      if (ruleMember === member) out.push({ rule, node: attr });
    }
  }
  return out;
}

/** Inside a function with a parameter named `trainer` (a helper handed the Lightning Trainer). */
function takesTrainer(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition') return parameterNames(n).includes('trainer');
  }
  return false;
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
function classMembers(attributes: Node[], imports: Map<string, ImportTarget>, kindOf: (name: string) => ClassKind | undefined): LightningFinding[] {
  const out: LightningFinding[] = [];
  const names = new Set(
    Object.values(CLASS_MEMBER_KINDS)
      .flat()
      .flatMap(rulesOf)
      .map((r) => r.name.replace(/^\w+\./, '').replace(/\(\)$/, '')),
  );
  for (const attr of attributes) {
    const member = attr.childForFieldName('attribute')?.text;
    if (!member || !names.has(member)) continue;
    const objectNode = attr.childForFieldName('object');
    if (!objectNode || isShim(attr)) continue;
    const resolved = resolveName(objectNode, imports);
    const local = objectNode.type === 'identifier' ? kindOf(objectNode.text) : undefined;
    const kind =
      resolved && TRAINER.test(resolved)
        ? 'trainer'
        : resolved && DATAMODULE.test(resolved)
          ? 'datamodule'
          : resolved && MODULE.test(resolved)
            ? 'module'
            : local;
    if (!kind) continue;
    for (const rule of CLASS_MEMBER_KINDS[kind].flatMap(rulesOf)) {
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
function specialShapes(idx: Map<string, Node[]>, imports: Map<string, ImportTarget>, classes: RankedClass[], trainerVars: Set<string>, emit: Emit): void {
  const calls = idx.get('call')!;
  const attributes = idx.get('attribute')!;
  const modules = classes.filter((c) => c.kind === 'module');
  const inModule = (n: Node) => modules.some(({ node: c }) => n.startIndex >= c.startIndex && n.endIndex <= c.endIndex);
  // trainer.precision == "16" / 16: 2.x precision values are strings such as "16-mixed".
  const precisionCompare = ruleByApi('trainer.precision == "16"');
  if (precisionCompare) {
    for (const cmp of idx.get('comparison_operator')!) {
      const sides = cmp.namedChildren.filter((c): c is Node => c !== null);
      const attr = sides.find((c) => c.type === 'attribute' && c.childForFieldName('attribute')?.text === 'precision');
      const old = (c: Node | null) => c !== null && /^(?:16|"16"|'16'|32|"32"|'32'|64|"64"|'64'|"bf16"|'bf16')$/.test(c.text);
      const literal = sides.find((c) => old(c) || (['tuple', 'list', 'set'].includes(c.type) && c.namedChildren.some(old)));
      const object = attr ? dottedName(attr.childForFieldName('object')) : undefined;
      if (attr && literal && object && (trainerVars.has(object) || /(?:^|\.)trainer$/.test(object)) && !isShim(cmp))
        emit(PRECISION_COMPARE, cmp.startIndex, [{ rule: precisionCompare, node: cmp }]);
    }
  }
  // self.log("name", {...}): 2.x logs scalars only (use self.log_dict).
  const logDict = ruleByApi('self.log(<dict value>)');
  // configure_optimizers returning {"frequency": ...}: 2.x removed optimizer frequencies.
  const frequency = ruleByApi('configure_optimizers("frequency")');
  for (const { node: cls, rank } of modules) {
    for (const call of within(calls, cls)) {
      if (!logDict || dottedName(call.childForFieldName('function')) !== 'self.log') continue;
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => a !== null) ?? [];
      const value =
        args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'value')?.childForFieldName('value') ??
        args.filter((a) => a.type !== 'keyword_argument')[1];
      if (!value || isShim(call)) continue;
      if (value.type === 'dictionary') emit(LOG_DICT, rank, [{ rule: logDict, node: value }]);
      else if (value.type === 'identifier') {
        // self.log("train", metrics) where `metrics = {...}` or `dict(...)` above, in the same function.
        const bound = assignmentBefore(call, value.text);
        if (bound && (bound.value.type === 'dictionary' || (bound.value.type === 'call' && bound.value.childForFieldName('function')?.text === 'dict')))
          emit(LOG_DICT, rank, [{ rule: logDict, node: value, origin: originOf(bound.assignment) }]);
      }
    }
    if (frequency) {
      const configure = within(idx.get('function_definition')!, cls).find((f) => f.childForFieldName('name')?.text === 'configure_optimizers');
      for (const key of configure ? descendants(configure, new Set(['string'])) : []) {
        if (/^["']frequency["']$/.test(key.text) && key.parent?.type === 'pair') emit(LOG_DICT, rank, [{ rule: frequency, node: key }]);
      }
    }
  }
  // trainer.fit(train_dataloader=), trainer.validate(val_dataloaders=), trainer.test(test_dataloaders=): renamed.
  for (const call of calls) {
    const fn = call.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (method !== 'fit' && method !== 'validate' && method !== 'test') continue;
    const object = dottedName(fn!.childForFieldName('object'));
    if (!object || !(trainerVars.has(object) || /(?:^|\.)trainer$/.test(object)) || isShim(call)) continue;
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg?.type !== 'keyword_argument') continue;
      const name = arg.childForFieldName('name')!;
      const rule = ruleByApi(`trainer.${method}(${name.text}=)`);
      if (rule) emit(TRAINER_METHOD_ARGUMENTS, call.startIndex, [{ rule, node: name }]);
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
      if (rule) emit(CALLBACK_ARGUMENTS, call.startIndex, [{ rule, node: name }]);
    }
  }
  // self.toggle_optimizer(opt, idx) / self.untoggle_optimizer(idx): 2.x takes the optimizer alone.
  const toggle = ruleByApi('toggle_optimizer(optimizer, optimizer_idx)');
  const untoggle = ruleByApi('untoggle_optimizer(optimizer_idx)');
  for (const { node: cls, rank } of modules) {
    for (const call of within(calls, cls)) {
      const fn = dottedName(call.childForFieldName('function'));
      if (fn !== 'self.toggle_optimizer' && fn !== 'self.untoggle_optimizer') continue;
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => a !== null && a.type !== 'keyword_argument') ?? [];
      if (fn === 'self.toggle_optimizer' && toggle && args.length >= 2) emit(TOGGLE, rank, [{ rule: toggle, node: call }]);
      if (fn === 'self.untoggle_optimizer' && untoggle && args.length === 1 && (args[0].type === 'integer' || /idx|index/i.test(args[0].text)))
        emit(TOGGLE, rank, [{ rule: untoggle, node: call }]);
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
      if (onModule) emit(SUMMARIZE, attr.startIndex, [{ rule: summarize, node: attr }]);
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
      if (resolved === path || resolved.startsWith(`${path}.`)) emit(MODULE_CHAINS, attr.startIndex, [{ rule, node: attr }]);
    }
  }
}
