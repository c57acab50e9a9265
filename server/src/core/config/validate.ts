import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isScalar, type Document, type Node, type Pair } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Range } from 'vscode-languageserver-types';
import { locate, type ValuePath } from './ast';
import { CODES } from '../common/codes';
import { makeDiagnostic, offsetRange, type Fix } from '../common/diagnostics';
import { allowedValues, branches, propertiesOf, renamedOf, schemaAt, typesOf, type JsonSchema, type RenamedKey } from './schema';
import { own } from './own';
import { byCloseness, closest } from './suggest';
import { atOrAfter, type ToolVersion } from '../common/versions';

/** ajv's options; schemas/tools/validators.mjs compiles the bundled schemas at build time with the same ones. */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, allowUnionTypes: true, validateFormats: false } as const;

/** Validators compiled at build time, registered by the host that read the schema files (schemaFiles.ts). */
const prebuilt = new WeakMap<JsonSchema, () => ValidateFunction | undefined>();

/** Says how to get the build-time validator of a schema object; it is loaded when the schema is first used. */
export function registerPrebuiltValidator(schema: JsonSchema, load: () => ValidateFunction | undefined): void {
  let loaded: { fn: ValidateFunction | undefined } | undefined;
  // Loaded (and its source hash checked) once per schema object, however many services validate with it.
  prebuilt.set(schema, () => (loaded ??= { fn: load() }).fn);
}

/**
 * One validator per schema: the one compiled at build time when the host registered it (no compiling, no
 * `new Function`, at start-up), else ajv compiles the schema on first use. The validators are then cheap enough to
 * run on every keystroke.
 */
export class SchemaValidator {
  private ajv: Ajv | undefined;
  private readonly compiled = new WeakMap<JsonSchema, ValidateFunction>();

  validatorFor(schema: JsonSchema): ValidateFunction {
    let fn = this.compiled.get(schema);
    if (!fn) {
      fn = prebuilt.get(schema)?.() ?? (this.ajv ??= new Ajv(AJV_OPTIONS)).compile(schema);
      this.compiled.set(schema, fn);
    }
    return fn;
  }
}

export interface ValidationTarget {
  textDocument: TextDocument;
  doc: Document;
  value: unknown;
  schema: JsonSchema;
  /** The tool that reads the file, for messages ("Axolotl ignores it silently"). */
  tool: string;
  /** The release of a package the project uses (setting, pins, or the newest). */
  versionOf: (pkg: string) => ToolVersion;
  /** Top-level keys that a recipe script of its own reads: reported once per file (FT112), not one by one. */
  scriptKeys?: ReadonlySet<string>;
  /** Top-level keys that a recipe script of the workspace declares in its argument dataclasses: accepted. */
  workspaceKeys?: ReadonlySet<string>;
}

