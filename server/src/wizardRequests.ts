/**
 * The engine behind "New Training Config" and "Create Length-Bucket Ensemble" as protocol requests (issue 17): the
 * client shows the steps and writes the files; the choices, the generated text and the estimates come from here, so
 * Neovim and other editors get them through workspace/executeCommand too. Parameters are checked field by field:
 * a bad one is an InvalidParams error naming it, never a crash.
 */
import { basename, dirname, relative } from 'node:path';
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { detectFormat, parseConfig, pathOfUri } from './core/config';
import {
  APPROACH_LABELS,
  APPROACHES,
  configPathFor,
  ensemble,
  EnsembleError,
  FORMAT_LABELS,
  GEN_FORMATS,
  GEN_METHODS,
  METHOD_LABELS,
  newConfig,
  support,
  type Approach,
  type GenFormat,
} from './core/generate';
import { findGpu, GPUS, type GpuInfo } from './core/gpus';
import { MODEL_CATALOG, usableBytes, type ModelLookup, estimateRange, gib, shortGpuName, VERDICT_MARK, type Method } from './core/vram';
import { cachedModelIds } from './hfCache';
import { gpuFromSetting } from './localGpus';
import type {
  EnsembleAnswer,
  EnsembleResult,
  FinetuneSettings,
  GpuChoice,
  GpuSetting,
  ModelChoice,
  NewConfigAnswer,
  NewConfigChoices,
  NewConfigRemedy,
} from './protocol';

const MAX_BUCKETS = 64;

/** What the handlers need from the server: settings, models, the server's view of a file. */
export interface WizardHost {
  settings(uri: string | undefined): Promise<FinetuneSettings>;
  /** Settings models + the local HF cache (as the VRAM hints read them). */
  lookup(settings: FinetuneSettings): ModelLookup;
  /** The server's format for a file (overrides, modelines, links...), or 'none'. */
  formatOf(uri: string): Promise<string>;
  /** The open document's text, else the file's when it lies in the workspace. */
  textOf(uri: string): string | undefined;
}

/** An InvalidParams error: `method: field must be ...`. */
export function badParams(method: string, message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${message}`);
}

function record(method: string, params: unknown): Record<string, unknown> {
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw badParams(method, 'the parameters must be an object');
  return params as Record<string, unknown>;
}

function oneOf<T extends string>(method: string, p: Record<string, unknown>, field: string, allowed: readonly T[]): T {
  const v = p[field];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw badParams(method, `\`${field}\` must be one of ${allowed.join(', ')} (got ${JSON.stringify(v) ?? 'nothing'})`);
  return v as T;
}

function text(method: string, p: Record<string, unknown>, field: string, optional: true): string | undefined;
function text(method: string, p: Record<string, unknown>, field: string, optional?: false): string;
function text(method: string, p: Record<string, unknown>, field: string, optional = false): string | undefined {
  const v = p[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || !v.trim()) throw badParams(method, `\`${field}\` must be a non-empty string${optional ? ' when given' : ''}`);
  return v;
}

function gpuParam(method: string, p: Record<string, unknown>): GpuInfo {
  const v = p['gpu'];
  if (typeof v !== 'string' && (!v || typeof v !== 'object')) throw badParams(method, '`gpu` must be a GPU name ("RTX 3090") or {"name", "memoryMiB"}');
  const gpu = gpuFromSetting(v as GpuSetting);
  if (!gpu)
    throw badParams(
      method,
      `\`gpu\`: ${typeof v === 'string' ? `'${v}' is not a GPU the catalog knows (e.g. "RTX 3090", "A100 80GB", "L4")` : 'a GPU of your own needs a name and memoryMiB > 0'}`,
    );
  return gpu;
}

/** A GPU as the client sends it back: its catalog name when the name finds it, else its size. */
export function gpuSetting(g: GpuInfo): GpuSetting {
  const known = findGpu(g.name);
  return known && known.smiMiB === g.smiMiB && known.computeCapability === g.computeCapability
    ? g.name
    : { name: g.name, memoryMiB: g.smiMiB, computeCapability: g.computeCapability };
}

