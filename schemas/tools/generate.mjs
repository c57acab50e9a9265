#!/usr/bin/env node
// Generates schemas/<tool>.schema.json from the fact tables in schemas/src/.
//
// Inputs (all copied from ../shared/reference, never edited by hand):
//   schemas/src/<tool>.tsv          one row per key: type, enum, default, required, since, status, scope ...
//   schemas/src/renamed-keys.tsv    renamed / removed keys with versions and evidence
// Inputs written by us:
//   schemas/src/descriptions/<tool>.tsv   key -> one-line description (hover and completion text)
//   schemas/src/constraints.json          numeric ranges and "auto" values the tables cannot express
// Inputs extracted from a tool's code (committed; re-run the extractor to refresh them):
//   schemas/src/torchtune-recipe-keys.json  keys each torchtune recipe reads (schemas/tools/torchtuneRecipeKeys.mjs)
//
// Output conventions (read by server/src/core/config/schema.ts):
//   - plain JSON Schema draft-07, so any JSON Schema tool (yaml-language-server too) can use the file;
//   - every object that the tool models has `additionalProperties: false`, and `x-ftw-unknownKeys` says what
//     the tool itself does with an unknown key there: "ignored" (dropped silently) or "rejected" (refuses to start);
//   - `x-ftw-renamed` on an object maps old key -> {replacement, deprecated, removed, evidence, rejected};
//   - `x-ftw-plugin` on a property names the Axolotl plugin that must be listed under `plugins:`;
//   - `x-ftw-since` is the first release that declares the key; `deprecated: true` + `x-ftw-replacement`.
//
// Usage: node schemas/tools/generate.mjs [--check]   (--check exits 1 when a committed schema is stale)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

// Accelerate `launch` options that the `trl <cmd>` CLI forwards from the same YAML file (research §5.1).
const ACCELERATE_LAUNCH_KEYS = [
  'num_processes',
  'num_machines',
  'machine_rank',
  'main_process_ip',
  'main_process_port',
  'mixed_precision',
  'config_file',
  'multi_gpu',
  'use_deepspeed',
  'use_fsdp',
  'deepspeed_config_file',
  'gpu_ids',
  'same_network',
  'rdzv_backend',
  'dynamo_backend',
];

/** Where people learn what these schemas are; named in each schema's description. */
const SCHEMA_HOME = 'https://github.com/finetune-workbench/finetune-workbench';

const notV1 = (r) => !r.scope.startsWith('v1:');
const anyRow = () => true;

/**
 * One entry per bundled schema. `tables` are read in order; a key already declared by an earlier table keeps that
 * declaration (a tool's own table overrides what it inherits from transformers). `unknownKeys(scope, path)` says
 * what the tool does with an unknown key in an object; `convert` how it converts values (see validate.ts).
 */
