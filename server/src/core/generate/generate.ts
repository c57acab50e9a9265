/**
 * "New Training Config" (issue #7): approach + method + model + GPU + format → a complete config that fits the GPU.
 *
 * Every candidate is built as the config the tool would load and estimated through the same adapter `ftw vram`
 * uses (setupFromConfig → resolveSetup → estimate), so what the generator promises is what the editor shows.
 *
 * The values: the config starts at micro batch 4 (accumulation 4: an effective batch of 16) and 2048 tokens (or the
 * model's context, or 512 for a classifier). When that does not fit the GPU with margin, the VRAM planner
 * (vram/plan.ts) answers, as it does for `ftw vram` on the same config: its cheapest change to the config
 * (checkpointing, a smaller micro batch with more accumulation, shorter sequences, an 8-bit optimizer), applied here.
 * The method is never changed: when only another method (QLoRA), offload, more GPUs, a smaller model or another GPU
 * would do, the answer lists the planner's answers, word for word.
 */
import { findGpu, GPUS, type GpuInfo } from '../gpus';
import {
  estimate,
  type Estimate,
  type FitPlan,
  gib,
  isNoSetup,
  type Method,
  type ModelLookup,
  planFit,
  resolveSetup,
  setupFromConfig,
  shortGpuName,
  usableBytes,
  type Verdict,
} from '../vram';
import { build, type BuildContext, type Built, type Explanations, type Knobs } from './builders';
import { contextLength, modelInfo, pickTeacher, torchtuneModel, torchtuneModelIds } from './modelFacts';
import { classifierPython, scriptPathFor } from './classifierPython';
import { APPROACH_LABELS, configFormat, FORMAT_LABELS, GEN_FORMATS, METHOD_LABELS, support, type Approach, type GenFormat } from './support';
import { renderYaml } from './yamlOut';

export interface NewConfigRequest {
  approach: Approach;
  method: Method;
  /** Hugging Face id: the catalog, the settings' models or the local cache (through `lookup`). */
  model: string;
  /** A GPU name as people write it ("RTX 3060 12GB", "a100-80gb"), or a catalog entry. */
  gpu: string | GpuInfo;
  format: GenFormat;
  /** Distillation: the teacher (default: the next larger catalog model with the same tokenizer). */
  teacher?: string;
  /** Names the output directory (default: from the model and method). */
  runName?: string;
  /** Where models come from besides the catalog (settings, local HF cache). */
  lookup?: ModelLookup;
  /** The config's path, as the adapter sees it (TRL reads the trainer from the file name). */
  path?: string;
  /** How the header's commands name the file (default FILE). */
  fileRef?: string;
}

export interface NewConfig {
  format: GenFormat;
  text: string;
  /** The estimate of the written config on the GPU, as `ftw vram` computes it. */
  estimate: Estimate;
  gpu: GpuInfo;
  knobs: Knobs;
  explanations: Explanations;
  /** How to train it, with FILE for the config's path. */
  command: string;
  /** A file name that makes `ftw launch` pick the right recipe/trainer (--format script: the script's). */
  suggestedFileName: string;
  /** The config the search started from (micro batch 4, the longest sequences), as `ftw vram` would read it: the
   *  planner's answer for it is what was applied. */
  startText: string;
  teacher?: string;
  /** --format script: the training script that reads `text`; it goes next to it, named as scriptPathFor says. */
  script?: string;
}

export type NewConfigFailure = {
  ok: false;
  kind: 'bad-request' | 'unsupported' | 'unknown-model' | 'does-not-fit';
  message: string;
  /** What would work instead, best first. */
  suggestions: string[];
  /** does-not-fit: the planner's answers the suggestions are written from (vram/plan.ts), for actions. */
  plan?: FitPlan;
  /** does-not-fit: the config the search started from, as `ftw vram` would read it. */
  startText?: string;
};

export type NewConfigResult = { ok: true; config: NewConfig } | NewConfigFailure;

const START_MICRO = 4;
const EFFECTIVE_BATCH = 16;

const fail = (kind: NewConfigFailure['kind'], message: string, suggestions: string[] = []): NewConfigFailure => ({ ok: false, kind, message, suggestions });

interface Trial {
  knobs: Knobs;
  built: Built;
  estimate?: Estimate;
  total: number;
  /** fits or tight. */
  fits: boolean;
  verdict?: Verdict;
  error?: string;
}