function gpuChoice(g: GpuInfo, fromSetting: boolean): GpuChoice {
  return {
    name: g.name,
    shortName: shortGpuName(g.name),
    usable: gib(usableBytes(g)),
    computeCapability: g.computeCapability,
    fromSetting,
    gpu: fromSetting ? gpuSetting(g) : g.name,
  };
}

export async function newConfigChoices(host: WizardHost, params: unknown): Promise<NewConfigChoices> {
  const p = params === undefined || params === null ? {} : record('finetune/newConfigChoices', params);
  const scope = text('finetune/newConfigChoices', p, 'uri', true);
  const settings = await host.settings(scope);
  const supportTable: NewConfigChoices['support'] = {};
  for (const a of APPROACHES) {
    supportTable[a] = {};
    for (const m of GEN_METHODS) {
      supportTable[a][m] = {};
      for (const f of GEN_FORMATS) {
        const s = support(a, f, m);
        supportTable[a][m][f] = { supported: s.supported, summary: s.summary, why: s.supported ? s.how : s.reason };
      }
    }
  }
  const models: ModelChoice[] = [];
  const known = new Set<string>();
  for (const m of host.lookup(settings).custom ?? []) {
    models.push({ id: m.id, parameters: m.dims.parameters, source: 'setting' });
    known.add(m.id.toLowerCase());
  }
  for (const id of cachedModelIds()) {
    if (known.has(id.toLowerCase())) continue;
    models.push({ id, source: 'cache' });
    known.add(id.toLowerCase());
  }
  for (const m of MODEL_CATALOG) {
    if (known.has(m.id.toLowerCase())) continue;
    models.push({
      id: m.id,
      parameters: m.dims.parameters,
      source: 'catalog',
      ...(m.aliases?.length ? { aliases: [...m.aliases] } : {}),
      ...(m.dims.architecture === 'encoder' ? { encoder: true } : {}),
    });
  }
  const configured = settings.gpus.map((g) => gpuFromSetting(g)).filter((g): g is GpuInfo => Boolean(g));
  return {
    approaches: APPROACHES.map((id) => ({ id, label: APPROACH_LABELS[id] })),
    methods: GEN_METHODS.map((id) => ({ id, label: METHOD_LABELS[id] })),
    formats: GEN_FORMATS.map((id) => ({ id, label: FORMAT_LABELS[id] })),
    support: supportTable,
    models,
    gpus: [...configured.map((g) => gpuChoice(g, true)), ...GPUS.map((g) => gpuChoice(g, false))],
  };
}

export async function generateConfig(host: WizardHost, params: unknown): Promise<NewConfigAnswer> {
  const M = 'finetune/newConfig';
  const p = record(M, params);
  const approach = oneOf<Approach>(M, p, 'approach', APPROACHES);
  const method = oneOf<Method>(M, p, 'method', GEN_METHODS);
  const format = oneOf<GenFormat>(M, p, 'format', GEN_FORMATS);
  const model = text(M, p, 'model');
  const gpu = gpuParam(M, p);
  const teacher = text(M, p, 'teacher', true);
  const saveAs = text(M, p, 'saveAs', true);
  const workspaceFolder = text(M, p, 'workspaceFolder', true);
  const settings = await host.settings(text(M, p, 'uri', true));
  // A script's YAML goes beside it with the script's name; the run is named after the YAML.
  const configPath = saveAs === undefined ? undefined : format === 'script' ? configPathFor(saveAs) : saveAs;
  const named =
    configPath === undefined
      ? {}
      : { runName: basename(configPath).replace(/\.(ya?ml|json)$/i, ''), fileRef: workspaceFolder ? relative(workspaceFolder, configPath) : configPath };
  const result = newConfig({ approach, method, model, gpu, format, lookup: host.lookup(settings), ...(teacher ? { teacher } : {}), ...named });
  if (!result.ok) {
    const remedies: NewConfigRemedy[] = [];
    for (const a of result.plan?.answers ?? []) {
      if (a.kind === 'config' && a.steps.some((s) => s.kind === 'qlora')) remedies.push({ kind: 'method', method: 'qlora' });
      else if (a.kind === 'smaller-model' && typeof a.setup.model === 'string') remedies.push({ kind: 'model', model: a.setup.model });
      else if (a.kind === 'rented' && a.setup.gpus === 1)
        remedies.push({ kind: 'gpu', name: a.gpu.name, shortName: shortGpuName(a.gpu.name), gpu: gpuSetting(a.gpu) });
    }
    return { ok: false, kind: result.kind, message: result.message, suggestions: result.suggestions, remedies };
  }
  const c = result.config;
  return {
    ok: true,
    text: c.text,
    ...(c.script ? { script: c.script } : {}),
    suggestedFileName: c.suggestedFileName,
    ...(configPath ? { configPath } : {}),
    summary: `${estimateRange(c.estimate)} of ${gib(usableBytes(c.gpu))} on the ${shortGpuName(c.gpu.name)}`,
  };
}

