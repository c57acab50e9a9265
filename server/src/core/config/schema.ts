import type { ValuePath } from './ast';
import { own } from './own';

/** The subset of JSON Schema draft-07 our generated schemas use, plus our `x-ftw-*` annotations. */
export interface JsonSchema {
  $id?: string;
  title?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  description?: string;
  deprecated?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  'x-ftw-tool'?: string;
  /** Root only: the release the schema describes, and its pip package. */
  'x-ftw-version'?: string;
  'x-ftw-package'?: string;
  'x-ftw-snapshot'?: string;
  /** What the tool does with an unknown key here: drops it, refuses to start, or passes it on (maybe to a user's script). */
  'x-ftw-unknownKeys'?: 'ignored' | 'rejected' | 'unverified';
  /** Root only: how the tool converts values (validate.ts isLax). */
  'x-ftw-convert'?: 'pydantic' | 'sections' | 'argparse' | 'omegaconf';
  /** Root only: whether the tool stops on a wrong value when it loads the file, or passes it on unchecked. */
  'x-ftw-valueChecks'?: 'enforced' | 'advisory';
  /** Root only: the releases of another package the tool accepts (LLaMA-Factory caps transformers), with the source. */
  'x-ftw-allows'?: Record<string, { min?: string; max?: string; source: string }>;
  'x-ftw-unknownNote'?: string;
  /** torchtune only: `_component_` path -> its keyword arguments (rules/components.ts). */
  'x-ftw-components'?: Record<string, unknown>;
  /** torchtune only: release -> recipe -> the top-level keys its code reads (null: not known for sure). */
  'x-ftw-recipeKeys'?: Record<string, { commit: string; recipes: Record<string, string[] | null> }>;
  'x-ftw-rejectedNote'?: string;
  'x-ftw-renamed'?: Record<string, RenamedKey>;
  'x-ftw-plugin'?: string;
  'x-ftw-since'?: string;
  'x-ftw-replacement'?: string;
  'x-ftw-deprecatedSince'?: string;
  /** A prefix the tool strips from keys of this section, deprecated (Axolotl `fsdp_config.fsdp_*`). */
  'x-ftw-deprecatedPrefix'?: { prefix: string; deprecated?: string };
  'x-ftw-aliasOf'?: string;
  /** The tool upper-cases the value before comparing it with the allowed ones (Accelerate's `fp8_format`). */
  'x-ftw-caseInsensitive'?: boolean;
  /** Values whose acceptance depends on the tool's release (TRL `packing_strategy: ffd`): judged by rules/valueHistory.ts. */
  'x-ftw-valueHistory'?: Record<string, ValueHistory>;
}

/** The releases that accept one value of a key: from `since`, before `until`; deprecated from `deprecated`. */
export interface ValueHistory {
  since?: string;
  until?: string;
  deprecated?: string;
  /** What the tool reads it as, or what replaced it. */
  replacement?: string;
  /** What the tool does with it once deprecated (for the message). */
  deprecation?: string;
  /** What the tool does with it in a release that does not take it. */
  refused?: string;
  evidence: string;
}

export interface RenamedKey {
  replacement?: string;
  deprecated?: string;
  removed?: string;
  evidence?: string;
  /** True when the tool refuses to start (a validator raises); false when it drops the key silently. */
  rejected: boolean;
  /** Accepted by older releases only: reported as a warning until the project's tool version is known. */
  versionDependent?: boolean;
  /** The library whose version decides (e.g. transformers, for keys a tool inherits from TrainingArguments). */
  via?: string;
  /** Its pip package. */
  package?: string;
}

/** The schema that describes the value at `path`, following properties, items and additionalProperties. */
export function schemaAt(root: JsonSchema, path: ValuePath): JsonSchema | null {
  let current: JsonSchema | null = root;
  for (const seg of path) {
    if (!current) return null;
    current = childSchema(current, seg);
  }
  return current;
}

export function childSchema(schema: JsonSchema, seg: string | number): JsonSchema | null {
  for (const branch of branches(schema)) {
    if (typeof seg === 'number' || seg === '[]') {
      if (branch.items) return branch.items;
      continue;
    }
    const prop = own(branch.properties, seg);
    if (prop) return prop;
    if (typeof branch.additionalProperties === 'object') return branch.additionalProperties;
  }
  return null;
}

/** The schema itself and its anyOf branches (our schemas nest anyOf one level at most). */
export function branches(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ? [schema, ...schema.anyOf] : [schema];
}

export function typesOf(schema: JsonSchema): string[] {
  const out = new Set<string>();
  for (const b of branches(schema)) {
    if (b.type) for (const t of Array.isArray(b.type) ? b.type : [b.type]) out.add(t);
  }
  return [...out];
}

/** Every literal the schema lists: enum members, consts ("auto"), and true/false for a plain boolean. */
export function allowedValues(schema: JsonSchema): unknown[] {
  const out: unknown[] = [];
  for (const b of branches(schema)) {
    if (b.enum) out.push(...b.enum);
    if ('const' in b) out.push(b.const);
  }
  return [...new Set(out)];
}

/** True when the schema admits any value of the type, not only listed literals (e.g. `boolean | "auto"`). */
export function isClosed(schema: JsonSchema): boolean {
  return branches(schema).every((b) => (b === schema && schema.anyOf ? true : Boolean(b.enum) || 'const' in b || !b.type));
}

/** A key's schema: look keys up with `own()`, since keys such as `constructor` are data. */
export function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  const out = Object.create(null) as Record<string, JsonSchema>;
  for (const b of branches(schema)) Object.assign(out, b.properties);
  return out;
}

export function renamedOf(schema: JsonSchema): Record<string, RenamedKey> {
  const out = Object.create(null) as Record<string, RenamedKey>;
  for (const b of branches(schema)) Object.assign(out, b['x-ftw-renamed']);
  return out;
}

/** "integer | null", `boolean | "auto"`, `"nf4" | "fp4"`: how hover and completion show a type. */
export function typeLabel(schema: JsonSchema): string {
  const parts: string[] = [];
  for (const b of branches(schema)) {
    if (b.enum) {
      const literals = b.enum.filter((v) => v !== null);
      parts.push(
        literals.length > 6
          ? `${b.type && !Array.isArray(b.type) ? b.type : 'string'} (${literals.length} values)`
          : literals.map((v) => JSON.stringify(v)).join(' | '),
      );
      if (b.enum.includes(null)) parts.push('null');
    } else if ('const' in b) parts.push(JSON.stringify(b.const));
    else if (b.type) {
      for (const t of Array.isArray(b.type) ? b.type : [b.type]) {
        if (t === 'array' && b.items?.type && !Array.isArray(b.items.type)) parts.push(`${b.items.type}[]`);
        else parts.push(t);
      }
    }
  }
  const unique = [...new Set(parts.filter(Boolean))];
  return unique.length ? unique.join(' | ') : 'any';
}

export function rangeLabel(schema: JsonSchema): string | null {
  for (const b of branches(schema)) {
    const lo = b.minimum !== undefined ? `≥ ${b.minimum}` : b.exclusiveMinimum !== undefined ? `> ${b.exclusiveMinimum}` : '';
    const hi = b.maximum !== undefined ? `≤ ${b.maximum}` : b.exclusiveMaximum !== undefined ? `< ${b.exclusiveMaximum}` : '';
    if (lo || hi) return [lo, hi].filter(Boolean).join(' and ');
  }
  return null;
}