/** Builds the config for these knobs and estimates it exactly as `ftw vram` would read it. */
function trial(format: GenFormat, ctx: BuildContext, knobs: Knobs, gpu: GpuInfo, lookup: ModelLookup, path: string): Trial {
  const built = build(format, ctx, knobs);
  const adapted = setupFromConfig({ format: configFormat(format), value: built.value, path, roots: [] });
  if (isNoSetup(adapted)) return { knobs, built, total: Infinity, fits: false, error: adapted.reason };
  try {
    const e = estimate(resolveSetup(adapted.setup), { ...lookup, gpus: [gpu] });
    return { knobs, built, estimate: e, total: e.peakBytes + e.contextBytes, fits: e.gpus.every((g) => g.fits), verdict: e.gpus[0]?.verdict ?? 'no' };
  } catch (err) {
    return { knobs, built, total: Infinity, fits: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Methods whose trainable parameters are whole layers (AdamW states for them are what an 8-bit optimizer shrinks). */
const fullParam = (m: Method, f?: GenFormat) => m === 'full' || m === 'freeze' || (m === 'distillation' && f !== 'torchtune');

function slug(s: string): string {
  return s
    .replace(/^.*\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}

function resolveGpu(gpu: string | GpuInfo): GpuInfo | undefined {
  return typeof gpu === 'string' ? findGpu(gpu) : gpu;
}

export function gpuNames(): string[] {
  return GPUS.map((g) => shortGpuName(g.name));
}

/** The config, or why there is none and what would work instead. */
export function newConfig(req: NewConfigRequest): NewConfigResult {
  const gpu = resolveGpu(req.gpu);
  if (!gpu) return fail('bad-request', `Unknown GPU ${JSON.stringify(req.gpu)}. Known: ${gpuNames().join(', ')}.`);
  const s = support(req.approach, req.format, req.method);
  if (!s.supported) {
    const alternatives = GEN_FORMATS.filter((f) => support(req.approach, f, req.method).supported);
    return fail(
      'unsupported',
      `${FORMAT_LABELS[req.format]} cannot express ${METHOD_LABELS[req.method].toLowerCase()} for a ${req.approach}: ${s.reason}`,
      alternatives.length ? [`Formats that can: ${alternatives.join(', ')}.`] : [`No supported format offers ${req.method} for the ${req.approach} approach.`],
    );
  }
  const info = modelInfo(req.model, req.lookup);
  if ('reason' in info) return fail('unknown-model', `Unknown model: ${info.reason}`);
  if (req.format === 'torchtune' && !torchtuneModel(req.model)) {
    return fail('unsupported', `torchtune builds models from Python builders (torchtune.models.<family>.<builder>), and none is known for ${req.model}.`, [
      `Models with a torchtune builder: ${torchtuneModelIds()
        .filter((id) => !/nousresearch|unsloth/i.test(id))
        .join(', ')}.`,
      'Or use another format (axolotl, llamafactory, trl), which load any Hugging Face model.',
    ]);
  }
  let teacher: string | undefined;
  if (req.method === 'distillation') {
    const accept = req.format === 'torchtune' ? (id: string) => torchtuneModel(id) !== undefined : () => true;
    teacher = req.teacher ?? pickTeacher(req.model, info.dims, accept);
    if (!teacher)
      return fail(
        'bad-request',
        `No teacher given and none found: distillation needs a larger model with the same tokenizer as ${req.model} (vocabulary of ${info.dims.vocabSize}). Pass --teacher ID.`,
      );
    const t = modelInfo(teacher, req.lookup);
    if ('reason' in t) return fail('unknown-model', `Unknown teacher: ${t.reason}`);
    if (t.dims.vocabSize !== info.dims.vocabSize)
      return fail(
        'bad-request',
        `The teacher ${teacher} has a vocabulary of ${t.dims.vocabSize} tokens and the student ${req.model} ${info.dims.vocabSize}: distillation compares their token distributions, so they must share a tokenizer.`,
      );
    if (req.format === 'torchtune' && !torchtuneModel(teacher))
      return fail('unsupported', `torchtune has no builder known for the teacher ${teacher}.`, [
        `Models with a torchtune builder: ${torchtuneModelIds().join(', ')}.`,
      ]);
  }
  const ctx: BuildContext = {
    approach: req.approach,
    method: req.method,
    model: req.model,
    dims: info.dims,
    gpu,
    half: gpu.computeCapability >= 8 ? 'bf16' : 'fp16',
    ...(teacher ? { teacher } : {}),
    runName: req.runName ?? `${slug(req.model)}-${req.method}`,
  };
  const path = req.path ?? `/ftw-new/${ctx.runName}.yaml`;
  return search(req, ctx, gpu, path);
}

function search(req: NewConfigRequest, ctx: BuildContext, gpu: GpuInfo, path: string): NewConfigResult {
  const lookup = req.lookup ?? {};
  const format = req.format;
  const ceiling = req.approach === 'classifier' ? 512 : 2048;
  const probe = build(format, ctx, { microBatch: 1, accumulation: 1, sequenceLength: ceiling, checkpointing: false, optimizer8bit: false });
  const fixed = probe.fixedSequence;
  const start = fixed ?? Math.min(ceiling, contextLength(req.model) ?? ceiling);
  const run = (k: Knobs) => trial(format, ctx, k, gpu, lookup, path);

  // The config as it would start, then the planner's answer for it: the same plan `ftw vram` gives for that config.
  let k: Knobs = { microBatch: START_MICRO, accumulation: EFFECTIVE_BATCH / START_MICRO, sequenceLength: start, checkpointing: false, optimizer8bit: false };
  let t = run(k);
  if (t.error || !t.estimate) return fail('bad-request', `The generated config could not be estimated: ${t.error}`);
  const startText = renderYaml([`ftw: format=${format}`], t.built.value, t.built.comments);
  if (t.verdict !== 'fits') {
    const plan = planFit(t.estimate.setup, gpu, { ...lookup, fsdpOnly: format === 'torchtune', fixedSequence: fixed !== undefined });
    const own = plan.answers.find((a) => a.kind === 'config');
    // The method is the user's choice: an answer that changes it (QLoRA) is reported, not applied.
    if (!own || own.steps.some((st) => st.kind === 'qlora')) return { ...doesNotFit(req, ctx, gpu, t, plan), startText };
    const s = own.setup;
    k = {
      microBatch: s.microBatchSize,
      accumulation: Math.max(1, Math.round(EFFECTIVE_BATCH / s.microBatchSize)),
      sequenceLength: s.sequenceLength,
      checkpointing: s.gradientCheckpointing,
      optimizer8bit: s.optimizer === 'adamw-8bit' || s.optimizer === 'paged-adamw-8bit',
      ...(s.optimizer === 'paged-adamw-8bit' && format !== 'torchtune' ? { paged: true } : {}),
    };
    t = run(k);
    if (t.error || !t.estimate || !t.fits) return { ...doesNotFit(req, ctx, gpu, t, plan), startText };
  }
  const explanations = explain(req, ctx, gpu, t, run, start);
  const final = build(format, ctx, k, explanations);
  const e = t.estimate;
  const file =
    format === 'script' ? `${ctx.runName}.py` : `${ctx.runName}${final.fileWord && !ctx.runName.includes(final.fileWord) ? `-${final.fileWord}` : ''}.yaml`;
  // What it was generated for: the config's header, and the script's too (--format script).
  const about = [
    `Generated by Fine-Tune Workbench (ftw new) for the ${shortGpuName(gpu.name)}:`,
    `  approach: ${APPROACH_LABELS[req.approach]}`,
    `  method:   ${METHOD_LABELS[req.method]}${ctx.teacher ? ` (teacher ${ctx.teacher})` : ''}`,
    `  model:    ${req.model}`,
    `VRAM: ≈ ${gib(t.total)} of ${gib(usableBytes(gpu))} (peak reserved + CUDA context; check with: ftw vram FILE --gpu "${shortGpuName(gpu.name)}").`,
  ];
  const header = [
    `ftw: format=${configFormat(format)}`,
    ...about,
    `Train: ${final.command}`,
    ...final.notes,
    'Every value the estimator chose says why in a comment. ' + 'The dataset is a placeholder: replace it with yours.',
  ];
  // A script is named after its YAML (x.yaml ↔ x.py): its commands are written out, not left with FILE.
  const ref = req.fileRef ?? (format === 'script' ? `${ctx.runName}.yaml` : 'FILE');
  const scriptRef = format === 'script' ? scriptPathFor(ref) : undefined;
  const expand = (l: string) => (scriptRef ? l.split('SCRIPT').join(scriptRef) : l).split('FILE').join(ref);
  const text = renderYaml(header.map(expand), final.value, final.comments);
  const command = scriptRef ? expand(final.command) : final.command;
  const script = scriptRef
    ? classifierPython({ lines: about.map(expand), config: ref.replace(/^.*[\\/]/, ''), script: scriptRef, quantized: ctx.method === 'qlora' })
    : undefined;
  return {
    ok: true,
    config: {
      format,
      text,
      estimate: e,
      gpu,
      knobs: k,
      explanations,
      command,
      suggestedFileName: file,
      startText,
      ...(ctx.teacher ? { teacher: ctx.teacher } : {}),
      ...(script ? { script } : {}),
    },
  };
}

/** One comment per chosen value, each with the estimate that decided it. */
function explain(req: NewConfigRequest, ctx: BuildContext, gpu: GpuInfo, t: Trial, run: (k: Knobs) => Trial, start: number): Explanations {
  const k = t.knobs;
  const name = shortGpuName(gpu.name);
  const of = `of ${gib(usableBytes(gpu))} on the ${name}`;
  const need = (x: Trial) => (x.error ? 'cannot be estimated' : `needs ≈ ${gib(x.total)}`);
  const out: Explanations = {};
  const batch = `micro batch ${k.microBatch} × accumulation ${k.accumulation} = ${k.microBatch * k.accumulation} per step: ≈ ${gib(t.total)} ${of}`;
  out.batch =
    k.microBatch < START_MICRO
      ? `${batch} (micro batch ${k.microBatch * 2} ${need(run({ ...k, microBatch: k.microBatch * 2, accumulation: k.accumulation / 2 }))}).`
      : `${batch}.`;
  const fixed = t.built.fixedSequence;
  if (fixed !== undefined)
    out.sequence = `The estimate assumes ${fixed}-token sequences (TRL's default max_length); distillation caps only completions, so keep prompts under ${fixed - 512} tokens.`;
  else if (k.sequenceLength < start)
    out.sequence = `${k.sequenceLength} tokens, shortened from ${start} to fit (${k.sequenceLength * 2} tokens ${need(run({ ...k, sequenceLength: k.sequenceLength * 2 }))}). ${t.built.lengthBehaviour}`;
  else
    out.sequence = `${k.sequenceLength} tokens: ${req.approach === 'classifier' ? 'classification inputs are short; raise it if your texts are longer' : start < 2048 ? "the model's context" : 'room for instruction + answer'}. ${t.built.lengthBehaviour}`;
  out.checkpointing = k.checkpointing
    ? `Gradient checkpointing on: without it the run ${need(run({ ...k, checkpointing: false }))}, over the ${gib(usableBytes(gpu))} of the ${name} (it recomputes activations, ≈ 30% slower).`
    : `Gradient checkpointing off: not needed, the run fits without it (faster).`;
  if (fullParam(ctx.method, req.format)) {
    out.optimizer = k.optimizer8bit
      ? `8-bit AdamW (bitsandbytes): with fp32 AdamW states the run ${need(run({ ...k, optimizer8bit: false }))}.`
      : 'AdamW with fp32 states: fits, so no 8-bit optimizer.';
  }
  if (ctx.method === 'qlora') out.quantization = `4-bit NF4 base weights (the method you chose): ≈ ${gib(t.total)}.`;
  out.precision =
    ctx.half === 'bf16'
      ? `bf16: the ${name} supports it (compute capability ${gpu.computeCapability}).`
      : `fp16: the ${name} has no bf16 (compute capability ${gpu.computeCapability} < 8.0).`;
  out.method = `${METHOD_LABELS[ctx.method]}${ctx.teacher ? `, teacher ${ctx.teacher}` : ''}.`;
  return out;
}

/** Nothing fits with the chosen method: what the planner says would (the same answers as `ftw vram`). */
function doesNotFit(req: NewConfigRequest, ctx: BuildContext, gpu: GpuInfo, t: Trial, plan: FitPlan): NewConfigFailure {
  const name = shortGpuName(gpu.name);
  if (t.error) return fail('does-not-fit', `The generated config could not be estimated: ${t.error}`);
  const methodChange = plan.answers.find((a) => a.kind === 'config' && a.steps.some((st) => st.kind === 'qlora'));
  const message = methodChange
    ? `${req.model} with ${METHOD_LABELS[ctx.method].toLowerCase()} does not fit the ${name} (${gib(usableBytes(gpu))}) without changing the method.`
    : `${req.model} with ${METHOD_LABELS[ctx.method].toLowerCase()} does not fit the ${name} (${gib(usableBytes(gpu))}). ${plan.impossible ?? ''}`.trim();
  return {
    ...fail(
      'does-not-fit',
      message,
      plan.answers.map((a) => `${a.description}${a.costs.length ? ` (${a.costs.join('; ')})` : ''}.`),
    ),
    plan,
  };
}