/** Validates; at most `limit` diagnostics are built (a file with thousands of problems is capped by the service). */
export function validateAgainstSchema(validator: SchemaValidator, target: ValidationTarget, limit = Infinity): Diagnostic[] {
  const validate = validator.validatorFor(target.schema);
  if (validate(target.value)) return [];
  const errors = collapseAnyOf(validate.errors ?? []);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (out.length >= limit) break;
    const d = diagnose(target, error);
    if (!d) continue;
    const key = `${d.range.start.line}:${d.range.start.character}:${d.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/** ajv reports each failed anyOf branch; keep only the anyOf error itself and judge the value against all branches. */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  return errors.filter((e) => e.keyword === 'anyOf' || !anyOfPaths.some((p) => e.schemaPath.startsWith(`${p}/`)));
}

function pointerToPath(pointer: string): ValuePath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function pathLabel(path: ValuePath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('') || '(top level)';
}

function keyRange(target: ValidationTarget, pair: Pair | null, fallback: Node | null) {
  const key = pair?.key as Node | undefined;
  const r = key?.range ?? fallback?.range ?? [0, 0];
  return offsetRange(target.textDocument, r[0], r[1]);
}

function valueRange(target: ValidationTarget, path: ValuePath) {
  const { node, pair, nearest } = locate(target.doc, path);
  const r = node?.range;
  if (r && r[1] > r[0]) {
    // Block collections end after their last line break; the problem ends with the last character.
    const text = target.textDocument.getText();
    let end = r[1];
    while (end > r[0] && /\s/.test(text[end - 1])) end--;
    return offsetRange(target.textDocument, r[0], end);
  }
  return keyRange(target, pair, nearest);
}

function diagnose(target: ValidationTarget, error: ErrorObject): Diagnostic | null {
  const path = pointerToPath(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(target, path, String((error.params as { additionalProperty: string }).additionalProperty));
    case 'required':
      return missingRequired(target, path, String((error.params as { missingProperty: string }).missingProperty));
    case 'type':
    case 'enum':
    case 'const':
    case 'anyOf':
      return wrongValue(target, path, error.parentSchema as JsonSchema, error.data);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = error.params as { comparison: string; limit: number };
      return makeDiagnostic({
        range: valueRange(target, path),
        code: CODES.outOfRange,
        severity: 'error',
        message: `'${pathLabel(path)}' must be ${comparison} ${limit}, not ${JSON.stringify(error.data)}.`,
      });
    }
    default:
      return makeDiagnostic({
        range: valueRange(target, path),
        code: CODES.schemaConstraint,
        severity: 'error',
        message: `'${pathLabel(path)}' ${error.message ?? 'is not valid'}.`,
      });
  }
}

function containerOf(target: ValidationTarget, path: ValuePath): JsonSchema | null {
  return schemaAt(target.schema, path);
}

function unknownKey(target: ValidationTarget, parentPath: ValuePath, key: string): Diagnostic | null {
  const parentSchema = containerOf(target, parentPath);
  if (!parentSchema) return null;
  const { node } = locate(target.doc, parentPath);
  const pairs = isMap(node) ? pairsByKey(node) : null;
  const pair = pairs?.get(key) ?? null;
  const range = keyRange(target, pair, node);
  const where = parentPath.length ? ` in '${pathLabel(parentPath)}'` : '';
  const mode = parentSchema['x-ftw-unknownKeys'] ?? 'ignored';
  const rejected = mode === 'rejected';

  if (!parentPath.length && (target.scriptKeys?.has(key) || target.workspaceKeys?.has(key))) return null;
  // JSON has no comments, so people write "_comment" keys; a tool that ignores unknown keys ignores those too.
  if (!rejected && /^(?:_|\/\/|#)/.test(key)) return null;

  const renamed = own(renamedOf(parentSchema), key);
  if (renamed) return renamedKey(target, range, key, renamed, rejected, pair);

  const prefix = parentSchema['x-ftw-deprecatedPrefix'];
  const stripped = prefix && key.startsWith(prefix.prefix) ? key.slice(prefix.prefix.length) : null;
  if (stripped && own(propertiesOf(parentSchema), stripped)) {
    const since = prefix!.deprecated ? ` since ${target.tool} ${prefix!.deprecated}` : '';
    return makeDiagnostic({
      range,
      code: CODES.deprecatedKey,
      severity: 'warning',
      message: `The '${prefix!.prefix}' prefix${where} is deprecated${since}: ${target.tool} reads '${key}' as '${stripped}'.`,
      deprecated: true,
      fixes: [{ title: `Rename '${key}' to '${stripped}'`, edits: [{ range, newText: renameKeyText(pair, stripped) }], preferred: true }],
    });
  }

  const candidates = Object.keys(propertiesOf(parentSchema)).filter((k) => !pairs?.has(k));
  const suggestions = closest(key, candidates);
  const behaviour = rejected
    ? (target.schema['x-ftw-rejectedNote'] ?? `${target.tool} refuses to start with it`)
    : mode === 'unverified'
      ? (target.schema['x-ftw-unknownNote'] ?? `${target.tool} does not declare it`)
      : `${target.tool} ignores it silently`;
  const hint = suggestions.length ? ` Did you mean '${suggestions[0]}'?` : '';
  const fixes: Fix[] = suggestions.map((s, i) => ({
    title: `Change '${key}' to '${s}'`,
    edits: [{ range, newText: renameKeyText(pair, s) }],
    preferred: i === 0 && suggestions.length === 1,
  }));
  return makeDiagnostic({
    range,
    code: CODES.unknownKey,
    severity: rejected ? 'error' : 'warning',
    message: `Unknown key '${key}'${where}: ${behaviour}.${hint}`,
    fixes,
  });
}

/** Replacement text for a key that keeps its quotes (JSON keys are always quoted). */
export function renameKeyText(pair: Pair | null, name: string): string {
  const key = pair?.key;
  if (isScalar(key) && key.type === 'QUOTE_DOUBLE') return JSON.stringify(name);
  if (isScalar(key) && key.type === 'QUOTE_SINGLE') return `'${name}'`;
  return name;
}

/** Each key of a mapping and its last pair (the one PyYAML keeps), built once per mapping: a file with thousands
 *  of unknown keys must not scan its mapping once per key. */
const pairIndex = new WeakMap<object, Map<string, Pair>>();
function pairsByKey(map: { items: unknown[] }): Map<string, Pair> {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items as Pair[]) if (isScalar(p.key)) index.set(String(p.key.value), p);
    pairIndex.set(map, index);
  }
  return index;
}

function renamedKey(
  target: ValidationTarget,
  range: ReturnType<typeof keyRange>,
  key: string,
  info: RenamedKey,
  sectionRejects: boolean,
  pair: Pair | null,
): Diagnostic | null {
  const tool = target.tool;
  // With a known version (a setting or a pin), the key is judged for that release, not for the newest.
  const pkg = info.package ?? target.schema['x-ftw-package'];
  const used = pkg ? target.versionOf(pkg) : undefined;
  if (used && used.source !== 'newest' && (info.removed || info.deprecated)) {
    const label = info.via ?? tool;
    const pinned = `${label} ${used.version} (${used.source === 'setting' ? 'finetune.versions' : used.source})`;
    const gone = atOrAfter(used.version, info.removed ?? (info.replacement ? info.deprecated : undefined));
    if (gone === false) {
      if (!atOrAfter(used.version, info.deprecated)) return null; // valid, and not even deprecated, in that release
      return makeDiagnostic({
        range,
        code: CODES.deprecatedKey,
        severity: 'information',
        message: `'${key}' still works in ${pinned}, but it is deprecated since ${label} ${info.deprecated}${info.removed ? ` and gone in ${info.removed}` : ''}${info.replacement ? `: use '${info.replacement}'` : ''}.`,
        deprecated: true,
        fixes: renameFixes(key, info, pair, range),
      });
    }
    if (gone === true) {
      const refuses = sectionRejects || info.rejected || target.schema['x-ftw-unknownKeys'] === 'rejected' || info.versionDependent;
      return makeDiagnostic({
        range,
        code: CODES.renamedKey,
        severity: refuses ? 'error' : 'warning',
        message: `'${key}' was ${info.replacement ? 'replaced' : 'removed'} in ${label} ${(info.removed ?? info.deprecated)!.replace(/\s*\(announced\)/, '')}${info.replacement ? `: use '${info.replacement}'` : ''}. Your project uses ${pinned}, which ${refuses ? 'stops on it' : 'ignores it'}.`,
        deprecated: true,
        fixes: renameFixes(key, info, pair, range),
      });
    }
  }
  const composed = info.versionDependent && info.via ? withinToolRange(target, key, info, range, pair) : undefined;
  if (composed !== undefined) return composed;
  if (info.versionDependent && info.via) {
    const version = (v: string) => (v.startsWith('<=') ? `${v.slice(2)} or earlier` : v.replace(/\s*\(announced\)/, ''));
    const when = info.removed
      ? `removed in ${info.via} ${version(info.removed)}`
      : info.deprecated
        ? `deprecated in ${info.via} ${version(info.deprecated)}`
        : `gone from current ${info.via}`;
    const use = info.replacement ? `; use '${info.replacement}'` : '';
    return makeDiagnostic({
      range,
      code: CODES.renamedKey,
      severity: 'warning',
      message: `'${key}' was ${when}${use}. It still works with an older ${info.via}; with a newer one ${tool} stops on it.`,
      deprecated: true,
    });
  }
  if (info.versionDependent) {
    return makeDiagnostic({
      range,
      code: CODES.renamedKey,
      severity: 'warning',
      message: `'${key}' was a key here in older ${tool} releases; ${tool} ${target.schema['x-ftw-snapshot']?.split(' ')[1]?.replace(/\+.*$/, '') ?? 'today'} refuses to start with it. Keep it only if you pin an older ${tool}.`,
      deprecated: true,
    });
  }
  const when = info.removed ? ` in ${tool} ${info.removed.replace(/\s*\(announced\)/, '')}` : info.deprecated ? ` since ${tool} ${info.deprecated}` : '';
  const replacement = info.replacement;
  const verb = replacement ? (info.removed ? 'was replaced' : 'was renamed') : 'was removed';
  const use = replacement ? `: use '${replacement}'` : '';
  const rejected = info.rejected || sectionRejects;
  const effect = rejected ? `${tool} refuses to start with it` : `${tool} ignores it silently`;
  return makeDiagnostic({
    range,
    code: CODES.renamedKey,
    severity: rejected ? 'error' : 'warning',
    message: `'${key}' ${verb}${when}${use}. ${effect}.`,
    deprecated: true,
    fixes: renameFixes(key, info, pair, range),
  });
}

/**
 * Versions compose: a key another package (transformers) removed is judged against the releases of that package
 * the tool itself accepts (LLaMA-Factory caps transformers in its requirements and checks it at startup). All of
 * them before the removal: the key works, information only. Some before the deprecation: it works with those,
 * information naming both versions. Undefined when the tool sets no range or the range says nothing.
 */
function withinToolRange(target: ValidationTarget, key: string, info: RenamedKey, range: Range, pair: Pair | null): Diagnostic | null | undefined {
  const allowed = own(target.schema['x-ftw-allows'], info.package ?? info.via!);
  if (!allowed?.max && !allowed?.min) return undefined;
  const tool = target.tool;
  const span = allowed.min && allowed.max ? `${allowed.min} to ${allowed.max}` : allowed.max ? `up to ${allowed.max}` : `from ${allowed.min}`;
  const accepts = `${tool} accepts ${info.via} ${span} (${allowed.source})`;
  const removedExactly = info.removed && !info.removed.startsWith('<=') ? info.removed.replace(/\s*\(announced\)/, '') : undefined;
  const [, name, note] = /^(.*?)\s*(\(.*\))?$/.exec(info.replacement ?? '') ?? [];
  const use = name ? ` Use '${name}'${note ? ` ${note}` : ''} once you move to a newer ${info.via}.` : '';
  if (allowed.max && removedExactly && atOrAfter(allowed.max, removedExactly) === false) {
    return makeDiagnostic({
      range,
      code: CODES.deprecatedKey,
      severity: 'information',
      message: `'${key}' is ${info.deprecated ? `deprecated since ${info.via} ${info.deprecated} and ` : ''}removed in ${info.via} ${removedExactly}; ${accepts}, where it still works.${use}`,
      deprecated: true,
      fixes: renameFixes(key, info, pair, range).map((f) => ({ ...f, preferred: false })),
    });
  }
  const gone = info.removed ? `gone by ${info.via} ${info.removed.replace(/^<=/, '')}${info.removed.startsWith('<=') ? ' at the latest' : ''}` : undefined;
  if (allowed.min && info.deprecated && atOrAfter(allowed.min, info.deprecated) === false) {
    return makeDiagnostic({
      range,
      code: CODES.deprecatedKey,
      severity: 'information',
      message: `'${key}' is deprecated since ${info.via} ${info.deprecated}${gone ? ` and ${gone}` : ''}; ${accepts}, and it works at least with the releases before ${info.deprecated}.${use}`,
      deprecated: true,
      fixes: renameFixes(key, info, pair, range).map((f) => ({ ...f, preferred: false })),
    });
  }
  return undefined;
}

/**
 * The fix for a renamed key: a plain rename, or the key and its converted value when the table says
 * `new_key: value` (Axolotl `flash_attention: true` -> `attn_implementation: flash_attention_2`).
 */
export function renameFixes(key: string, info: { replacement?: string }, pair: Pair | null, range: Range): Fix[] {
  const replacement = info.replacement?.replace(/\s*\(.*\)\s*$/, '').trim();
  if (!replacement) return [];
  const withValue = /^([A-Za-z_]\w*):\s*(\S+)$/.exec(replacement);
  if (withValue && pair && isScalar(pair.value) && pair.value.range) {
    if (pair.value.value === false || pair.value.value === null) return [];
    const start = (pair.key as Node).range![0];
    const end = pair.value.range[1];
    return [
      {
        title: `Replace with '${withValue[1]}: ${withValue[2]}'`,
        edits: [{ range: { start: range.start, end: positionAfter(range, start, end) }, newText: `${renameKeyText(pair, withValue[1])}: ${withValue[2]}` }],
        preferred: true,
      },
    ];
  }
  if (!/^[A-Za-z_]\w*$/.test(replacement)) return [];
  return [{ title: `Rename '${key}' to '${replacement}'`, edits: [{ range, newText: renameKeyText(pair, replacement) }], preferred: true }];
}

/** The end of a pair's value, expressed from the key's range (both on one line for the scalars we convert). */
function positionAfter(key: Range, keyStart: number, valueEnd: number) {
  return { line: key.start.line, character: key.start.character + (valueEnd - keyStart) };
}

function missingRequired(target: ValidationTarget, parentPath: ValuePath, key: string): Diagnostic {
  const { node, pair, nearest } = locate(target.doc, parentPath);
  let range;
  if (isMap(node) && node.items.length) {
    const first = node.items[0].key as Node;
    range = offsetRange(target.textDocument, first.range![0], first.range![1]);
  } else range = keyRange(target, pair, nearest);
  const where = parentPath.length ? ` in '${pathLabel(parentPath)}'` : '';
  return makeDiagnostic({
    range,
    code: CODES.missingRequired,
    severity: 'error',
    message: `Missing required key '${key}'${where}: ${target.tool} stops with a validation error without it.`,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Values: type, enum and "auto" problems, judged the way the tool converts values.

/**
 * pydantic (Axolotl, DeepSpeed's sections) converts in "lax" mode: "8" is an int, "1e-4" a float, "yes" a bool.
 * DeepSpeed's top level is read with plain dict lookups: no conversion at all.
 */
function isLax(target: ValidationTarget, path: ValuePath): boolean {
  if (target.schema['x-ftw-convert'] !== 'sections') return true;
  const container = schemaAt(target.schema, path.slice(0, -1));
  return container?.['x-ftw-unknownKeys'] === 'rejected';
}

const INT_TEXT = /^\s*[-+]?\d+\s*$/;
const FLOAT_TEXT = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$|^\s*[-+]?(?:inf|infinity|nan)\s*$/i;
const BOOL_TEXT = /^(?:0|off|f|false|n|no|1|on|t|true|y|yes)$/i;

/** The value pydantic would produce for `type`, or undefined when it would refuse. */
function coerce(value: unknown, type: string): unknown {
  switch (type) {
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      // pydantic's lax mode takes a bool for an int or a float (True → 1), and in Python a bool is an int anyway.
      if (typeof value === 'boolean') return Number(value);
      if (typeof value === 'string' && INT_TEXT.test(value)) return Number(value);
      return undefined;
    case 'number':
      if (typeof value === 'number') return value;
      if (typeof value === 'boolean') return Number(value);
      if (typeof value === 'string' && FLOAT_TEXT.test(value)) return Number(value);
      return undefined;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && BOOL_TEXT.test(value.trim())) return /^(?:1|on|t|true|y|yes)$/i.test(value.trim());
      if (value === 0 || value === 1) return value === 1;
      return undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'null':
      return value === null ? null : undefined;
    case 'array':
      return Array.isArray(value) ? value : undefined;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
    default:
      return undefined;
  }
}

function passesBranch(branch: JsonSchema, value: unknown): boolean {
  if ('const' in branch && branch.const !== value) return false;
  if (branch.enum && !branch.enum.includes(value)) return false;
  if (typeof value === 'number') {
    if (branch.minimum !== undefined && value < branch.minimum) return false;
    if (branch.maximum !== undefined && value > branch.maximum) return false;
    if (branch.exclusiveMinimum !== undefined && value <= branch.exclusiveMinimum) return false;
    if (branch.exclusiveMaximum !== undefined && value >= branch.exclusiveMaximum) return false;
  }
  return true;
}

/** True when the tool would accept the value after its own conversion. */
function acceptedAfterCoercion(schema: JsonSchema, value: unknown): boolean {
  const candidates = schema.anyOf ? schema.anyOf.map((b) => ({ ...b, type: b.type ?? schema.type })) : [schema];
  for (const branch of candidates) {
    const types = branch.type ? (Array.isArray(branch.type) ? branch.type : [branch.type]) : null;
    if (!types) {
      if (passesBranch(branch, value)) return true;
      continue;
    }
    for (const t of types) {
      const converted = coerce(value, t);
      if (converted !== undefined && passesBranch(branch, converted)) return true;
    }
  }
  return false;
}

function describe(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return JSON.stringify(value);
}

const ARTICLE: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

function expectedText(schema: JsonSchema): string {
  const literals = allowedValues(schema).filter((v) => v !== null);
  const parts: string[] = [];
  for (const b of branches(schema)) {
    if (b.enum || 'const' in b) continue;
    if (b.type) for (const t of Array.isArray(b.type) ? b.type : [b.type]) if (t !== 'null') parts.push(ARTICLE[t] ?? t);
  }
  if (literals.length && literals.length <= 4) parts.push(literals.map((v) => JSON.stringify(v)).join(' or '));
  else if (literals.length) parts.push('one of the allowed values');
  return [...new Set(parts)].join(' or ') || 'another value';
}

function wrongValue(target: ValidationTarget, path: ValuePath, schema: JsonSchema | undefined, value: unknown): Diagnostic | null {
  if (!schema) return null;
  const tool = target.tool;
  // Tools that load YAML into plain dataclasses do not stop on a wrong value: it reaches the training code as written.
  const advisory = target.schema['x-ftw-valueChecks'] === 'advisory';
  const severity = advisory ? 'warning' : 'error';
  const refuses = advisory
    ? `${tool} does not check it when it loads the file, so the training code gets it as written`
    : `${tool} refuses this value at startup`;
  const name = pathLabel(path);
  if (isLax(target, path) && value !== null && acceptedAfterCoercion(schema, value)) return null;
  if (
    schema['x-ftw-caseInsensitive'] &&
    typeof value === 'string' &&
    allowedValues(schema).some((v) => typeof v === 'string' && v.toUpperCase() === value.toUpperCase())
  )
    return null;
  // OmegaConf resolves `${...}` before the recipe reads the value.
  if (target.schema['x-ftw-convert'] === 'omegaconf' && typeof value === 'string' && value.includes('${')) return null;
  // A value only some releases accept is judged for the project's release by rules/valueHistory.ts.
  if (typeof value === 'string' && own(schema['x-ftw-valueHistory'], value)) return null;
  const range = valueRange(target, path);

  if (value === null && !typesOf(schema).includes('null') && !allowedValues(schema).includes(null)) {
    return makeDiagnostic({
      range,
      code: CODES.emptyValue,
      severity,
      message: advisory
        ? `'${name}' is empty (null) but should be ${expectedText(schema)}: ${tool} does not check it, so the training code gets None. Give it a value or remove the line.`
        : `'${name}' is empty (null) but must be ${expectedText(schema)}: ${tool} stops with a validation error. Give it a value or remove the line.`,
    });
  }

  // YAML 1.1 reads an unquoted NO/yes/on/off as a boolean: Accelerate's `distributed_type: NO` arrives as false.
  if (typeof value === 'boolean') {
    const words = allowedValues(schema).filter((v): v is string => typeof v === 'string' && (value ? /^(?:yes|on|true)$/i : /^(?:no|off|false)$/i).test(v));
    if (words.length) {
      return makeDiagnostic({
        range,
        code: CODES.wrongType,
        severity,
        message: `'${name}' is the boolean ${value}: YAML reads an unquoted ${words[0]} as a boolean. Write '${words[0]}' in quotes.`,
        fixes: [{ title: `Quote it: '${words[0]}'`, edits: [{ range, newText: `'${words[0]}'` }], preferred: true }],
      });
    }
  }
  const literals = allowedValues(schema).filter((v) => v !== null && typeof v === typeof value) as Array<string | number | boolean>;
  const jsType = typeof value === 'number' ? (Number.isInteger(value) ? ['integer', 'number'] : ['number']) : [typeof value];
  const openForValue = branches(schema).some((b) => !b.enum && !('const' in b) && typesOf({ type: b.type }).some((t) => jsType.includes(t)));
  const wouldConvert = typeof value === 'string' && typesOf(schema).some((t) => t !== 'string' && coerce(value, t) !== undefined);
  if (literals.length && !openForValue && !wouldConvert) {
    const labels = literals.map(String);
    const ordered =
      typeof value === 'number'
        ? [...literals].sort((a, b) => Math.abs(Number(a) - value) - Math.abs(Number(b) - value)).map(String)
        : byCloseness(String(value), labels);
    const near = typeof value === 'string' ? closest(value, labels, 1) : [];
    const shown = labels.length <= 8 ? ` Allowed: ${labels.join(', ')}.` : ` ${labels.length} values are allowed.`;
    const hint = near.length ? ` Did you mean '${near[0]}'?` : '';
    const { node } = locate(target.doc, path);
    const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
    const quote = typeof value !== 'string' ? '' : quoted ? (node.type === 'QUOTE_DOUBLE' ? '"' : "'") : '';
    return makeDiagnostic({
      range,
      code: CODES.notAllowed,
      severity,
      message: `${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)} is not ${advisory ? `a value ${tool} knows` : 'an allowed value'} for '${name}'.${hint}${shown}`,
      fixes: ordered.map((v) => ({ title: `Change to '${v}'`, edits: [{ range, newText: `${quote}${v}${quote}` }], preferred: near[0] === v })),
    });
  }
  if (wouldConvert && !isLax(target, path)) {
    return makeDiagnostic({
      range,
      code: CODES.wrongType,
      severity: 'error',
      message: `'${name}' must be ${expectedText(schema)}, not ${describe(value)}: ${tool} reads this value as written, without converting it. Remove the quotes.`,
    });
  }

  return makeDiagnostic({
    range,
    code: CODES.wrongType,
    severity,
    message: `'${name}' must be ${expectedText(schema)}, not ${describe(value)}: ${refuses}.`,
  });
}
