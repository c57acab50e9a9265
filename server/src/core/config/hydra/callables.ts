import type { JsonSchema, ValueHistory } from '../schema';

/** One keyword argument of a callable a `_target_` may name (schemas/hydra.schema.json, `x-ftw-callables`). */
export interface CallableArg {
  /** The reference tables' type: `number`, `integer|null`, `array<string>|string`, `any`... */
  type: string;
  default?: unknown;
  enum?: unknown[];
  description?: string;
  /** First release that has it (tables' `since`). */
  since?: string;
  /** Still accepted, with a warning; the replacement when there is one. */
  deprecated?: string | true;
  /** Filled in by the code that calls instantiate (`params` of an optimizer, `optimizer` of a scheduler). */
  byCaller?: boolean;
  /** Values only some releases take (TRL `packing_strategy: ffd`): judged by rules/valueHistory.ts. */
  valueHistory?: Record<string, ValueHistory>;
}

export interface RemovedArg {
  replacement?: string;
  deprecated?: string;
  removed?: string;
  evidence?: string;
}

export interface CallableInfo {
  tool: string;
  /** The pip package whose pin decides removed arguments. */
  package: string;
  /** What the callable does with a keyword it does not declare: a TypeError, logged and dropped, or taken. */
  kwargs: 'rejected' | 'ignored' | 'accepted';
  args: Record<string, CallableArg>;
  removed: Record<string, RemovedArg>;
  /** Lightning's Trainer: removed arguments come from the migration table, judged by the Lightning pin. */
  trainer?: boolean;
  /** A dataclass (TrainingArguments, TRL and PEFT configs): values go in without a type check. */
  dataclass?: boolean;
  /** The class it extends, whose arguments (and removed ones) it takes too; its own override them. */
  inherits?: string;
}

/** Hydra's own keys in a `_target_` block (hydra.utils.instantiate), never passed to the callable. */
export const HYDRA_KEYS: Record<string, string> = {
  _target_: 'The callable to build: a dotted import path (`torch.optim.AdamW`). The other keys are its keyword arguments.',
  _partial_: 'With `true`, `instantiate` returns `functools.partial(target, ...)`: the code supplies the remaining arguments when it calls it.',
  _recursive_: 'With `false`, nested `_target_` blocks are passed as configs instead of being built first (default `true`).',
  _convert_: 'How OmegaConf containers are passed: `none` (DictConfig/ListConfig, the default), `partial`, `object` or `all` (plain dicts and lists).',
  _args_: 'Positional arguments, as a list, passed before the keyword arguments.',
};

export interface CallableTable {
  callables: Record<string, CallableInfo>;
  aliases: Record<string, string>;
}

const EMPTY: CallableTable = { callables: {}, aliases: {} };
const tables = new WeakMap<JsonSchema, CallableTable>();

/** The table a host loaded with the schemas (`hydra.schema.json`); empty without it. */
export function callableTable(schema: JsonSchema | null | undefined): CallableTable {
  if (!schema) return EMPTY;
  let table = tables.get(schema);
  if (!table) {
    const notes = schema as Record<string, unknown>;
    const declared = (notes['x-ftw-callables'] ?? {}) as Record<string, CallableInfo>;
    const callables: Record<string, CallableInfo> = {};
    for (const [name, info] of Object.entries(declared)) {
      const parent = info.inherits ? declared[info.inherits] : undefined;
      callables[name] = parent ? { ...info, args: { ...parent.args, ...info.args }, removed: { ...parent.removed, ...info.removed } } : info;
    }
    table = { callables, aliases: (notes['x-ftw-aliases'] ?? {}) as Record<string, string> };
    tables.set(schema, table);
  }
  return table;
}

/** The canonical name and facts of a `_target_`, when we know it. */
export function lookupCallable(table: CallableTable, target: string): { name: string; info: CallableInfo } | undefined {
  const name = Object.prototype.hasOwnProperty.call(table.callables, target) ? target : table.aliases[target];
  if (!name || !Object.prototype.hasOwnProperty.call(table.callables, name)) return undefined;
  return { name, info: table.callables[name] };
}

/** Modules whose callables we list completely enough that a near miss is a typo, not a class we do not know. */
export const CLOSED_MODULES = ['torch.optim', 'torch.optim.lr_scheduler'];

/** `a.b.C`: what Hydra's `_locate` imports. */
export const DOTTED_PATH = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/;

/** A value Hydra does not know yet when the file is read: an interpolation (`${...}`) or a missing value (`???`). */
export function isDeferred(value: unknown): boolean {
  return typeof value === 'string' && (value === '???' || value.includes('${'));
}

/** `Trainer` for `lightning.pytorch.Trainer`. */
export function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}