const TOOLS = {
  axolotl: {
    version: '0.18.0',
    package: 'axolotl',
    title: 'Axolotl training config',
    tool: 'Axolotl',
    snapshot: 'axolotl-ai-cloud/axolotl v0.18.0+9 (067b021c)',
    tables: [{ file: 'axolotl.tsv', include: anyRow }],
    renames: ['axolotl'],
    rootScope: 'AxolotlInputConfig',
    convert: 'pydantic',
    valueChecks: 'enforced',
    required: true,
    // pydantic's default extra="ignore" and model_dump() drop unknown keys without a word.
    unknownKeys: () => 'ignored',
  },
  deepspeed: {
    version: '0.19.5',
    package: 'deepspeed',
    title: 'DeepSpeed config',
    tool: 'DeepSpeed',
    snapshot: 'deepspeedai/DeepSpeed v0.19.5+27 (edaa7221)',
    tables: [{ file: 'deepspeed.tsv', include: anyRow }],
    renames: ['deepspeed'],
    rootScope: 'dict-access',
    convert: 'sections',
    valueChecks: 'enforced',
    // The top level is read with dict lookups (unknown keys ignored); pydantic sections use extra="forbid".
    unknownKeys: (scope) => (scope.startsWith('dict-access') ? 'ignored' : 'rejected'),
    rejectedNote: 'DeepSpeed refuses to start with it ("Extra inputs are not permitted")',
  },
  llamafactory: {
    version: '0.9.5',
    package: 'llamafactory',
    title: 'LLaMA-Factory config',
    tool: 'LLaMA-Factory',
    snapshot: 'hiyouga/LLaMA-Factory v0.9.5+54 (ff6d4d12) with transformers 5.18 TrainingArguments',
    // v0 arguments of every subcommand (train, export, chat, eval): the same file may be any of them. v1 configs
    // (USE_V1=1) have a schema of their own, below.
    tables: [
      { file: 'llamafactory.tsv', include: notV1 },
      { file: 'transformers-training-args.tsv', include: anyRow },
    ],
    descriptions: ['llamafactory', 'transformers-training-args'],
    renames: ['llamafactory', 'transformers'],
    rootScope: 'ModelArguments',
    convert: 'argparse',
    // parse_dict builds the dataclasses without checking choices or types.
    valueChecks: 'advisory',
    // HfArgumentParser.parse_dict raises "Some keys are not used by the HfArgumentParser" (ALLOW_EXTRA_ARGS=1 allows them).
    unknownKeys: (scope, path) => (path === '' ? 'rejected' : 'ignored'),
    rejectedNote: 'LLaMA-Factory refuses to start with it ("Some keys are not used by the HfArgumentParser"; ALLOW_EXTRA_ARGS=1 lets it through)',
    // The transformers releases this LLaMA-Factory accepts: pyproject.toml `transformers>=4.55.0,<=5.8.0,!=4.57.0,
    // !=5.6.0`, enforced at startup by extras/misc.py check_dependencies (check_version, same bounds) at ff6d4d12.
    allows: { transformers: { min: '4.55.0', max: '5.8.0', source: 'its pyproject.toml, checked at startup by extras/misc.py' } },
  },
  // LLaMA-Factory v1 (src/llamafactory/v1, since v0.9.4; run with USE_V1=1): v1/config/arg_parser.py get_args reads
  // the file with HfArgumentParser([ModelArguments, DataArguments, TrainingArguments, SampleArguments]), its own
  // dataclasses (v1/config/*_args.py; TrainingArguments is not transformers'), and parse_dict refuses other keys
  // unless ALLOW_EXTRA_KEYS=1. A config is v1 when it sets `model` and no `model_name_or_path` (detect.ts).
  'llamafactory-v1': {
    version: '0.9.5',
    package: 'llamafactory',
    title: 'LLaMA-Factory v1 config',
    tool: 'LLaMA-Factory v1',
    snapshot: 'hiyouga/LLaMA-Factory v0.9.5+54 (ff6d4d12), src/llamafactory/v1/config',
    tables: [{ file: 'llamafactory.tsv', include: (r) => r.scope.startsWith('v1:') }],
    descriptions: ['llamafactory-v1', 'llamafactory'],
    renames: [],
    rootScope: 'v1:ModelArguments',
    convert: 'argparse',
    valueChecks: 'advisory',
    unknownKeys: (scope, path) => (path === '' ? 'rejected' : 'ignored'),
    rejectedNote: 'LLaMA-Factory v1 refuses to start with it ("Some keys are not used by the HfArgumentParser"; ALLOW_EXTRA_KEYS=1 lets it through)',
  },
  trl: {
    version: '1.9.0',
    package: 'trl',
    title: 'TRL CLI config',
    tool: 'TRL',
    snapshot: 'huggingface/trl v1.9.0+26 (f2cd5771) with transformers 5.18 TrainingArguments',
    tables: [
      { file: 'trl.tsv', include: anyRow },
      { file: 'transformers-training-args.tsv', include: anyRow },
    ],
    extraKeys: ACCELERATE_LAUNCH_KEYS.map((k) => ({ key: k, description: `An \`accelerate launch\` option: the \`trl\` CLI passes it to Accelerate.` })),
    descriptions: ['trl', 'transformers-training-args'],
    renames: ['trl', 'transformers'],
    rootScope: 'SFTConfig',
    convert: 'argparse',
    // Config values become argparse defaults: strings are converted, `choices` are not checked.
    valueChecks: 'advisory',
    unknownKeys: (scope, path) => (path === '' ? 'unverified' : 'ignored'),
    versionDrift: true,
    unverifiedNote:
      'no TRL trainer declares it: the `trl` CLI passes it to `accelerate launch`, which stops on an unknown option (a script of your own may read it)',
  },
  'hf-args': {
    version: '5.18.0',
    package: 'transformers',
    title: 'Hugging Face TrainingArguments YAML',
    tool: 'transformers',
    snapshot: 'transformers 5.18.0 TrainingArguments',
    tables: [{ file: 'transformers-training-args.tsv', include: anyRow }],
    descriptions: ['transformers-training-args'],
    renames: ['transformers'],
    rootScope: 'TrainingArguments',
    convert: 'argparse',
    valueChecks: 'advisory',
    unknownKeys: () => 'unverified',
    unverifiedNote: 'TrainingArguments does not declare it: HfArgumentParser stops on it unless your script adds a dataclass that does',
  },
  accelerate: {
    version: '1.15.0',
    package: 'accelerate',
    title: 'Accelerate config',
    tool: 'Accelerate',
    snapshot: 'huggingface/accelerate 1.15.0.dev0 (16cb6eb8)',
    tables: [{ file: 'accelerate.tsv', include: anyRow }],
    renames: ['accelerate'],
    rootScope: 'ClusterConfig',
    convert: 'argparse',
    // Plain dataclasses (ClusterConfig(**yaml)): only the enum-typed fields are converted, nothing is checked.
    valueChecks: 'advisory',
    nullable: true,
    // Top level: ClusterConfig.from_yaml_file raises on unknown keys; nested *_config dicts are copied onto
    // `accelerate launch` arguments without a check.
    unknownKeys: (scope, path) => (path === '' ? 'rejected' : 'ignored'),
    rejectedNote: 'Accelerate refuses to load the file (unknown keys in a config file are an error)',
    // `accelerate launch` copies each key of these sections onto its arguments, adding the prefix when the key does
    // not start with it (commands/launch.py, _validate_launch_command: `if name == "fsdp_config" and not
    // key.startswith("fsdp"): key = "fsdp_" + key`, the same for fp8_config and dynamo_config): both spellings work.
    impliedPrefixes: { fsdp_config: ['fsdp', 'fsdp_'], fp8_config: ['fp8', 'fp8_'], dynamo_config: ['dynamo_', 'dynamo_'] },
  },
  'lightning-cli': {
    version: '2.6.0',
    package: 'lightning',
    title: 'LightningCLI config',
    tool: 'LightningCLI',
    snapshot: 'Lightning-AI/pytorch-lightning 2.6.0+169 (7f0c3436)',
    tables: [{ file: 'lightning-trainer.tsv', include: anyRow }],
    descriptions: ['lightning-trainer'],
    renames: ['lightning'],
    rootScope: 'LightningCLI',
    convert: 'argparse',
    // jsonargparse checks every value against the type annotations.
    valueChecks: 'enforced',
    // jsonargparse: "Group 'trainer' does not accept option 'x'".
    unknownKeys: () => 'rejected',
    rejectedNote: 'LightningCLI refuses to start with it (jsonargparse: "does not accept option")',
    freeForm: [
      'model',
      'data',
      'optimizer',
      'lr_scheduler',
      'fit',
      'validate',
      'test',
      'predict',
      'trainer.callbacks',
      'trainer.logger',
      'trainer.plugins',
      'trainer.profiler',
      'trainer.strategy',
      'trainer.accelerator',
    ],
  },
  torchtune: {
    version: '0.6.1',
    package: 'torchtune',
    title: 'torchtune recipe config',
    tool: 'torchtune',
    snapshot: 'pytorch/torchtune v0.6.0-rc1+220 (bd2a0fc7)',
    // Top-level recipe keys only; `_component_` arguments are checked against the component tables by a rule.
    tables: [{ file: 'torchtune.tsv', include: (r) => r.scope.startsWith('top-level') }],
    renames: ['torchtune'],
    rootScope: 'top-level',
    convert: 'omegaconf',
    valueChecks: 'advisory',
    // Recipes read the keys they know with cfg.get / attribute access: others are never read.
    unknownKeys: () => 'ignored',
  },
};