/** The GPU the variants are judged against: the first of finetune.gpus, else the one a generated config names. */
function ensembleGpu(settings: FinetuneSettings, configText: string): GpuInfo | undefined {
  const configured = settings.gpus.map((g) => gpuFromSetting(g)).find((g): g is GpuInfo => Boolean(g));
  if (configured) return configured;
  const named = configText.match(/^#\s*Generated by Fine-Tune Workbench \(ftw new\) for the (.+?):\s*$/m);
  return named ? findGpu(named[1]) : undefined;
}

export async function lengthBucketEnsemble(host: WizardHost, params: unknown): Promise<EnsembleAnswer> {
  const M = 'finetune/ensemble';
  const p = record(M, params);
  const uri = text(M, p, 'uri');
  if (!uri.startsWith('file:')) throw badParams(M, '`uri` must be a file: URI');
  const buckets = p['buckets'];
  if (!Array.isArray(buckets) || !buckets.every((b) => typeof b === 'number'))
    throw badParams(M, '`buckets` must be a list of sequence lengths in tokens, e.g. [512, 1024, 2048]');
  // One file per bucket, each estimated: a request for thousands is answered with a sentence, not thousands of files.
  if (buckets.length > MAX_BUCKETS)
    return { ok: false, message: `At most ${MAX_BUCKETS} buckets (got ${buckets.length}): one variant of the config is written per bucket.` };
  const path = pathOfUri(uri);
  const configText = text(M, p, 'text', true) ?? host.textOf(uri);
  if (configText === undefined) throw badParams(M, `${basename(path)} is neither open nor a readable file in the workspace`);
  let format = await host.formatOf(uri);
  if (format === 'none' && p['text'] !== undefined) {
    const parsed = parseConfig(configText, /\.json$/i.test(path) ? 'json' : 'yaml');
    format = detectFormat({ path, text: configText, value: parsed.value }).format;
  }
  const settings = await host.settings(uri);
  const gpu = ensembleGpu(settings, configText);
  const outDir = text(M, p, 'outDir', true) ?? dirname(path);
  const workspace = text(M, p, 'workspace', true);
  let result;
  try {
    result = ensemble(configText, format, path, buckets, {
      ...(gpu ? { gpu } : {}),
      lookup: host.lookup(settings),
      outDir,
      workspace: workspace ?? dirname(outDir),
    });
  } catch (e) {
    if (e instanceof EnsembleError) return { ok: false, message: e.message };
    throw e;
  }
  return {
    ok: true,
    format,
    variants: result.variants.map((v) => {
      const verdict = v.estimate?.gpus[0]?.verdict;
      const vram = v.estimate
        ? `${estimateRange(v.estimate)}${verdict === undefined ? '' : verdict === 'no' ? ' ✗ does not fit' : ` ${VERDICT_MARK[verdict]}`}`
        : 'no estimate';
      return { name: v.name, sequenceLength: v.sequenceLength, path: v.path, text: v.text, vram };
    }),
    tasks: result.tasks as EnsembleResult['tasks'],
    ...(gpu ? { gpu: `${shortGpuName(gpu.name)} (${gib(usableBytes(gpu))})` } : {}),
  };
}