function readTsv(file) {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const header = lines.shift().split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

function readDescriptions(tool) {
  const file = join(src, 'descriptions', `${tool}.tsv`);
  if (!existsSync(file)) return new Map();
  return new Map(readTsv(file).map((r) => [r.key, r.description]));
}

/** Splits `a.b[].c` into segments: 'a', 'b', '[]', 'c'. `name.*` gives '*'. */
function splitKey(key) {
  const out = [];
  for (const part of key.split('.')) {
    const m = /^(.*?)((\[\])*)$/.exec(part);
    if (m[1]) out.push(m[1]);
    for (let i = 0; i < m[2].length / 2; i++) out.push('[]');
  }
  return out;
}

function parseDefault(text) {
  if (text === '' || text.startsWith('py:') || text.startsWith('recipe-dependent')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseEnum(text, parsedType) {
  if (!text) return undefined;
  if (parsedType?.types && !parsedType.types.includes('string')) {
    // e.g. DeepSpeed zero stage `0,1,2,3` on an integer field: the values are numbers.
    try {
      return JSON.parse(`[${text}]`);
    } catch {
      /* fall through */
    }
  }
  if (/^[\[{"0-9tfn-]/.test(text) && text.includes('"')) {
    try {
      return JSON.parse(`[${text}]`);
    } catch {
      /* plain list */
    }
  }
  return text.split(',').map((s) => s.trim());
}

/** Parses `integer|array<string>|null` into a list of JSON types and item types. */
function parseType(text) {
  const types = new Set();
  let items;
  let any = false;
  for (const t of text.split('|')) {
    const arr = /^array<(.+)>$/.exec(t);
    if (arr) {
      types.add('array');
      items = parseType(arr[1]);
    } else if (t === 'any' || t === '') any = true;
    else types.add(t);
  }
  return { types: any ? null : [...types], items };
}

let NULLABLE = false;

function typeSchema(parsed) {
  const s = {};
  if (NULLABLE && parsed.types && !parsed.types.includes('null')) parsed = { ...parsed, types: [...parsed.types, 'null'] };
  if (parsed.types) s.type = parsed.types.length === 1 ? parsed.types[0] : parsed.types;
  if (parsed.items && parsed.items.types) s.items = typeSchema(parsed.items);
  return s;
}

/** A tree node per key path; rows from several scopes (e.g. SFT and DPO dataset items) merge into one node. */
function newNode() {
  return { rows: [], props: new Map(), items: null, additional: null };
}

function insert(tree, segments, row) {
  let node = tree;
  for (const seg of segments) {
    if (seg === '[]') node = node.items ??= newNode();
    else if (seg === '*') node = node.additional ??= newNode();
    else {
      if (!node.props.has(seg)) node.props.set(seg, newNode());
      node = node.props.get(seg);
    }
  }
  node.rows.push(row);
  return node;
}

function mergeTypes(rows) {
  // The union of the declared types across scopes: a key valid in one dataset model is valid in the list.
  const all = rows.map((r) => parseType(r.type));
  if (all.some((p) => !p.types)) return { types: null };
  const types = new Set(all.flatMap((p) => p.types));
  const items = all.find((p) => p.items)?.items;
  return { types: [...types], items };
}

function buildProperty(node, ctx, path) {
  const rows = node.rows;
  const row = rows[0] ?? { type: node.props.size ? 'object|null' : '', enum: '', default: '', status: 'current', since: '' };
  const parsed = rows.length ? mergeTypes(rows) : parseType(row.type);
  let schema = typeSchema(parsed);
  // A key declared in several scopes (SFT, DPO, synthetic dataset items) is only closed when every scope closes it.
  const enums = rows.map((r) => parseEnum(r.enum, parseType(r.type)));
  const enumValues = enums.length && enums.every(Boolean) ? [...new Set(enums.flat())] : undefined;
  const nullable = parsed.types?.includes('null');

  if (enumValues) {
    const strings = enumValues.filter((v) => typeof v === 'string');
    const allStrings = strings.length === enumValues.length;
    const otherTypes = (parsed.types ?? []).filter((t) => t !== 'string' && t !== 'null');
    if (!allStrings || otherTypes.length === 0) {
      schema.enum = [...enumValues, ...(nullable ? [null] : [])];
    } else {
      // e.g. gradient_checkpointing: bool | "offload" | "offload_disk": the enum constrains strings only.
      const others = [...otherTypes, ...(nullable ? ['null'] : [])];
      const rest = { ...schema };
      delete rest.type;
      schema = { ...rest, anyOf: [{ type: others.length === 1 ? others[0] : others }, { type: 'string', enum: strings }] };
    }
  }

  const description = ctx.descriptions.get(path) ?? row.description;
  if (description) schema.description = description;
  const def = parseDefault(row.default);
  if (def !== undefined) schema.default = def;
  if (row.since) schema['x-ftw-since'] = row.since;
  if (row.status === 'deprecated') {
    schema.deprecated = true;
    if (row.replacement) schema['x-ftw-replacement'] = row.replacement;
    const since = ctx.renames.get(path)?.deprecated;
    if (since) schema['x-ftw-deprecatedSince'] = since;
  }
  const suggestions = /DeepSpeed (?:optimizers|schedulers): ([^;]+);/.exec(row.scope ?? '');
  if (suggestions) schema.examples = suggestions[1].split(',').map((s) => s.trim());
  const plugin = /^plugin:([^/]+)/.exec(row.scope ?? '');
  if (plugin && !path.includes('.')) schema['x-ftw-plugin'] = plugin[1];

  if (node.props.size) {
    const type = schema.type;
    Object.assign(schema, buildObject(node, ctx, path));
    if (Array.isArray(type) && type.includes('null')) schema.type = type;
  }
  if (node.items) {
    const itemSchema = node.items.props.size ? buildObject(node.items, ctx, `${path}[]`) : buildProperty(node.items, ctx, `${path}[]`);
    schema.items = { ...(schema.items ?? {}), ...itemSchema };
    if (node.items.props.size) schema.items.type = schema.items.type ?? 'object';
  }
  if (node.additional) schema.additionalProperties = buildProperty(node.additional, ctx, `${path}.*`);

  const extra = ctx.constraints[path];
  if (extra) applyConstraint(schema, extra);
  return schema;
}

function enumFromTable(ref) {
  const [file, key] = ref.split('#');
  const row = readTsv(join(src, file)).find((r) => r.key === key);
  if (!row?.enum) throw new Error(`constraints.json: no enum for ${ref}`);
  return row.enum.split(',');
}

function applyConstraint(schema, extra) {
  const { auto, enumFrom, examplesFrom, examples, $comment, $legacyKeys, ...rest } = extra;
  if ($legacyKeys) {
    // Keys an older release accepted: reported as version drift (a warning), not as typos.
    schema['x-ftw-renamed'] = { ...schema['x-ftw-renamed'] };
    for (const k of $legacyKeys) schema['x-ftw-renamed'][k] = { rejected: true, versionDependent: true, evidence: $comment };
  }
  if (enumFrom) {
    const target = schema.anyOf ? schema.anyOf.find((b) => b.enum) : schema;
    const values = [...(target.enum ?? []).filter((v) => v !== null), ...enumFrom.flatMap(enumFromTable)];
    target.enum = [...new Set(values), ...((target.enum ?? []).includes(null) ? [null] : [])];
  }
  if (examplesFrom || examples) schema.examples = [...new Set([...(examplesFrom ?? []).flatMap(enumFromTable), ...(examples ?? [])])];
  if (auto) {
    // HF Trainer / Accelerate replace "auto" with the TrainingArguments value before the tool sees it.
    const inner = { ...schema };
    for (const k of ['description', 'default', 'x-ftw-since', 'deprecated', 'x-ftw-replacement']) delete inner[k];
    for (const k of Object.keys(inner)) delete schema[k];
    Object.assign(inner, rest);
    schema.anyOf = [inner, { const: 'auto' }];
    return;
  }
  if (schema.anyOf) {
    for (const branch of schema.anyOf) if (branch.type !== 'null') Object.assign(branch, rest);
  } else Object.assign(schema, rest);
}

function buildObject(node, ctx, path) {
  const properties = {};
  const required = [];
  const renamed = {};
  for (const [name, child] of node.props) {
    const childPath = path ? `${path}.${name}` : name;
    if (name.startsWith('$')) continue;
    const statusRows = child.rows.filter((r) => r.status === 'removed' || r.status === 'renamed');
    if (child.rows.length && statusRows.length === child.rows.length && !child.props.size) {
      const r = statusRows[0];
      const fromTable = /\(renamed-keys\.tsv\)\s*$/.test(r.source);
      renamed[name] = {
        replacement: r.replacement || undefined,
        // A key that the snapshot still declares but a validator refuses stops the tool; a key that is no
        // longer declared at all is dropped like any unknown key.
        rejected: !fromTable,
        ...ctx.renames.get(childPath),
      };
      continue;
    }
    properties[name] = buildProperty(child, ctx, childPath);
    // Only pydantic's required fields stop a tool; elsewhere "required" means some code path reads the key.
    const requiredEverywhere = ctx.def.required && child.rows.length && child.rows.every((r) => r.required === 'yes' && !r.scope.startsWith('plugin:'));
    if (requiredEverywhere) required.push(name);
    for (const r of child.rows) {
      const alias = /python field name (\w+) also accepted/.exec(r.scope);
      if (alias && !node.props.has(alias[1])) {
        properties[alias[1]] = { ...properties[name], 'x-ftw-aliasOf': name };
      }
    }
  }
  const implied = ctx.def.impliedPrefixes?.[path];
  if (implied) addImpliedPrefixAliases(properties, renamed, implied);
  for (const [old, info] of ctx.renames) {
    const segs = splitKey(old);
    const parent = segs
      .slice(0, -1)
      .join('.')
      .replace(/\.\[\]/g, '[]');
    const name = segs[segs.length - 1];
    if (parent === path && !properties[name] && !renamed[name]) renamed[name] = { rejected: false, ...info };
  }
  const childScope =
    path === ''
      ? ctx.def.rootScope
      : ([...node.props.values()].flatMap((c) => c.rows).find((r) => r.scope)?.scope ?? node.rows.find((r) => r.scope)?.scope ?? '');
  const out = { type: 'object', properties, additionalProperties: false, 'x-ftw-unknownKeys': ctx.def.unknownKeys(childScope, path) };
  if (required.length) out.required = required;
  if (Object.keys(renamed).length) out['x-ftw-renamed'] = sortObject(renamed);
  const prefix = ctx.prefixes.get(path);
  if (prefix) out['x-ftw-deprecatedPrefix'] = prefix;
  return out;
}

/**
 * A section whose keys the tool reads with a prefix it adds when missing: `test` is what it checks the key starts
 * with, `prefix` what it adds. Each key gets its other spelling as an alias (`backend` ↔ `fp8_backend`,
 * `fsdp_offload_params` ↔ `offload_params`), unless that spelling is a key of its own.
 */
function addImpliedPrefixAliases(properties, renamed, [test, prefix]) {
  for (const name of Object.keys(properties)) {
    if (properties[name]['x-ftw-aliasOf']) continue;
    // The long spelling's short form must not start with `test` itself, or the tool would not add the prefix to it.
    const short = name.startsWith(prefix) ? name.slice(prefix.length) : null;
    const other = name.startsWith(test) ? (short && !short.startsWith(test) ? short : null) : `${prefix}${name}`;
    if (!other || properties[other] || renamed[other]) continue;
    properties[other] = { ...properties[name], 'x-ftw-aliasOf': name };
  }
}

function sortObject(obj) {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}

/** Rows like `fsdp_config.fsdp_<name>`: a prefix inside a section that the tool strips (deprecated). */
function loadPrefixes(tool) {
  const map = new Map();
  for (const r of readTsv(join(src, 'renamed-keys.tsv'))) {
    const m = r.tool === tool && /^(.+)\.(\w+)<name>$/.exec(r.old_key);
    if (m) map.set(m[1], { prefix: m[2], deprecated: r.version_deprecated || undefined });
  }
  return map;
}

function loadRenames(tool) {
  const map = new Map();
  for (const r of readTsv(join(src, 'renamed-keys.tsv'))) {
    if (r.tool !== tool || /\(value\)|<|:|\(|\s/.test(r.old_key)) continue;
    const info = { evidence: r.evidence };
    if (r.new_key_or_empty) info.replacement = r.new_key_or_empty;
    if (r.version_deprecated) info.deprecated = r.version_deprecated;
    if (r.version_removed) info.removed = r.version_removed;
    map.set(r.old_key, info);
  }
  return map;
}

/**
 * torchtune builds objects from `_component_` paths with the other keys as keyword arguments: an argument the
 * callable does not take is a TypeError at startup. One entry per component: its arguments, and whether it
 * accepts **kwargs. The first positional argument that the recipe fills in (`params`, `tokenizer`) is marked.
 */
function torchtuneComponents(descriptions) {
  const out = {};
  for (const r of readTsv(join(src, 'torchtune.tsv'))) {
    if (r.scope.startsWith('top-level') || !r.key.includes('.')) continue;
    const component = r.scope.replace(/\s*\(.*$/, '').trim();
    // `<where in the config>.<argument>`: the component may sit deeper (training.loss), the argument is last.
    const arg = r.key.slice(r.key.lastIndexOf('.') + 1);
    const entry = (out[component] ??= { args: {}, kwargs: false });
    if (arg === '*') {
      entry.kwargs = true;
      continue;
    }
    if (arg === '_component_') continue;
    const info = { type: r.type || 'any' };
    const def = parseDefault(r.default);
    if (def !== undefined) info.default = def;
    if (r.required === 'yes') info.required = true;
    if (/passed by the recipe/.test(r.scope)) info.byRecipe = true;
    const d = descriptions.get(r.key);
    if (d) info.description = d;
    entry.args[arg] = info;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The top-level keys each torchtune recipe reads, per release (schemas/src/torchtune-recipe-keys.json, extracted from
 * the recipe code by torchtuneRecipeKeys.mjs): recipe -> sorted keys, or null when the extraction could not be sure.
 */
function torchtuneRecipeKeys() {
  const data = JSON.parse(readFileSync(join(src, 'torchtune-recipe-keys.json'), 'utf8'));
  const out = {};
  for (const [version, { commit, recipes }] of Object.entries(data.versions)) {
    out[version] = { commit, recipes: Object.fromEntries(Object.entries(recipes).map(([name, r]) => [name, r.complete ? r.keys : null])) };
  }
  return out;
}

function generate(tool) {
  const def = TOOLS[tool];
  NULLABLE = Boolean(def.nullable);
  const tree = newNode();
  const seen = new Set();
  for (const table of def.tables) {
    const added = new Set();
    for (const row of readTsv(join(src, table.file))) {
      if (!table.include(row) || seen.has(row.key)) continue;
      insert(tree, splitKey(row.key), row);
      added.add(row.key);
    }
    for (const k of added) seen.add(k);
  }
  for (const extra of def.extraKeys ?? []) {
    if (!seen.has(extra.key))
      insert(tree, [extra.key], {
        key: extra.key,
        type: 'any',
        enum: '',
        default: '',
        required: 'no',
        since: '',
        status: 'current',
        replacement: '',
        source: '',
        scope: def.rootScope,
        description: extra.description,
      });
  }
  const constraints = JSON.parse(readFileSync(join(src, 'constraints.json'), 'utf8'))[tool] ?? {};
  const descriptions = new Map();
  for (const name of [...(def.descriptions ?? [tool])].reverse()) for (const [k, v] of readDescriptions(name)) descriptions.set(k, v);
  for (const extra of def.extraKeys ?? []) if (!descriptions.has(extra.key)) descriptions.set(extra.key, extra.description);
  const renames = new Map();
  for (const name of [...def.renames].reverse()) {
    for (const [k, v] of loadRenames(name)) {
      // An inherited transformers key depends on the transformers version the project installs, not on the tool's.
      const inherited = name === 'transformers' && def.renames[0] !== 'transformers';
      // For tools that stop on unknown keys through another program (TRL's CLI), the tool's own version decides too.
      const drift = inherited ? 'transformers' : def.versionDrift ? def.tool : undefined;
      const pkg = name === 'transformers' ? 'transformers' : def.package;
      renames.set(k.replace(/^\w+Config\./, ''), { ...v, package: pkg, ...(drift ? { versionDependent: true, via: drift } : {}) });
    }
  }
  const ctx = { def, descriptions, renames, prefixes: new Map(def.renames.flatMap((n) => [...loadPrefixes(n)])), constraints };
  const body = buildObject(tree, ctx, '');
  for (const [field, alias] of Object.entries(constraints.$aliases ?? {})) {
    if (field.startsWith('$') || !body.properties[alias]) continue;
    body.properties[field] = { ...body.properties[alias], 'x-ftw-aliasOf': alias };
  }
  for (const path of def.freeForm ?? []) {
    const segs = path.split('.');
    let node = body;
    for (const seg of segs.slice(0, -1)) node = node?.properties?.[seg];
    const target = node?.properties?.[segs[segs.length - 1]];
    if (target) {
      // class_path / init_args objects and user classes: typed by the user's code, not by the tool.
      delete target.additionalProperties;
      delete target['x-ftw-unknownKeys'];
      if (target.properties && !Object.keys(target.properties).length) delete target.properties;
    }
  }
  const notes = {};
  if (tool === 'torchtune') notes['x-ftw-components'] = torchtuneComponents(descriptions);
  if (tool === 'torchtune') notes['x-ftw-recipeKeys'] = torchtuneRecipeKeys();
  if (def.unverifiedNote) notes['x-ftw-unknownNote'] = def.unverifiedNote;
  if (def.rejectedNote) notes['x-ftw-rejectedNote'] = def.rejectedNote;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://finetune-workbench.dev/schemas/${tool}.schema.json`,
    title: def.title,
    description: `${def.title} of ${def.tool} ${def.version} (pip package ${def.package}): keys, types, defaults, allowed values and renamed keys, from Fine-Tune Workbench (${SCHEMA_HOME}). Generated by schemas/tools/generate.mjs from the ${def.snapshot} field table. Do not edit by hand.`,
    'x-ftw-tool': def.tool,
    'x-ftw-snapshot': def.snapshot,
    'x-ftw-version': def.version,
    'x-ftw-package': def.package,
    'x-ftw-convert': def.convert,
    'x-ftw-valueChecks': def.valueChecks,
    ...(def.allows ? { 'x-ftw-allows': def.allows } : {}),
    ...notes,
    ...body,
  };
}

/**
 * Hydra/OmegaConf configs build objects with `hydra.utils.instantiate`: `_target_` names a callable, the other keys are
 * its keyword arguments. This is not a schema of a file (a Hydra config has no fixed keys) but the table of the
 * callables we know, read by server/src/core/config/hydra/: their arguments (type, default, allowed values, hover
 * text), whether they take **kwargs, and their removed keys with versions. Sources: the reference tables (transformers
 * TrainingArguments, TRL, PEFT, Lightning Trainer), torchtune.tsv (torch.optim.AdamW) and our own callables.tsv.
 */
function hydraCallables() {
  const callables = {};
  const aliases = {};
  const arg = (r, descriptions, descKey) => {
    const info = { type: r.type || 'any' };
    const def = parseDefault(r.default);
    if (def !== undefined) info.default = def;
    const parsed = parseType(info.type);
    const values = parseEnum(r.enum, parsed);
    if (values) info.enum = values;
    if (r.since && !/^<=/.test(r.since)) info.since = r.since.replace(/^v/, '');
    if (r.status === 'deprecated') info.deprecated = r.replacement || true;
    const d = descriptions.get(descKey ?? r.key);
    if (d) info.description = d;
    return info;
  };
  const renamesOf = (tool, scope) => {
    const out = {};
    for (const r of readTsv(join(src, 'renamed-keys.tsv'))) {
      if (r.tool !== tool || /\(value\)|<|\(|\s/.test(r.old_key)) continue;
      const [owner, key] = r.old_key.includes('.') ? r.old_key.split('.') : [undefined, r.old_key];
      if (owner && owner !== scope) continue;
      if (key.includes(':')) continue;
      out[key] = {
        ...(r.new_key_or_empty ? { replacement: r.new_key_or_empty } : {}),
        ...(r.version_deprecated ? { deprecated: r.version_deprecated.replace(/^v/, '') } : {}),
        ...(r.version_removed ? { removed: r.version_removed.replace(/^v/, '') } : {}),
        evidence: r.evidence,
      };
    }
    return out;
  };
  const add = (name, entry, names = []) => {
    callables[name] = entry;
    for (const a of names) aliases[a] = name;
  };

  // transformers TrainingArguments and Seq2SeqTrainingArguments (dataclasses: an unknown keyword is a TypeError).
  const tfDesc = readDescriptions('transformers-training-args');
  const tfRows = readTsv(join(src, 'transformers-training-args.tsv'));
  const tfRenames = renamesOf('transformers');
  const trainingArgs = (scopes) => {
    const args = {};
    const removed = {};
    for (const r of tfRows) {
      if (!scopes.includes(r.scope)) continue;
      if (r.status === 'removed' || r.status === 'renamed')
        removed[r.key] = { ...(r.replacement ? { replacement: r.replacement } : {}), ...(tfRenames[r.key] ?? {}) };
      else args[r.key] = arg(r, tfDesc);
    }
    return { args, removed };
  };
  const ta = trainingArgs(['TrainingArguments']);
  add('transformers.TrainingArguments', { tool: 'transformers', package: 'transformers', kwargs: 'rejected', dataclass: true, ...ta }, [
    'transformers.training_args.TrainingArguments',
  ]);
  // Subclasses list their own arguments; `inherits` names the class whose arguments they add to (callables.ts merges).
  const s2s = trainingArgs(['Seq2SeqTrainingArguments']);
  add(
    'transformers.Seq2SeqTrainingArguments',
    { tool: 'transformers', package: 'transformers', kwargs: 'rejected', dataclass: true, inherits: 'transformers.TrainingArguments', ...s2s },
    ['transformers.training_args_seq2seq.Seq2SeqTrainingArguments'],
  );

  // TRL's configs extend TrainingArguments; ModelConfig and ScriptArguments stand alone.
  const trlDesc = readDescriptions('trl');
  const trlRows = readTsv(join(src, 'trl.tsv'));
  const trlConstraints = JSON.parse(readFileSync(join(src, 'constraints.json'), 'utf8')).trl ?? {};
  for (const scope of ['SFTConfig', 'DPOConfig', 'GRPOConfig', 'KTOConfig', 'RewardConfig', 'RLOOConfig', 'ModelConfig', 'ScriptArguments']) {
    const inherits = scope.endsWith('Config') && scope !== 'ModelConfig';
    const args = {};
    const removed = renamesOf('trl', scope);
    for (const r of trlRows) {
      if (r.scope !== scope) continue;
      if (r.status === 'removed' || r.status === 'renamed')
        removed[r.key] = { ...(removed[r.key] ?? {}), ...(r.replacement ? { replacement: r.replacement } : {}) };
      else args[r.key] = arg(r, trlDesc.has(r.key) ? trlDesc : tfDesc);
      // Values only some TRL releases take (constraints.json, as in trl.schema.json).
      const history = trlConstraints[r.key]?.['x-ftw-valueHistory'];
      if (args[r.key] && history) args[r.key].valueHistory = history;
    }
    add(`trl.${scope}`, {
      tool: 'TRL',
      package: 'trl',
      kwargs: 'rejected',
      dataclass: true,
      ...(inherits ? { inherits: 'transformers.TrainingArguments' } : {}),
      args,
      removed,
    });
  }

  // PEFT config dataclasses.
  const peftByScope = new Map();
  for (const r of readTsv(join(src, 'peft.tsv'))) {
    if (r.scope.includes('/')) continue;
    const entry = peftByScope.get(r.scope) ?? { tool: 'PEFT', package: 'peft', kwargs: 'rejected', dataclass: true, args: {}, removed: {} };
    if (r.status === 'removed' || r.status === 'renamed') entry.removed[r.key] = r.replacement ? { replacement: r.replacement } : {};
    else entry.args[r.key] = arg(r, new Map());
    peftByScope.set(r.scope, entry);
  }
  for (const [scope, entry] of [...peftByScope].sort(([a], [b]) => a.localeCompare(b))) add(`peft.${scope}`, entry);

  // Lightning's Trainer: removed and renamed arguments come from the migration table at run time (by the pin).
  const plDesc = readDescriptions('lightning-trainer');
  const trainer = { tool: 'Lightning', package: 'lightning', kwargs: 'rejected', trainer: true, args: {}, removed: {} };
  for (const r of readTsv(join(src, 'lightning-trainer.tsv'))) {
    if (!r.key.startsWith('trainer.')) continue;
    const key = r.key.slice('trainer.'.length);
    if (r.status === 'removed' || r.status === 'renamed') trainer.removed[key] = r.replacement ? { replacement: r.replacement.replace(/trainer\./g, '') } : {};
    else trainer.args[key] = arg(r, plDesc, r.key);
  }
  add('lightning.pytorch.Trainer', trainer, [
    'lightning.Trainer',
    'lightning.pytorch.trainer.Trainer',
    'lightning.pytorch.trainer.trainer.Trainer',
    'pytorch_lightning.Trainer',
    'pytorch_lightning.trainer.Trainer',
    'pytorch_lightning.trainer.trainer.Trainer',
  ]);

  // torch.optim.AdamW from the torch wheel rows of torchtune.tsv; the rest from callables.tsv.
  const adamw = { tool: 'PyTorch', package: 'torch', kwargs: 'rejected', args: {}, removed: {} };
  for (const r of readTsv(join(src, 'torchtune.tsv'))) {
    if (!r.scope.startsWith('torch.optim.AdamW') || !r.key.startsWith('optimizer.') || r.key.endsWith('._component_')) continue;
    const key = r.key.slice('optimizer.'.length);
    adamw.args[key] = { ...arg({ ...r, key }, new Map()), ...(/passed by the recipe/.test(r.scope) ? { byCaller: true } : {}) };
  }
  add('torch.optim.AdamW', adamw, ['torch.optim.adamw.AdamW']);
  for (const r of readTsv(join(src, 'callables.tsv'))) {
    const tool = r.callable.startsWith('torch.') ? 'PyTorch' : 'transformers';
    const entry = callables[r.callable] ?? { tool, package: tool === 'PyTorch' ? 'torch' : 'transformers', kwargs: 'rejected', args: {}, removed: {} };
    if (!callables[r.callable]) {
      const module = r.callable.replace(/\.\w+$/, '');
      const cls = r.callable.slice(module.length + 1);
      const names =
        module === 'torch.optim'
          ? [`torch.optim.${cls.toLowerCase()}.${cls}`]
          : module === 'transformers'
            ? [`transformers.utils.quantization_config.${cls}`]
            : [];
      add(r.callable, entry, names);
    }
    if (r.arg === '*') {
      entry.kwargs = 'ignored';
      continue;
    }
    entry.args[r.arg] = {
      ...arg(
        {
          key: r.arg,
          type: r.type,
          default: r.default,
          enum: '',
          since: '',
          status: r.note.startsWith('deprecated') ? 'deprecated' : 'current',
          replacement: '',
        },
        new Map(),
      ),
      ...(r.note === 'passed by the caller' ? { byCaller: true } : {}),
    };
  }
  // Lightning's callbacks, loggers and profilers (lightning-callables.tsv), under both package names.
  for (const r of readTsv(join(src, 'lightning-callables.tsv'))) {
    const name = r.callable;
    if (!callables[name]) {
      const module = r.source
        .replace(/^src\//, '')
        .replace(/\.py:\d+$/, '')
        .replace(/\//g, '.');
      const cls = name.slice(name.lastIndexOf('.') + 1);
      const names = new Set();
      for (const m of [module, module.replace(/\.\w+$/, '')]) {
        names.add(`${m}.${cls}`);
        names.add(`${m.replace(/^lightning\.pytorch/, 'pytorch_lightning')}.${cls}`);
      }
      names.add(name.replace(/^lightning\.pytorch/, 'pytorch_lightning'));
      names.delete(name);
      add(name, { tool: 'Lightning', package: 'lightning', kwargs: 'rejected', args: {}, removed: {} }, [...names]);
    }
    if (r.arg === '*') callables[name].kwargs = 'accepted';
    else
      callables[name].args[r.arg] = arg({ key: r.arg, type: r.type, default: r.default, enum: '', since: '', status: 'current', replacement: '' }, new Map());
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://finetune-workbench.dev/schemas/hydra.schema.json',
    title: 'Hydra / OmegaConf config',
    description: `Hydra / OmegaConf config, from Fine-Tune Workbench (${SCHEMA_HOME}): any mapping; Fine-Tune Workbench's own checks read x-ftw-callables, the keyword arguments of the callables a \`_target_\` may name (other YAML tools see no constraint). Generated by schemas/tools/generate.mjs. Do not edit by hand.`,
    'x-ftw-tool': 'Hydra',
    type: 'object',
    'x-ftw-callables': callables,
    'x-ftw-aliases': aliases,
  };
}

const check = process.argv.includes('--check');
let stale = false;
for (const tool of [...Object.keys(TOOLS), 'hydra']) {
  const file = join(root, `${tool}.schema.json`);
  const text = `${JSON.stringify(tool === 'hydra' ? hydraCallables() : generate(tool), null, 2)}\n`;
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      console.error(`${file} is stale: run npm run schemas`);
      stale = true;
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale ? 1 : 0);
