/**
 * Config → TrainingSetup (DESIGN §5, §6.2): each format's keys mapped onto the estimator's setup, with the key
 * each field came from (for hovers, inlay hints and quick fixes) and a note for every assumption.
 *
 * Conventions shared by every format:
 * - `precision` says how the *weights* are stored, as `setup.ts` defines it: "bf16-true" when the tool loads
 *   the model in bf16 (frozen base of LoRA/QLoRA/freeze included), "bf16-mixed" when trainable weights are fp32
 *   under bf16 autocast. PEFT keeps LoRA adapter weights in fp32; the estimator counts adapters in the precision's
 *   dtype, a difference of megabytes (docs/vram.md).
 * - A key the tool would also coerce ("2", "1e-4") is read; a value it would reject or resolve at run time
 *   (a list, "auto") is ignored with a note. Nothing here throws.
 * - When the config does not set a value the estimator needs and the tool's default differs from the
 *   estimator's, the tool's default is filled in with a note and no source.
 * - The GPU count belongs to the launcher: `gpus` is set only from `ctx.launcherGpus` (or Lightning's
 *   `trainer.devices`); otherwise a note says the estimate is per GPU.
 * - Preference training (DPO, ORPO, SimPO) runs chosen and rejected sequences in one forward pass: the micro
 *   batch is doubled. The reference model of full-parameter DPO is *not* modelled as a second model (the setup
 *   has no field for it and "distillation" would add teacher logits that DPO does not keep); a note gives its
 *   size instead. With LoRA the reference is the base with the adapter disabled: no extra memory.
 * - Knowledge distillation with a teacher loaded next to the student sets `teacher`; the method stays the
 *   student's (lora/qlora), except a full-parameter student, which is method "distillation".
 */
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ValuePath } from '../config/ast';
import { asNumber, isAuto } from '../config/rules/values';
import type { AdaptedSetup, AdapterContext, NoSetup, SetupField } from './adapterTypes';
import { DEFAULTS, type Attention, type Method, type Optimizer, type Precision, type Quantization, type Sharding, type TrainingSetupInput } from './setup';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(root: unknown, path: ValuePath): unknown {
  let cur = root;
  for (const k of path) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isObj(cur)) return undefined;
      cur = cur[k];
    }
  }
  return cur;
}

const show = (path: ValuePath) => path.join('.');

/** Where a relative path is looked for: next to the config, then each workspace folder (as `candidatesFor`). */
function candidates(ctx: AdapterContext, file: string): string[] {
  if (isAbsolute(file)) return [file];
  return [resolve(dirname(ctx.path), file), ...ctx.roots.map((r) => join(r, file))];
}

/** Collects the setup, its sources and notes while reading one config. */
class Reader {
  readonly setup: TrainingSetupInput = { model: '' };
  readonly sources: Partial<Record<SetupField, ValuePath>> = {};
  readonly notes: string[] = [];
  gradientAccumulation?: { value: number; path: ValuePath };
  deepspeedFile?: { path: string; keyPath: ValuePath };

  constructor(readonly ctx: AdapterContext, readonly tool: string) {}

  raw(path: ValuePath): unknown {
    return at(this.ctx.value, path);
  }

  has(path: ValuePath): boolean {
    const v = this.raw(path);
    return v !== undefined && v !== null && v !== '';
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  private ignored(path: ValuePath, v: unknown, want: string): void {
    if (isAuto(v)) this.note(`${show(path)}: "auto" is decided at run time; ignored.`);
    else this.note(`${show(path)}: ${JSON.stringify(v)} is not ${want}; ignored.`);
  }

  /** A whole number ≥ min, as the tool would coerce it; anything else is ignored with a note. */
  int(path: ValuePath, min = 1): number | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'boolean' ? undefined : asNumber(v);
    if (n === undefined || !Number.isInteger(n) || n < min) {
      this.ignored(path, v, `a whole number${min > 0 ? ` ≥ ${min}` : ''}`);
      return undefined;
    }
    return n;
  }

  num(path: ValuePath): number | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'boolean' ? undefined : asNumber(v);
    if (n === undefined) this.ignored(path, v, 'a number');
    return n;
  }

  /** true/false as PyYAML and argparse read them; null means unset. */
  flag(path: ValuePath): boolean | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 1 || v === 0) return v === 1;
    if (typeof v === 'string') {
      if (/^(?:true|yes|on|1)$/i.test(v.trim())) return true;
      if (/^(?:false|no|off|0)$/i.test(v.trim())) return false;
    }
    this.ignored(path, v, 'true or false');
    return undefined;
  }

  text(path: ValuePath): string | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v.trim() || undefined;
    if (typeof v === 'number') return String(v);
    this.ignored(path, v, 'a string');
    return undefined;
  }

  set<K extends keyof TrainingSetupInput>(key: K, value: TrainingSetupInput[K], field?: SetupField, path?: ValuePath): void {
    this.setup[key] = value;
    if (field && path) this.sources[field] = path;
  }

  lora(part: 'rank' | 'alpha' | 'targets' | 'trainEmbeddings', value: unknown, path?: ValuePath): void {
    this.setup.lora = { ...this.setup.lora, [part]: value };
    const field: SetupField | undefined = part === 'rank' ? 'lora.rank' : part === 'targets' ? 'lora.targets' : part === 'trainEmbeddings' ? 'lora.trainEmbeddings' : undefined;
    if (field && path) this.sources[field] = path;
  }

  accumulation(path: ValuePath): void {
    const n = this.int(path);
    if (n !== undefined) this.gradientAccumulation = { value: n, path };
  }

  finish(): AdaptedSetup {
    prequantized(this);
    const { setup } = this;
    if (setup.gpus === undefined && this.ctx.launcherGpus !== undefined && this.ctx.launcherGpus >= 1) {
      setup.gpus = Math.floor(this.ctx.launcherGpus);
    }
    if (setup.gpus === undefined) {
      const shard = setup.sharding && setup.sharding !== 'none' && setup.sharding !== 'ddp' ? ` ${shardingLabel(setup.sharding)} divides its share by the GPU count, so give the launcher's count for a multi-GPU run.` : '';
      this.note(`GPUs: the config does not say how many GPUs the run uses (the launcher does); the estimate is per GPU, for 1 GPU.${shard}`);
    }
    const out: AdaptedSetup = { setup, sources: this.sources, notes: this.notes };
    if (this.gradientAccumulation) out.gradientAccumulation = this.gradientAccumulation;
    if (this.deepspeedFile) out.deepspeedFile = this.deepspeedFile;
    return out;
  }
}

function shardingLabel(s: Sharding): string {
  return s === 'fsdp' ? 'FSDP' : s.startsWith('zero') ? `ZeRO-${s.slice(4)}` : s.toUpperCase();
}

// ---------------------------------------------------------------------------------------------------------
// Shared vocabularies

/** transformers `optim` names and Axolotl's own optimizers. */
function optimizerFromName(name: string): { value: Optimizer; note?: string } {
  const n = name.trim().toLowerCase();
  if (/^paged_adamw_8bit$/.test(n)) return { value: 'paged-adamw-8bit' };
  if (/^paged_adamw(_32bit)?$/.test(n)) return { value: 'paged-adamw' };
  if (/^(adamw_bnb_8bit|adamw_8bit|adamw_torch_8bit|ao_adamw_8bit|bnb_adamw8bit|adamw8bit)$/.test(n)) return { value: 'adamw-8bit' };
  if (/^(adamw_torch_4bit|ao_adamw_4bit)$/.test(n)) return { value: 'adamw-8bit', note: `optimizer: ${name} keeps 4-bit states; estimated as 8-bit AdamW (slightly more).` };
  // torch.optim.AdamW runs foreach by default; fused kernels and HF's own for-loop AdamW step one tensor at a time.
  if (/^(adamw_torch_fused|adamw_hf|adamw_apex_fused|adamw_torch_npu_fused)$/.test(n)) return { value: 'adamw-fused' };
  if (/^(adamw_torch|adamw_torch_xla|adamw_torch_npu_fused|adamw|adam|optimi_adamw|adopt_adamw|stable_adamw|flash_adamw|flash_adam|schedule_free_adamw|schedule_free_radam|ao_adamw_fp8)$/.test(n)) return { value: 'adamw' };
  if (n === 'adamw_anyprecision') return { value: 'adamw', note: 'optimizer: adamw_anyprecision keeps its states in bf16 by default; estimated as AdamW with fp32 states (more).' };
  if (/^(sgd|flash_sgd|flash_sgdw|schedule_free_sgd)$/.test(n)) return { value: 'sgd' };
  if (/^(adafactor|came_pytorch)$/.test(n)) return { value: 'adafactor' };
  if (/lion|rmsprop|adagrad/.test(n)) return { value: 'sgd', note: `optimizer: ${name} keeps one state per parameter, like SGD with momentum; estimated as sgd.` };
  return { value: 'adamw', note: `optimizer: ${name} is not modelled; estimated as AdamW (two fp32 states per trainable parameter).` };
}

/** torch.optim / bitsandbytes / torchao class paths (torchtune, Lightning). */
function optimizerFromComponent(path: string): { value: Optimizer; note?: string } {
  const cls = path.split('.').pop() ?? path;
  const c = cls.toLowerCase();
  if (c === 'pagedadamw8bit' || c === 'pagedadam8bit') return { value: 'paged-adamw-8bit' };
  if (c === 'pagedadamw' || c === 'pagedadamw32bit' || c === 'pagedadam') return { value: 'paged-adamw' };
  if (c === 'adamw8bit' || c === 'adam8bit') return { value: 'adamw-8bit' };
  if (c === 'adamw4bit') return { value: 'adamw-8bit', note: `optimizer: ${cls} keeps 4-bit states; estimated as 8-bit AdamW (slightly more).` };
  if (c === 'adamw' || c === 'adam' || c === 'adamwfp8') return { value: 'adamw' };
  if (c === 'fusedadam' || c === 'fusedadamw') return { value: 'adamw-fused' };
  if (c === 'sgd') return { value: 'sgd' };
  if (c === 'adafactor') return { value: 'adafactor' };
  return optimizerFromName(cls);
}

/** `attn_implementation` values (transformers, Axolotl, TRL). */
function attentionFromName(name: string): { value: Attention; note?: string } | undefined {
  const n = name.trim().toLowerCase();
  if (n === 'eager') return { value: 'eager' };
  if (n === 'sdpa' || n === 'sdp') return { value: 'sdpa' };
  if (/flash/.test(n)) return { value: 'flash' };
  if (/flex|xformers|sage|fp8/.test(n) || n.includes('/')) return { value: 'flash', note: `attention: ${name} does not keep the attention matrix, like FlashAttention; estimated as flash.` };
  return undefined;
}

function setAttention(r: Reader, path: ValuePath): void {
  const name = r.text(path);
  if (name === undefined) return;
  const a = attentionFromName(name);
  if (!a) {
    r.note(`${show(path)}: ${JSON.stringify(name)} is not a known attention implementation; the estimate uses sdpa.`);
    return;
  }
  r.set('attention', a.value, 'attention', path);
  if (a.note) r.note(a.note);
}

function setOptimizer(r: Reader, path: ValuePath, fromComponent = false): void {
  const name = r.text(path);
  if (name === undefined) return;
  const o = fromComponent ? optimizerFromComponent(name) : optimizerFromName(name);
  r.set('optimizer', o.value, 'optimizer', path);
  if (o.note) r.note(o.note);
}

/** LoRA targets from a list or a string: module names, "all-linear", or an Axolotl-style regex. */
function loraTargets(r: Reader, path: ValuePath): void {
  const v = r.raw(path);
  if (v === undefined || v === null || v === '') return;
  if (v === 'all-linear' || v === 'all') {
    r.lora('targets', 'all-linear', path);
    return;
  }
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
  if (!items || !items.every((s) => typeof s === 'string')) {
    r.note(`${show(path)}: ${JSON.stringify(v)} is not a list of module names; ignored.`);
    return;
  }
  const names = new Set<string>();
  let regex = false;
  for (const raw of items as string[]) {
    const s = raw.trim();
    if (!s) continue;
    if (/^[A-Za-z_][\w]*$/.test(s)) {
      names.add(s);
      continue;
    }
    regex = true;
    // `...(up|down|gate|q|k|v|o)_proj` → up_proj, down_proj, ...; literal `q_proj` tokens as they are.
    for (const m of s.matchAll(/\(([\w|]+)\)(_\w+)/g)) for (const alt of m[1]!.split('|')) if (alt) names.add(`${alt}${m[2]}`);
    for (const m of s.matchAll(/(?<![\w(|])([A-Za-z_]\w*_proj)\b/g)) names.add(m[1]!);
    for (const m of s.matchAll(/\b(lm_head|embed_tokens)\b/g)) names.add(m[1]!);
  }
  if (!names.size) {
    r.note(`${show(path)}: no module names could be read from ${JSON.stringify(v)}; the estimate uses its default targets.`);
    return;
  }
  r.lora('targets', [...names], path);
  if (regex) r.note(`${show(path)}: a regular expression; read as the modules ${[...names].join(', ')} in every layer.`);
}

const EMBEDDING_MODULES = /^(embed_tokens|lm_head|wte|word_embeddings|embed_out|output|tok_embeddings)$/;

function modulesToSave(r: Reader, path: ValuePath): void {
  const v = r.raw(path);
  if (v === undefined || v === null || v === '') return;
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  const names = items.filter((s): s is string => typeof s === 'string').map((s) => s.trim().split('.').pop() ?? s);
  if (names.some((n) => EMBEDDING_MODULES.test(n))) r.lora('trainEmbeddings', true, path);
}

// ---------------------------------------------------------------------------------------------------------
// DeepSpeed and FSDP

/** Fixed-shape batches: packing fills every sequence to the maximum length (Axolotl sample_packing, TRL packing,
 *  LLaMA-Factory packing / neat_packing, torchtune dataset.packed). */
function setPacked(r: Reader, path: ValuePath): void {
  if (r.flag(path) === true) {
    r.set('packed', true, 'packed', path);
    r.note(`packing: ${show(path)} fills every sequence to the maximum length, so every step has the same shapes.`);
  }
}

/** A cross-entropy that does not materialise the full fp32 logits: a chunked one, or one fused with the LM head. */
function setLoss(r: Reader, loss: 'chunked' | 'fused', path: ValuePath, what: string): void {
  r.set('loss', loss, 'loss', path);
  r.note(`loss: ${what} ${loss === 'fused' ? 'computes the logits chunk by chunk with the LM head' : 'upcasts the logits one chunk at a time'}; the estimate counts ${loss === 'fused' ? 'one chunk' : '4 bytes per vocabulary entry per token instead of 12'}.`);
}

function applyDeepSpeedJson(r: Reader, ds: Obj, key: ValuePath, label: string): void {
  const zero = ds.zero_optimization;
  const stageRaw = isObj(zero) ? zero.stage : undefined;
  const stage = asNumber(stageRaw);
  let sharding: Sharding;
  if (stage !== undefined && [0, 1, 2, 3].includes(stage)) {
    sharding = stage === 0 ? 'ddp' : (`zero${stage}` as Sharding);
    if (stage === 0) r.note(`sharding: ${label} sets ZeRO stage 0, plain data parallelism.`);
  } else if (stageRaw !== undefined && stageRaw !== null) {
    r.note(`sharding: ${label} has zero_optimization.stage ${JSON.stringify(stageRaw)}, which is not 0–3; the estimate assumes no sharding.`);
    return;
  } else {
    sharding = 'ddp';
    r.note(`sharding: ${label} sets no ZeRO stage; DeepSpeed's default is stage 0, plain data parallelism.`);
  }
  r.set('sharding', sharding, 'sharding', key);
  if (!isObj(zero)) return;
  const device = (v: unknown) => (isObj(v) && typeof v.device === 'string' ? v.device.trim().toLowerCase() : undefined);
  const offParam = device(zero.offload_param);
  const offOpt = device(zero.offload_optimizer) ?? (zero.cpu_offload === true ? 'cpu' : undefined);
  if (offParam === 'cpu' || offParam === 'nvme') {
    if (sharding === 'zero3') r.set('offload', 'all', 'offload', key);
    else r.note(`offload: ${label} sets offload_param, which only ZeRO-3 uses; ignored.`);
  }
  if (r.setup.offload !== 'all' && (offOpt === 'cpu' || offOpt === 'nvme')) {
    if (sharding === 'ddp') r.note(`offload: ${label} sets offload_optimizer, which needs a ZeRO stage of 1 or more; ignored.`);
    else r.set('offload', 'optimizer', 'offload', key);
  }
}

/** The `deepspeed` key of Axolotl, LLaMA-Factory, TRL and HF TrainingArguments: a JSON path or an inline object. */
function readDeepSpeed(r: Reader, key: ValuePath): void {
  const v = r.raw(key);
  if (v === undefined || v === null || v === '' || v === false) return;
  if (isObj(v)) {
    applyDeepSpeedJson(r, v, key, 'the inline DeepSpeed config');
    return;
  }
  if (typeof v !== 'string') {
    r.note(`${show(key)}: ${JSON.stringify(v)} is not a file path; ignored.`);
    return;
  }
  const file = v.trim();
  const found = r.ctx.files ? candidates(r.ctx, file).map((p) => ({ p, text: r.ctx.files!.read(p) })).find((c) => c.text !== undefined) : undefined;
  if (found) {
    r.deepspeedFile = { path: found.p, keyPath: key };
    let parsed: unknown;
    try {
      parsed = JSON.parse(found.text!);
    } catch {
      parsed = undefined;
    }
    if (isObj(parsed)) {
      applyDeepSpeedJson(r, parsed, key, file);
      return;
    }
    r.note(`sharding: ${file} could not be read as a JSON object; its ZeRO stage is guessed from its name.`);
  } else {
    r.note(`sharding: ${file} was not found next to this config or in the workspace; its ZeRO stage is guessed from its name.`);
  }
  const m = /(?:zero|z)[_-]?([0-3])/i.exec(basename(file));
  if (m) {
    const stage = Number(m[1]);
    r.set('sharding', stage === 0 ? 'ddp' : (`zero${stage}` as Sharding), 'sharding', key);
  } else {
    r.note(`sharding: no ZeRO stage in the name ${file}; the estimate assumes no sharding.`);
  }
}

/** transformers' `fsdp` (a string of options or a list) and `fsdp_config`; also Axolotl's. */
function readHfFsdp(r: Reader, fsdpKey: ValuePath, configKey: ValuePath): void {
  const v = r.raw(fsdpKey);
  const cfg = r.raw(configKey);
  let options: string[] | undefined;
  if (typeof v === 'string') options = v.trim() ? v.trim().toLowerCase().split(/[\s,]+/) : undefined;
  else if (Array.isArray(v)) options = v.filter((s): s is string => typeof s === 'string').map((s) => s.trim().toLowerCase());
  else if (v === true) options = ['full_shard'];
  else if (v !== undefined && v !== null && v !== false) r.note(`${show(fsdpKey)}: ${JSON.stringify(v)} is not a list of FSDP options; ignored.`);
  const fsdpVersion = r.ctx.format === 'axolotl' ? r.raw(['fsdp_version']) ?? (isObj(cfg) ? cfg.fsdp_version ?? cfg.version : undefined) : undefined;
  const axolotlNew = r.ctx.format === 'axolotl' && isObj(cfg) && Object.keys(cfg).length > 0 && (fsdpVersion !== undefined || options === undefined);
  if (!options?.length && !axolotlNew) return;
  const opts = options ?? [];
  const where = options?.length ? fsdpKey : configKey;
  let sharding: Sharding = 'fsdp';
  if (opts.includes('no_shard')) {
    sharding = 'ddp';
    r.note(`sharding: FSDP no_shard keeps a full copy per GPU, like DDP.`);
  } else if (opts.some((o) => o === 'shard_grad_op' || o === 'hybrid_shard_zero2')) {
    sharding = 'zero2';
    r.note(`sharding: FSDP ${opts.find((o) => o === 'shard_grad_op' || o === 'hybrid_shard_zero2')} shards gradients and optimizer states but keeps the weights, like ZeRO-2.`);
  } else if (opts.includes('hybrid_shard')) {
    r.note('sharding: FSDP hybrid_shard shards within a node only; the estimate shards over all GPUs given.');
  }
  r.set('sharding', sharding, 'sharding', where);
  const cfgOffload = isObj(cfg) ? (cfg.offload_params ?? cfg.fsdp_offload_params) : undefined;
  const offload = opts.includes('offload') || cfgOffload === true || (typeof cfgOffload === 'string' && /^true$/i.test(cfgOffload));
  if (offload) {
    const path = opts.includes('offload') ? fsdpKey : [...configKey, isObj(cfg) && 'offload_params' in cfg ? 'offload_params' : 'fsdp_offload_params'];
    if (sharding === 'fsdp') r.set('offload', 'all', 'offload', path);
    else if (sharding === 'zero2') {
      r.set('offload', 'optimizer', 'offload', path);
      r.note('offload: FSDP CPU offload with gradient-only sharding; estimated as optimizer offload.');
    }
  }
  if (isObj(cfg) && (cfg.reshard_after_forward === false || cfg.fsdp_reshard_after_forward === false)) {
    r.note('sharding: reshard_after_forward false keeps gathered weights after the forward pass (more memory than full sharding, like ZeRO-2).');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers shared by the HF-TrainingArguments family (TRL, LLaMA-Factory, plain TrainingArguments)

function hfBatch(r: Reader): void {
  const micro = r.int(['per_device_train_batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['per_device_train_batch_size']);
  else if (!r.has(['per_device_train_batch_size'])) {
    r.set('microBatchSize', 8);
    r.note(`micro batch: per_device_train_batch_size is not set; ${r.tool} uses TrainingArguments' default of 8.`);
  }
  r.accumulation(['gradient_accumulation_steps']);
}

/** Weight dtype from a `dtype`/`torch_dtype` value: bf16, fp16, fp32, or undefined (auto/unknown). */
function dtypeOf(v: string): 'bf16' | 'fp16' | 'fp32' | 'auto' | undefined {
  const s = v.trim().toLowerCase().replace(/^torch\./, '');
  if (s === 'bfloat16' || s === 'bf16') return 'bf16';
  if (s === 'float16' || s === 'fp16' || s === 'half') return 'fp16';
  if (s === 'float32' || s === 'fp32' || s === 'float') return 'fp32';
  if (s === 'auto') return 'auto';
  return undefined;
}

/** Precision of an HF Trainer run: the dtype the model is loaded in, then the AMP flags. */
function hfPrecision(r: Reader, load: { dtype: 'bf16' | 'fp16' | 'fp32'; path?: ValuePath }, bf16Default: boolean): void {
  const bf = r.flag(['bf16']);
  const fp = r.flag(['fp16']);
  let amp: 'bf16' | 'fp16' | undefined;
  if (bf === true) amp = 'bf16';
  else if (fp === true) amp = 'fp16';
  else if (bf === undefined && bf16Default) amp = 'bf16';
  let ampPath: ValuePath | undefined;
  if (amp === 'fp16') ampPath = ['fp16'];
  else if (r.has(['bf16'])) ampPath = ['bf16'];
  else if (amp === undefined && r.has(['fp16'])) ampPath = ['fp16'];
  let precision: Precision;
  let path: ValuePath | undefined;
  if (load.dtype === 'bf16') {
    precision = 'bf16-true';
    path = load.path ?? ampPath;
  } else if (load.dtype === 'fp16') {
    precision = 'fp16-true';
    path = load.path ?? ampPath;
  } else {
    precision = amp === 'bf16' ? 'bf16-mixed' : amp === 'fp16' ? 'fp16-mixed' : 'fp32';
    path = ampPath ?? load.path;
  }
  r.set('precision', precision, 'precision', path);
}

/** `dtype` / `torch_dtype` (TRL ModelConfig, scripts' ModelArguments). */
function loadDtype(r: Reader, fallback: 'fp32', fallbackNote: string): { dtype: 'bf16' | 'fp16' | 'fp32'; path?: ValuePath } {
  for (const key of ['dtype', 'torch_dtype']) {
    const v = r.raw([key]);
    if (v === undefined || v === null) continue;
    const d = typeof v === 'string' ? dtypeOf(v) : undefined;
    if (d === 'auto') {
      r.note(`precision: ${key}: auto loads the checkpoint's own dtype; assumed bf16.`);
      return { dtype: 'bf16', path: [key] };
    }
    if (d) return { dtype: d, path: [key] };
    r.note(`${key}: ${JSON.stringify(v)} is not a dtype; ignored.`);
  }
  r.note(fallbackNote);
  return { dtype: fallback };
}

function hfQuantization(r: Reader, peft: boolean): void {
  const q4 = r.flag(['load_in_4bit']);
  const q8 = r.flag(['load_in_8bit']);
  if (!q4 && !q8) return;
  const key: ValuePath = q4 ? ['load_in_4bit'] : ['load_in_8bit'];
  if (!peft) {
    r.note(`quantization: ${show(key)} without use_peft cannot train the quantized weights; ignored.`);
    return;
  }
  if (q4) {
    const type = r.text(['bnb_4bit_quant_type'])?.toLowerCase();
    const quant: Quantization = type === 'fp4' ? 'fp4' : 'nf4';
    r.set('method', 'qlora', 'method', key);
    r.set('quantization', quant, 'quantization', type ? ['bnb_4bit_quant_type'] : key);
    const dq = r.flag(['use_bnb_nested_quant']);
    if (dq !== undefined) r.set('doubleQuant', dq, 'doubleQuant', ['use_bnb_nested_quant']);
  } else {
    r.set('quantization', 'int8', 'quantization', key);
  }
}

type TrainingKind = 'dpo' | 'orpo' | 'kto' | 'grpo' | 'ppo' | 'rm' | 'rloo' | 'other';

/** Preference and RL training: double the micro batch for paired losses, and say what is not counted. */
function preferenceNotes(r: Reader, kind: TrainingKind, label: string, peft: boolean, refFree: boolean, refBytes?: number): void {
  if (kind === 'dpo' || kind === 'orpo') {
    const m = r.setup.microBatchSize ?? DEFAULTS.microBatchSize;
    r.set('microBatchSize', m * 2, 'microBatchSize', r.sources.microBatchSize);
    r.note(`micro batch: ${label} runs the chosen and rejected sequences of each pair together: ${m} pair${m === 1 ? '' : 's'} = ${m * 2} sequences.`);
    if (kind === 'dpo' && !refFree) {
      if (peft) r.note('DPO reference model: the base model with the adapter disabled; no extra memory.');
      else {
        const bytes = refBytes ?? (r.setup.precision === 'fp32' || r.setup.precision?.endsWith('-mixed') ? 4 : 2);
        r.note(`DPO reference model: a frozen second copy of the model (about ${bytes} bytes per parameter) is not counted in this estimate.`);
      }
    }
  } else if (kind === 'kto') {
    r.note('KTO also runs a mismatched batch for its KL term and keeps a reference model; the estimate counts one policy forward pass.');
  } else if (kind === 'grpo' || kind === 'rloo' || kind === 'ppo') {
    r.note(`${label}: generation (and any reference, reward or value model) is not counted; the estimate covers the policy's training step.`);
  } else if (kind === 'rm') {
    r.note('Reward modelling scores chosen and rejected sequences; the estimate counts one sequence per example.');
  }
}

/** A LoRA run on a checkpoint whose name says it is already quantized (GPTQ, AWQ, bitsandbytes 4-bit). */
function prequantized(r: Reader): void {
  const m = r.setup.model;
  if (typeof m !== 'string' || r.setup.method !== 'lora' || r.setup.quantization !== undefined) return;
  const four = /(?:^|[-_./])(gptq|awq|aqlm|bnb[-_]?4bit|4bit|nf4|int4)(?=$|[-_./])/i.exec(m);
  const eight = /(?:^|[-_./])(8bit|int8)(?=$|[-_./])/i.exec(m);
  if (four) {
    r.set('method', 'qlora');
    r.set('quantization', 'nf4');
    r.note(`quantization: the model name says its weights are already quantized (${four[1]}); estimated as QLoRA on 4-bit weights.`);
  } else if (eight) {
    r.set('quantization', 'int8');
    r.note(`quantization: the model name says its weights are already quantized (${eight[1]}); estimated as LoRA on 8-bit weights.`);
  }
}

/** No model: the reason says which key would name one. */
function noModel(key: string, tool: string): NoSetup {
  return { reason: `No model is named ('${key}' is missing or empty), so ${tool}'s memory cannot be estimated.` };
}

// ---------------------------------------------------------------------------------------------------------
// Axolotl

/** Layers named by `unfrozen_parameters` patterns such as `model.layers.2[6-9].*`; "all" when a pattern covers every index. */
function unfrozenLayers(patterns: string[]): { layers: number[] | 'all'; other: boolean } {
  const layers = new Set<number>();
  let all = false;
  let other = false;
  for (const p of patterns) {
    const m = /layers\\?\.(.+?)\\?\.|layers\\?\.(.+)$/.exec(p);
    if (!m) {
      // no layer index: the whole language model (e.g. `model.language_model.*`) or a non-layer module
      if (/language_model|^\^?model\.\*|^\.\*$|^\^?\.\*/.test(p)) all = true;
      else other = true;
      continue;
    }
    const seg = (m[1] ?? m[2] ?? '').replace(/\$$/, '');
    if (/^\.?\*/.test(seg)) {
      all = true;
      continue;
    }
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${seg})$`);
    } catch {
      other = true;
      continue;
    }
    let hits = 0;
    for (let i = 0; i < 160; i++) {
      if (re.test(String(i))) {
        layers.add(i);
        hits++;
      }
    }
    if (hits >= 150) all = true;
  }
  return { layers: all ? 'all' : [...layers].sort((a, b) => a - b), other };
}

function axolotl(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'Axolotl');
  const model = r.text(['base_model']);
  if (!model) return noModel('base_model', 'Axolotl');
  r.set('model', model, 'model', ['base_model']);

  // Method and quantization
  const adapter = r.text(['adapter'])?.toLowerCase();
  const q4 = r.flag(['load_in_4bit']) === true;
  const q8 = r.flag(['load_in_8bit']) === true;
  let method: Method = 'full';
  if (adapter === 'lora' || adapter === 'qlora') {
    method = adapter === 'qlora' || q4 ? 'qlora' : 'lora';
    r.set('method', method, 'method', ['adapter']);
    if (adapter === 'lora' && q4) r.note('method: adapter lora with load_in_4bit trains LoRA on a 4-bit base, i.e. QLoRA.');
    if (q4 || (adapter === 'qlora' && !q8)) {
      const kwargs = r.raw(['bnb_config_kwargs']);
      const type = isObj(kwargs) && typeof kwargs.bnb_4bit_quant_type === 'string' ? kwargs.bnb_4bit_quant_type.toLowerCase() : undefined;
      const quant: Quantization = type === 'fp4' ? 'fp4' : 'nf4';
      r.set('quantization', quant, 'quantization', type ? ['bnb_config_kwargs', 'bnb_4bit_quant_type'] : q4 ? ['load_in_4bit'] : ['adapter']);
      if (adapter === 'qlora' && !q4) r.note('quantization: adapter qlora without load_in_4bit: true (Axolotl refuses to start); estimated as 4-bit NF4.');
      const dq = isObj(kwargs) ? kwargs.bnb_4bit_use_double_quant : undefined;
      if (typeof dq === 'boolean') r.set('doubleQuant', dq, 'doubleQuant', ['bnb_config_kwargs', 'bnb_4bit_use_double_quant']);
      else {
        r.set('doubleQuant', true);
        r.note('quantization: Axolotl quantizes 4-bit weights with NF4 and double quantization unless bnb_config_kwargs says otherwise.');
      }
    } else if (q8) {
      r.set('quantization', 'int8', 'quantization', ['load_in_8bit']);
    }
    const rank = r.int(['lora_r']);
    if (rank !== undefined) r.lora('rank', rank, ['lora_r']);
    const alpha = r.num(['lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    if (r.flag(['lora_target_linear']) === true) r.lora('targets', 'all-linear', ['lora_target_linear']);
    else loraTargets(r, ['lora_target_modules']);
    modulesToSave(r, ['lora_modules_to_save']);
    if (r.flag(['peft_use_dora']) === true) r.note('method: DoRA (peft_use_dora) adds a magnitude vector and a norm per adapted layer; estimated as LoRA.');
    if (r.has(['unfrozen_parameters'])) r.note('unfrozen_parameters: ignored with an adapter; the estimate counts the adapter only.');
  } else if (adapter) {
    if (adapter === 'llama-adapter') r.note('method: llama-adapter (adaption prompts) is estimated as prefix tuning.');
    else r.note(`method: adapter ${adapter} is not modelled; estimated as LoRA.`);
    method = adapter === 'llama-adapter' ? 'prefix' : 'lora';
    r.set('method', method, 'method', ['adapter']);
  } else {
    if (q4 || q8) r.note(`quantization: ${q4 ? 'load_in_4bit' : 'load_in_8bit'} without an adapter cannot train the quantized weights (Axolotl refuses); ignored.`);
    const unfrozen = r.raw(['unfrozen_parameters']);
    if (Array.isArray(unfrozen) && unfrozen.length) {
      const pats = unfrozen.filter((s): s is string => typeof s === 'string');
      const { layers, other } = unfrozenLayers(pats);
      if (layers === 'all') {
        r.set('method', 'full', 'method', ['unfrozen_parameters']);
        r.note('method: unfrozen_parameters covers every decoder layer; estimated as full fine-tuning.');
      } else if (layers.length) {
        method = 'freeze';
        r.set('method', 'freeze', 'method', ['unfrozen_parameters']);
        r.set('trainableLayers', layers.length, 'trainableLayers', ['unfrozen_parameters']);
        r.note(`method: unfrozen_parameters trains layers ${layers.join(', ')}; estimated as ${layers.length} fully trainable layers${other ? ' (plus the other modules it names, not counted)' : ''}, activations kept from the first trainable layer as for the last ${layers.length}.`);
      } else {
        r.note('method: unfrozen_parameters names no decoder layers that could be counted; estimated as full fine-tuning.');
      }
    } else {
      r.set('method', 'full');
    }
  }

  // Batch and length
  const micro = r.int(['micro_batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['micro_batch_size']);
  r.accumulation(['gradient_accumulation_steps']);
  const seq = r.int(['sequence_len']);
  if (seq !== undefined) r.set('sequenceLength', seq, 'sequenceLength', ['sequence_len']);
  else if (!r.has(['sequence_len'])) {
    r.set('sequenceLength', 512);
    r.note("sequence length: sequence_len is not set; Axolotl's default is 512.");
  }
  setPacked(r, ['sample_packing']);
  const pluginList = Array.isArray(r.raw(['plugins'])) ? (r.raw(['plugins']) as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  if (pluginList.some((p) => /cut_cross_entropy/i.test(p)) && r.flag(['cut_cross_entropy']) !== false) setLoss(r, 'fused', r.has(['cut_cross_entropy']) ? ['cut_cross_entropy'] : ['plugins'], 'Cut Cross-Entropy');
  else if (pluginList.some((p) => /liger/i.test(p)) && r.flag(['liger_fused_linear_cross_entropy']) === true) setLoss(r, 'fused', ['liger_fused_linear_cross_entropy'], "Liger's fused linear cross-entropy");
  else if (pluginList.some((p) => /liger/i.test(p)) && r.flag(['liger_cross_entropy']) === true) setLoss(r, 'chunked', ['liger_cross_entropy'], "Liger's cross-entropy");
  else if (r.flag(['chunked_cross_entropy']) === true) setLoss(r, 'chunked', ['chunked_cross_entropy'], 'chunked_cross_entropy');

  // Memory savers
  const gc = r.raw(['gradient_checkpointing']);
  if (typeof gc === 'string' && /^offload(_disk)?$/.test(gc.trim())) {
    r.set('gradientCheckpointing', true, 'gradientCheckpointing', ['gradient_checkpointing']);
    r.note(`gradient checkpointing: ${gc.trim()} also moves the checkpoints off the GPU; the estimate keeps them on it.`);
  } else {
    const on = r.flag(['gradient_checkpointing']);
    if (on !== undefined) r.set('gradientCheckpointing', on, 'gradientCheckpointing', ['gradient_checkpointing']);
  }

  // Precision: Axolotl loads the model in bf16 when bf16 is on (fp16 with fp16/float16), so the base weights are
  // bf16 for every method; full fine-tuning then trains bf16 weights (no fp32 master copy).
  const bfRaw = r.raw(['bf16']);
  const bf = typeof bfRaw === 'string' && /^(auto|full)$/i.test(bfRaw.trim()) ? (bfRaw.trim().toLowerCase() === 'full' ? true : 'auto') : r.flag(['bf16']);
  const bfloat = r.flag(['bfloat16']) === true;
  const fp16 = r.flag(['fp16']) === true || r.flag(['float16']) === true;
  const fpKey: ValuePath = r.flag(['fp16']) === true ? ['fp16'] : ['float16'];
  if (bf === true || bfloat) r.set('precision', 'bf16-true', 'precision', bf === true ? ['bf16'] : ['bfloat16']);
  else if (fp16) r.set('precision', 'fp16-true', 'precision', fpKey);
  else if (bf === false) r.set('precision', 'fp32', 'precision', ['bf16']);
  else {
    r.set('precision', 'bf16-true', 'precision', r.has(['bf16']) ? ['bf16'] : undefined);
    r.note('precision: bf16: auto (the default) turns bf16 on for Ampere or newer GPUs; assumed on, so the weights are bf16.');
  }
  if (r.setup.precision === 'bf16-true' && (method === 'lora' || method === 'qlora')) r.note('precision: the base weights load in bf16; the LoRA weights stay fp32 (PEFT upcasts them).');

  // Optimizer and attention
  if (r.has(['optimizer'])) setOptimizer(r, ['optimizer']);
  if (r.has(['attn_implementation'])) setAttention(r, ['attn_implementation']);
  else {
    const legacy: Array<[string, Attention]> = [['flash_attention', 'flash'], ['sdp_attention', 'sdpa'], ['xformers_attention', 'flash'], ['flex_attention', 'flash'], ['sage_attention', 'flash'], ['eager_attention', 'eager']];
    const hit = legacy.find(([k]) => r.flag([k]) === true);
    if (hit) {
      r.set('attention', hit[1], 'attention', [hit[0]]);
      if (hit[0] !== 'flash_attention' && hit[1] === 'flash') r.note(`attention: ${hit[0]} does not keep the attention matrix, like FlashAttention; estimated as flash.`);
    }
  }

  // Distributed
  readDeepSpeed(r, ['deepspeed']);
  if (!r.setup.sharding) readHfFsdp(r, ['fsdp'], ['fsdp_config']);

  // Training mode
  const rl = r.text(['rl'])?.toLowerCase();
  if (rl) {
    const kind: TrainingKind = rl === 'dpo' || rl === 'ipo' || rl === 'gdpo' ? 'dpo' : rl === 'orpo' || rl === 'simpo' ? 'orpo' : rl === 'kto' ? 'kto' : rl === 'grpo' ? 'grpo' : 'other';
    preferenceNotes(r, kind, rl.toUpperCase(), method === 'lora' || method === 'qlora', false);
    if (kind === 'other') r.note(`rl: ${rl} is not modelled; the estimate covers a plain training step.`);
  }
  const plugins = r.raw(['plugins']);
  if (Array.isArray(plugins) && plugins.some((p) => typeof p === 'string' && /\.kd\./.test(p))) {
    r.note('Knowledge distillation (KDPlugin) reads the teacher\'s logprobs from the dataset or a server: no teacher model on the GPU, not counted.');
  }
  return r.finish();
}

// ---------------------------------------------------------------------------------------------------------
// LLaMA-Factory

function llamafactory(ctx: AdapterContext): AdaptedSetup | NoSetup {
  if (ctx.value.model_name_or_path === undefined && (typeof ctx.value.model === 'string' || isObj(ctx.value.peft_config) || ctx.value.micro_batch_size !== undefined)) return llamafactoryV1(ctx);
  const r = new Reader(ctx, 'LLaMA-Factory');
  const model = r.text(['model_name_or_path']);
  if (!model) return noModel('model_name_or_path', 'LLaMA-Factory');
  if (r.flag(['do_train']) === false || (!r.has(['dataset']) && r.flag(['do_train']) !== true)) {
    return { reason: "No training here: without 'dataset' (or with do_train: false) this is an inference, evaluation or export config for llamafactory-cli chat/eval/export." };
  }
  r.set('model', model, 'model', ['model_name_or_path']);

  const typeRaw = r.text(['finetuning_type'])?.toLowerCase();
  const type = typeRaw ?? 'lora';
  const bits = r.int(['quantization_bit']);
  let method: Method;
  if (type === 'full') method = 'full';
  else if (type === 'freeze') method = 'freeze';
  else {
    method = 'lora';
    if (type !== 'lora') r.note(`method: finetuning_type ${type} is not modelled; estimated as LoRA.`);
  }
  if (!typeRaw) r.note("method: finetuning_type is not set; LLaMA-Factory's default is lora.");
  if (bits !== undefined && method !== 'lora') {
    r.note(`quantization: quantization_bit needs finetuning_type lora (LLaMA-Factory refuses quantized ${type}); ignored.`);
  } else if (bits !== undefined) {
    const qmethod = r.text(['quantization_method'])?.toLowerCase() ?? 'bnb';
    if (bits === 8) r.set('quantization', 'int8', 'quantization', ['quantization_bit']);
    else if (bits <= 4) {
      method = 'qlora';
      const qt = r.text(['quantization_type'])?.toLowerCase();
      r.set('quantization', qt === 'fp4' ? 'fp4' : 'nf4', 'quantization', qt ? ['quantization_type'] : ['quantization_bit']);
      const dq = r.flag(['double_quantization']);
      r.set('doubleQuant', dq ?? true, 'doubleQuant', dq !== undefined ? ['double_quantization'] : undefined);
      if (bits < 4) r.note(`quantization: ${bits}-bit (HQQ) weights estimated as 4-bit.`);
    } else r.note(`quantization_bit: ${bits} is not 2–8; ignored.`);
    if (qmethod !== 'bnb') r.note(`quantization: quantization_method ${qmethod} estimated as bitsandbytes ${bits === 8 ? 'int8' : '4-bit'} weights.`);
  }
  r.set('method', method, 'method', r.has(['finetuning_type']) ? ['finetuning_type'] : bits !== undefined && method === 'qlora' ? ['quantization_bit'] : undefined);

  if (method === 'lora' || method === 'qlora') {
    const rank = r.int(['lora_rank']);
    if (rank !== undefined) r.lora('rank', rank, ['lora_rank']);
    const alpha = r.num(['lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    else r.lora('alpha', (rank ?? 8) * 2);
    if (r.has(['lora_target'])) loraTargets(r, ['lora_target']);
    else {
      r.lora('targets', 'all-linear');
      r.note("LoRA targets: lora_target is not set; LLaMA-Factory's default is all (every linear layer).");
    }
    modulesToSave(r, ['additional_target']);
    if (r.flag(['resize_vocab']) === true && !r.has(['additional_target'])) {
      r.lora('trainEmbeddings', true, ['resize_vocab']);
      r.note('LoRA: resize_vocab makes LLaMA-Factory train the embeddings and LM head in full.');
    }
  } else if (method === 'freeze') {
    const n = r.int(['freeze_trainable_layers'], Number.MIN_SAFE_INTEGER);
    if (n !== undefined && n !== 0) {
      r.set('trainableLayers', Math.abs(n), 'trainableLayers', ['freeze_trainable_layers']);
      if (n < 0) r.note(`method: freeze_trainable_layers ${n} trains the first ${-n} layers; the estimate keeps activations as for the last ${-n} (an underestimate: backward then runs through every layer).`);
    } else if (n === undefined && !r.has(['freeze_trainable_layers'])) {
      r.set('trainableLayers', 2);
      r.note("method: freeze_trainable_layers is not set; LLaMA-Factory's default is the last 2 layers.");
    }
    const extra = r.text(['freeze_extra_modules']);
    if (extra) r.note(`method: freeze_extra_modules (${extra}) also trains those modules; not counted.`);
  }

  hfBatch(r);
  const cut = r.int(['cutoff_len']);
  if (cut !== undefined) r.set('sequenceLength', cut, 'sequenceLength', ['cutoff_len']);
  setPacked(r, r.flag(['neat_packing']) === true ? ['neat_packing'] : ['packing']);
  if (r.flag(['enable_liger_kernel']) === true) setLoss(r, 'fused', ['enable_liger_kernel'], "enable_liger_kernel (Liger's fused linear cross-entropy)");
  // LLaMA-Factory turns gradient checkpointing on unless disable_gradient_checkpointing is set.
  const noGc = r.flag(['disable_gradient_checkpointing']);
  r.set('gradientCheckpointing', noGc !== true, 'gradientCheckpointing', noGc !== undefined ? ['disable_gradient_checkpointing'] : undefined);
  if (noGc === undefined) r.note('gradient checkpointing: LLaMA-Factory turns it on unless disable_gradient_checkpointing is true.');

  // Precision: the model loads in the compute dtype (bf16/fp16, else the checkpoint's); trainable parameters are
  // then upcast to fp32 unless pure_bf16 (model/adapter.py). So full FT is bf16-mixed, pure_bf16 bf16-true.
  const pure = r.flag(['pure_bf16']) === true;
  const bf = r.flag(['bf16']) === true;
  const fp = r.flag(['fp16']) === true;
  if (method === 'full') {
    if (pure) r.set('precision', 'bf16-true', 'precision', ['pure_bf16']);
    else if (bf) {
      r.set('precision', 'bf16-mixed', 'precision', ['bf16']);
      r.note('precision: LLaMA-Factory upcasts the trainable weights to fp32 and trains with bf16 autocast (pure_bf16 would keep them bf16).');
    } else if (fp) r.set('precision', 'fp16-mixed', 'precision', ['fp16']);
    else {
      r.set('precision', 'fp32', 'precision', r.has(['bf16']) ? ['bf16'] : undefined);
      r.note('precision: neither bf16 nor fp16 is on; trainable weights are upcast to fp32 and train in fp32.');
    }
  } else {
    const path: ValuePath | undefined = pure ? ['pure_bf16'] : bf ? ['bf16'] : fp ? ['fp16'] : undefined;
    r.set('precision', fp && !bf && !pure ? 'fp16-true' : 'bf16-true', 'precision', path);
    if (!path) r.note("precision: neither bf16 nor fp16 is on; LLaMA-Factory loads the model in the checkpoint's dtype, assumed bf16.");
    if (!pure) r.note(`precision: the frozen weights stay ${fp && !bf ? 'fp16' : 'bf16'}; LLaMA-Factory upcasts the trainable ${method === 'freeze' ? 'layers' : 'LoRA weights'} to fp32.`);
  }

  if (r.has(['optim'])) setOptimizer(r, ['optim']);
  for (const k of ['use_galore', 'use_apollo', 'use_badam', 'use_adam_mini', 'use_muon']) {
    if (r.flag([k]) === true) r.note(`optimizer: ${k} changes the optimizer's memory; not modelled (estimated as ${r.setup.optimizer ?? 'adamw'}).`);
  }
  const fa = r.text(['flash_attn'])?.toLowerCase();
  if (fa) {
    const map: Record<string, Attention> = { disabled: 'eager', sdpa: 'sdpa', fa2: 'flash', fa3: 'flash' };
    if (map[fa]) r.set('attention', map[fa], 'attention', ['flash_attn']);
    else if (fa !== 'auto') r.note(`flash_attn: ${JSON.stringify(fa)} is not auto, disabled, sdpa, fa2 or fa3; ignored.`);
  }

  readDeepSpeed(r, ['deepspeed']);
  if (!r.setup.sharding) readHfFsdp(r, ['fsdp'], ['fsdp_config']);

  const stage = r.text(['stage'])?.toLowerCase();
  if (stage && stage !== 'sft' && stage !== 'pt') {
    const loss = r.text(['pref_loss'])?.toLowerCase() ?? 'sigmoid';
    const kind: TrainingKind = stage === 'dpo' ? (loss === 'orpo' || loss === 'simpo' ? 'orpo' : 'dpo') : stage === 'kto' ? 'kto' : stage === 'ppo' ? 'ppo' : stage === 'rm' ? 'rm' : 'other';
    const label = stage === 'dpo' && kind === 'orpo' ? loss.toUpperCase() : stage.toUpperCase();
    // The reference model loads in the compute dtype and is never upcast: 2 bytes per parameter.
    preferenceNotes(r, kind, label, method === 'lora' || method === 'qlora', ['orpo', 'simpo'].includes(loss), 2);
  }
  return r.finish();
}

/** LLaMA-Factory v1 (USE_V1=1): `model`, `peft_config`, `quant_config`, `dist_config`, `micro_batch_size`. */
function llamafactoryV1(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'LLaMA-Factory');
  const model = r.text(['model']);
  if (!model) return noModel('model', 'LLaMA-Factory');
  if (!r.has(['train_dataset'])) return { reason: "No training here: without 'train_dataset' this LLaMA-Factory v1 config exports, merges or serves a model." };
  r.set('model', model, 'model', ['model']);
  const peft = r.text(['peft_config', 'name'])?.toLowerCase();
  let method: Method = 'full';
  if (peft === 'lora') {
    method = 'lora';
    const rank = r.int(['peft_config', 'r']);
    if (rank !== undefined) r.lora('rank', rank, ['peft_config', 'r']);
    const alpha = r.num(['peft_config', 'lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    loraTargets(r, ['peft_config', 'target_modules']);
  } else if (peft === 'freeze') {
    method = 'freeze';
    const n = r.int(['peft_config', 'freeze_trainable_layers'], Number.MIN_SAFE_INTEGER);
    if (n !== undefined && n !== 0) r.set('trainableLayers', Math.abs(n), 'trainableLayers', ['peft_config', 'freeze_trainable_layers']);
  } else if (peft) r.note(`method: peft_config.name ${peft} is not modelled; estimated as full fine-tuning.`);
  const bits = r.int(['quant_config', 'quantization_bit']);
  if (bits !== undefined && method === 'lora') {
    if (bits === 8) r.set('quantization', 'int8', 'quantization', ['quant_config', 'quantization_bit']);
    else {
      method = 'qlora';
      r.set('quantization', 'nf4', 'quantization', ['quant_config', 'quantization_bit']);
    }
  }
  r.set('method', method, 'method', peft ? ['peft_config', 'name'] : undefined);
  const micro = r.int(['micro_batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['micro_batch_size']);
  const cut = r.int(['cutoff_len']);
  if (cut !== undefined) r.set('sequenceLength', cut, 'sequenceLength', ['cutoff_len']);
  const gc = r.flag(['enable_activation_checkpointing']);
  r.set('gradientCheckpointing', gc ?? true, 'gradientCheckpointing', gc !== undefined ? ['enable_activation_checkpointing'] : undefined);
  const bf = r.flag(['bf16']);
  const bfPath: ValuePath | undefined = bf !== undefined ? ['bf16'] : undefined;
  if (bf === false) r.set('precision', 'fp32', 'precision', bfPath);
  else {
    r.set('precision', method === 'full' ? 'bf16-mixed' : 'bf16-true', 'precision', bfPath);
    r.note(`precision: bf16${bf === undefined ? ' (on by default in LLaMA-Factory v1)' : ''}; assumed ${method === 'full' ? 'fp32 trainable weights with bf16 compute' : 'bf16 frozen weights'}.`);
  }
  const fa = r.text(['flash_attn'])?.toLowerCase();
  const map: Record<string, Attention> = { disabled: 'eager', sdpa: 'sdpa', fa2: 'flash', fa3: 'flash' };
  if (fa && map[fa]) r.set('attention', map[fa], 'attention', ['flash_attn']);
  const dist = r.text(['dist_config', 'name'])?.toLowerCase();
  if (dist && /fsdp/.test(dist)) r.set('sharding', 'fsdp', 'sharding', ['dist_config', 'name']);
  else if (dist === 'deepspeed') {
    const stage = r.int(['dist_config', 'stage'], 0);
    if (stage !== undefined && stage <= 3) r.set('sharding', stage === 0 ? 'ddp' : (`zero${stage}` as Sharding), 'sharding', ['dist_config', 'stage']);
    else r.note('sharding: dist_config deepspeed without a stage; the estimate assumes no sharding.');
  }
  r.note('LLaMA-Factory v1 format (USE_V1=1).');
  return r.finish();
}

// ---------------------------------------------------------------------------------------------------------
// TRL CLI and plain HF TrainingArguments

type TrlKind = 'sft' | 'dpo' | 'orpo' | 'kto' | 'grpo' | 'rloo' | 'rm' | 'gkd';

function trlKind(r: Reader): TrlKind {
  // The file's name and folders name the trainer (`recipes/.../dpo/config.yaml`, `grpo_config.yaml`); the most
  // specific word wins ("R1-Distill-...__grpo__" is GRPO).
  const where = r.ctx.path.toLowerCase().split(/[\\/]/).slice(-3).join('/');
  for (const k of ['grpo', 'rloo', 'dpo', 'orpo', 'kto', 'gkd', 'reward', 'sft']) {
    if (new RegExp(`(?:^|[\\/_.-])${k}(?=[\\/_.-]|$)`).test(where)) return k === 'reward' ? 'rm' : (k as TrlKind);
  }
  if (r.has(['teacher_model_name_or_path'])) return 'gkd';
  if (['num_generations', 'reward_funcs', 'max_completion_length', 'use_vllm'].some((k) => r.has([k]))) return 'grpo';
  if (['beta', 'precompute_ref_log_probs', 'rpo_alpha', 'ref_model_init_kwargs', 'max_prompt_length'].some((k) => r.has([k]))) return 'dpo';
  return 'sft';
}

/**
 * A training script's own method keys, as `ftw new --format script` writes them: PEFT's `peft_type: PREFIX_TUNING`
 * with `num_virtual_tokens`, or LLaMA-Factory's `freeze_trainable_layers` (the last N layers train).
 */
function scriptMethod(r: Reader, peft: boolean): void {
  const type = r.text(['peft_type'])?.toUpperCase();
  if (peft && type === 'PREFIX_TUNING') {
    r.set('method', 'prefix', 'method', ['peft_type']);
    delete r.setup.lora;
    const n = r.int(['num_virtual_tokens']);
    if (n !== undefined) r.set('prefix', { virtualTokens: n }, 'prefix', ['num_virtual_tokens']);
  } else if (peft && type && type !== 'LORA') {
    r.note(`method: peft_type ${type} is not modelled; estimated as LoRA.`);
  } else if (!peft && r.has(['freeze_trainable_layers'])) {
    const n = r.int(['freeze_trainable_layers']);
    if (n === undefined) return;
    r.set('method', 'freeze', 'method', ['freeze_trainable_layers']);
    r.set('trainableLayers', n, 'trainableLayers', ['freeze_trainable_layers']);
  }
}

function trl(ctx: AdapterContext, hfOnly: boolean): AdaptedSetup | NoSetup {
  const tool = hfOnly ? 'the training script' : 'TRL';
  const r = new Reader(ctx, hfOnly ? 'HF Trainer' : 'TRL');
  const model = r.text(['model_name_or_path']);
  if (!model) {
    if (hfOnly) return { reason: "No model is named: plain TrainingArguments files leave the model to the training script (add 'model_name_or_path' to estimate its memory)." };
    return noModel('model_name_or_path', tool);
  }
  r.set('model', model, 'model', ['model_name_or_path']);

  const peft = r.flag(['use_peft']) === true;
  if (peft) {
    r.set('method', 'lora', 'method', ['use_peft']);
    const rank = r.int(['lora_r']);
    if (rank !== undefined) r.lora('rank', rank, ['lora_r']);
    else if (!hfOnly) r.lora('rank', 16);
    const alpha = r.num(['lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    else if (!hfOnly) r.lora('alpha', 32);
    if (!hfOnly && (rank === undefined || alpha === undefined)) r.note("LoRA: TRL's defaults are lora_r 16 and lora_alpha 32.");
    if (r.has(['lora_target_modules'])) loraTargets(r, ['lora_target_modules']);
    else if (!hfOnly) {
      r.lora('targets', 'all-linear');
      r.note("LoRA targets: lora_target_modules is not set; TRL's CLI then adapts every linear layer (all-linear).");
    }
    modulesToSave(r, ['lora_modules_to_save']);
  } else {
    r.set('method', 'full');
  }
  if (hfOnly) scriptMethod(r, peft);
  hfQuantization(r, peft);

  hfBatch(r);
  const kind: TrlKind = hfOnly ? 'sft' : trlKind(r);
  let seqSet = false;
  if (kind === 'grpo' || kind === 'rloo') {
    const prompt = r.int(['max_prompt_length']);
    const completion = r.int(['max_completion_length']) ?? (r.has(['max_completion_length']) ? undefined : 512);
    if (completion !== undefined) {
      const total = (prompt ?? 0) + completion;
      r.set('sequenceLength', total, 'sequenceLength', r.has(['max_completion_length']) ? ['max_completion_length'] : prompt !== undefined ? ['max_prompt_length'] : undefined);
      r.note(prompt !== undefined ? `sequence length: max_prompt_length ${prompt} + max_completion_length ${completion}.` : `sequence length: max_completion_length ${completion} only; the prompt's length is not in the config.`);
      seqSet = true;
    }
  }
  if (!seqSet) {
    for (const key of hfOnly ? ['max_length', 'max_seq_length', 'model_max_length', 'block_size'] : ['max_length', 'max_seq_length']) {
      if (!r.has([key])) continue;
      const n = r.int([key]);
      if (n !== undefined) {
        r.set('sequenceLength', n, 'sequenceLength', [key]);
        seqSet = true;
      }
      break;
    }
    if (!seqSet && !hfOnly && !r.sources.sequenceLength && !r.has(['max_length']) && !r.has(['max_seq_length'])) {
      r.set('sequenceLength', 1024);
      r.note("sequence length: max_length is not set; TRL's default is 1024.");
    }
    if (!seqSet && hfOnly) r.note('sequence length: TrainingArguments do not set one; the estimate uses 2048.');
  }

  if (!hfOnly && (kind === 'sft' || kind === 'gkd')) setPacked(r, ['packing']);
  if (r.flag(['use_liger_kernel']) === true) setLoss(r, 'fused', ['use_liger_kernel'], "use_liger_kernel (Liger's fused linear cross-entropy)");

  const gc = r.flag(['gradient_checkpointing']);
  if (gc !== undefined) r.set('gradientCheckpointing', gc, 'gradientCheckpointing', ['gradient_checkpointing']);
  else if (!hfOnly) {
    r.set('gradientCheckpointing', true);
    r.note("gradient checkpointing: TRL's configs turn it on by default.");
  }

  const load = hfOnly
    ? loadDtype(r, 'fp32', 'precision: the config does not say which dtype the script loads the model in; assumed fp32 (bf16/fp16 then mean mixed precision).')
    : loadDtype(r, 'fp32', "precision: dtype is not set; TRL's CLI loads the model in float32 (its default).");
  hfPrecision(r, load, !hfOnly);
  if (!hfOnly && load.dtype === 'fp32' && r.raw(['bf16']) == null && r.flag(['fp16']) !== true) r.note("precision: bf16 is not set; TRL's configs turn it on unless fp16 is set.");

  if (r.has(['optim'])) setOptimizer(r, ['optim']);
  if (r.has(['attn_implementation'])) setAttention(r, ['attn_implementation']);
  readDeepSpeed(r, ['deepspeed']);
  if (!r.setup.sharding) readHfFsdp(r, ['fsdp'], ['fsdp_config']);
  if (!r.setup.sharding && !hfOnly) {
    const acc = r.text(['accelerate_config'])?.toLowerCase();
    const presets: Record<string, [Sharding, 'none' | 'optimizer' | 'all'] | undefined> = { zero1: ['zero1', 'none'], zero2: ['zero2', 'none'], zero3: ['zero3', 'none'], fsdp1: ['fsdp', 'none'], fsdp2: ['fsdp', 'none'], multi_gpu: ['ddp', 'none'] };
    const p = acc ? presets[acc] : undefined;
    if (p) r.set('sharding', p[0], 'sharding', ['accelerate_config']);
    else if (acc && acc !== 'single_gpu') r.note(`sharding: accelerate_config ${acc} is an Accelerate file; its sharding is read where it is launched, not here.`);
  }

  if (kind === 'gkd') {
    const teacher = r.text(['teacher_model_name_or_path']);
    if (teacher) {
      r.set('teacher', teacher, 'teacher', ['teacher_model_name_or_path']);
      if (!peft) r.set('method', 'distillation', 'method', ['teacher_model_name_or_path']);
    }
  } else if (kind !== 'sft') {
    const refFree = r.flag(['precompute_ref_log_probs']) === true;
    preferenceNotes(r, kind, kind === 'rm' ? 'Reward modelling' : kind.toUpperCase(), peft, refFree);
    if (refFree && kind === 'dpo') r.note('DPO reference model: precompute_ref_log_probs computes its log-probabilities before training; no reference model during the step.');
    if (kind === 'grpo' && r.setup.microBatchSize !== undefined) r.note('GRPO: per_device_train_batch_size counts completions (prompt + completion sequences).');
    if (kind === 'grpo') {
      const beta = r.num(['beta']);
      if (beta !== undefined && beta > 0 && !peft) r.note(`GRPO reference model: beta ${beta} keeps a frozen copy of the model, not counted.`);
    }
  }
  return r.finish();
}

// ---------------------------------------------------------------------------------------------------------
// torchtune

/** torchtune builder (without lora_/qlora_) → Hugging Face id. */
const TORCHTUNE_MODELS: Record<string, string> = {
  llama2_7b: 'meta-llama/Llama-2-7b-hf',
  llama2_13b: 'meta-llama/Llama-2-13b-hf',
  llama2_70b: 'meta-llama/Llama-2-70b-hf',
  llama3_8b: 'meta-llama/Meta-Llama-3-8B',
  llama3_70b: 'meta-llama/Meta-Llama-3-70B',
  llama3_1_8b: 'meta-llama/Llama-3.1-8B',
  llama3_1_70b: 'meta-llama/Llama-3.1-70B',
  llama3_1_405b: 'meta-llama/Llama-3.1-405B',
  llama3_2_1b: 'meta-llama/Llama-3.2-1B',
  llama3_2_3b: 'meta-llama/Llama-3.2-3B',
  llama3_2_vision_11b: 'meta-llama/Llama-3.2-11B-Vision',
  llama3_2_vision_90b: 'meta-llama/Llama-3.2-90B-Vision',
  llama3_3_70b: 'meta-llama/Llama-3.3-70B-Instruct',
  llama4_scout_17b_16e: 'meta-llama/Llama-4-Scout-17B-16E',
  llama4_maverick_17b_128e: 'meta-llama/Llama-4-Maverick-17B-128E',
  gemma_2b: 'google/gemma-2b',
  gemma_7b: 'google/gemma-7b',
  gemma2_2b: 'google/gemma-2-2b',
  gemma2_9b: 'google/gemma-2-9b',
  gemma2_27b: 'google/gemma-2-27b',
  mistral_7b: 'mistralai/Mistral-7B-v0.1',
  phi3_mini: 'microsoft/Phi-3-mini-4k-instruct',
  phi4_14b: 'microsoft/phi-4',
  qwen2_0_5b: 'Qwen/Qwen2-0.5B',
  qwen2_1_5b: 'Qwen/Qwen2-1.5B',
  qwen2_7b: 'Qwen/Qwen2-7B',
  qwen2_5_0_5b: 'Qwen/Qwen2.5-0.5B',
  qwen2_5_1_5b_base: 'Qwen/Qwen2.5-1.5B',
  qwen2_5_1_5b_instruct: 'Qwen/Qwen2.5-1.5B-Instruct',
  qwen2_5_3b: 'Qwen/Qwen2.5-3B',
  qwen2_5_7b_base: 'Qwen/Qwen2.5-7B',
  qwen2_5_7b_instruct: 'Qwen/Qwen2.5-7B-Instruct',
  qwen2_5_14b_base: 'Qwen/Qwen2.5-14B',
  qwen2_5_14b_instruct: 'Qwen/Qwen2.5-14B-Instruct',
  qwen2_5_32b_base: 'Qwen/Qwen2.5-32B',
  qwen2_5_32b_instruct: 'Qwen/Qwen2.5-32B-Instruct',
  qwen2_5_72b_base: 'Qwen/Qwen2.5-72B',
  qwen2_5_72b_instruct: 'Qwen/Qwen2.5-72B-Instruct',
  qwen3_0_6b_base: 'Qwen/Qwen3-0.6B-Base',
  qwen3_0_6b_instruct: 'Qwen/Qwen3-0.6B',
  qwen3_1_7b_base: 'Qwen/Qwen3-1.7B-Base',
  qwen3_1_7b_instruct: 'Qwen/Qwen3-1.7B',
  qwen3_4b_base: 'Qwen/Qwen3-4B-Base',
  qwen3_4b_instruct: 'Qwen/Qwen3-4B',
  qwen3_8b_base: 'Qwen/Qwen3-8B-Base',
  qwen3_8b_instruct: 'Qwen/Qwen3-8B',
  qwen3_14b_base: 'Qwen/Qwen3-14B-Base',
  qwen3_14b_instruct: 'Qwen/Qwen3-14B',
  qwen3_32b: 'Qwen/Qwen3-32B',
  smollm2_135m: 'HuggingFaceTB/SmolLM2-135M',
  smollm2_360m: 'HuggingFaceTB/SmolLM2-360M',
  smollm2_1_7b: 'HuggingFaceTB/SmolLM2-1.7B',
};

/** A torchtune model component → model id and LoRA kind; the checkpoint folder's name when the builder is unknown. */
function torchtuneModel(r: Reader, key: string, checkpointerKey: string): { id: string; path: ValuePath; kind: 'full' | 'lora' | 'qlora'; builder: string } | undefined {
  const comp = r.text([key, '_component_']);
  const builder = comp?.split('.').pop() ?? '';
  const kind = builder.startsWith('qlora_') ? 'qlora' : builder.startsWith('lora_') ? 'lora' : 'full';
  const base = builder.replace(/^q?lora_/, '');
  // Own properties only: a builder named `constructor` or `toString` is no model (the name is the user's text).
  const id = Object.prototype.hasOwnProperty.call(TORCHTUNE_MODELS, base) ? TORCHTUNE_MODELS[base] : undefined;
  if (id) return { id, path: [key, '_component_'], kind, builder };
  const dir = r.text([checkpointerKey, 'checkpoint_dir']);
  if (dir && !dir.includes('${')) {
    const name = basename(dir.replace(/[\\/]+$/, ''));
    if (name) {
      if (comp) r.note(`model: the builder ${builder} is not in the table of torchtune models; the model is named after ${checkpointerKey}.checkpoint_dir (${name}).`);
      return { id: name, path: [checkpointerKey, 'checkpoint_dir'], kind, builder };
    }
  }
  return undefined;
}

function torchtune(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'torchtune');
  if (!isObj(ctx.value.optimizer) && !isObj(ctx.value.policy_model)) return { reason: 'No training here: a torchtune config without an optimizer is for generation, evaluation or quantization.' };
  const m = torchtuneModel(r, 'model', 'checkpointer');
  if (!m) return { reason: "No model could be identified: 'model._component_' is not a known torchtune builder and 'checkpointer.checkpoint_dir' names no model folder." };
  r.set('model', m.id, 'model', m.path);
  let method: Method = m.kind;
  if (m.kind !== 'full') {
    if (r.flag(['model', 'quantize_base']) === true) method = 'qlora';
    r.set('method', method, 'method', ['model', '_component_']);
    if (method === 'qlora') {
      r.set('quantization', 'nf4', 'quantization', r.has(['model', 'quantize_base']) ? ['model', 'quantize_base'] : ['model', '_component_']);
      r.set('doubleQuant', true);
      r.note("quantization: torchtune's QLoRA stores the base in torchao NF4, whose scales are quantized again (like double quantization).");
    }
    const rank = r.int(['model', 'lora_rank']);
    if (rank !== undefined) r.lora('rank', rank, ['model', 'lora_rank']);
    const alpha = r.num(['model', 'lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    const attn = r.raw(['model', 'lora_attn_modules']);
    const targets: string[] = [];
    if (Array.isArray(attn)) for (const a of attn) if (typeof a === 'string') targets.push(a === 'output_proj' ? 'o_proj' : a);
    if (r.flag(['model', 'apply_lora_to_mlp']) === true) targets.push('gate_proj', 'up_proj', 'down_proj');
    if (r.flag(['model', 'apply_lora_to_output']) === true) targets.push('lm_head');
    if (targets.length) {
      r.lora('targets', targets, ['model', Array.isArray(attn) ? 'lora_attn_modules' : 'apply_lora_to_mlp']);
      if (targets.includes('o_proj') || targets.includes('gate_proj')) r.note("LoRA targets: torchtune's output_proj and MLP w1/w2/w3 are named o_proj and gate/up/down_proj as in Hugging Face models.");
    }
    if (r.flag(['model', 'use_dora']) === true) r.note('method: DoRA (use_dora) adds a magnitude vector and a norm per adapted layer; estimated as LoRA.');
  } else {
    r.set('method', 'full', 'method', m.path[0] === 'model' ? ['model', '_component_'] : undefined);
  }

  const teacher = r.has(['teacher_model']) ? torchtuneModel(r, 'teacher_model', 'teacher_checkpointer') : undefined;
  if (teacher) {
    r.set('teacher', teacher.id, 'teacher', teacher.path);
    if (method === 'full') r.set('method', 'distillation', 'method', teacher.path);
    r.note(`distillation: the teacher ${teacher.id} runs forward only, in the training dtype.`);
  } else if (r.has(['teacher_model'])) r.note('distillation: the teacher_model builder is not known; the teacher is not counted.');

  const micro = r.int(['batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['batch_size']);
  r.accumulation(['gradient_accumulation_steps']);
  const seqKey: ValuePath | undefined = r.has(['tokenizer', 'max_seq_len']) ? ['tokenizer', 'max_seq_len'] : r.has(['max_seq_len']) ? ['max_seq_len'] : undefined;
  const seq = seqKey ? r.int(seqKey) : undefined;
  if (seqKey && seq !== undefined) r.set('sequenceLength', seq, 'sequenceLength', seqKey);
  else if (!seqKey) r.note('sequence length: tokenizer.max_seq_len is not set, so samples are not truncated; the estimate uses 2048 (set max_seq_len to bound it).');
  setPacked(r, ['dataset', 'packed']);
  const gc = r.flag(['enable_activation_checkpointing']);
  if (gc !== undefined) r.set('gradientCheckpointing', gc, 'gradientCheckpointing', ['enable_activation_checkpointing']);
  if (r.flag(['enable_activation_offloading']) === true) r.note('gradient checkpointing: enable_activation_offloading moves the checkpoints to the CPU; the estimate keeps them on the GPU.');

  // torchtune trains in the dtype it loads (no fp32 master weights, no autocast).
  const dt = r.text(['dtype'])?.toLowerCase();
  if (dt === 'bf16') r.set('precision', 'bf16-true', 'precision', ['dtype']);
  else if (dt === 'fp32') r.set('precision', 'fp32', 'precision', ['dtype']);
  else if (dt === 'fp16') {
    r.set('precision', 'fp16-true', 'precision', ['dtype']);
    r.note("precision: torchtune's main recipes refuse fp16.");
  } else if (dt) r.note(`dtype: ${JSON.stringify(dt)} is not bf16, fp32 or fp16; ignored.`);

  const opt = r.text(['optimizer', '_component_']);
  if (opt) setOptimizer(r, ['optimizer', '_component_'], true);
  if (r.setup.optimizer === 'adamw' && r.flag(['optimizer', 'fused']) === true) {
    r.set('optimizer', 'adamw-fused', 'optimizer', ['optimizer', 'fused']);
    r.note('optimizer: fused AdamW steps one tensor at a time (no foreach temporaries).');
  }
  if (r.flag(['optimizer_in_bwd']) === true) r.note('optimizer_in_bwd steps each parameter during backward and frees its gradient; the estimate counts all gradients (an overestimate).');
  const loss = r.text(['loss', '_component_']) ?? '';
  if (/LinearCrossEntropy/.test(loss)) setLoss(r, 'fused', ['loss', '_component_'], loss.split('.').pop()!);
  else if (/Chunked/.test(loss)) setLoss(r, 'chunked', ['loss', '_component_'], loss.split('.').pop()!);

  // Distributed recipes shard with FSDP; a config alone does not say which recipe runs it.
  const offload = r.flag(['fsdp_cpu_offload']);
  const single = /single_device/.test(basename(ctx.path));
  if (offload === true) {
    r.set('sharding', 'fsdp', 'sharding', ['fsdp_cpu_offload']);
    r.set('offload', 'all', 'offload', ['fsdp_cpu_offload']);
  } else if (!single && ctx.launcherGpus !== undefined && ctx.launcherGpus > 1) {
    r.set('sharding', 'fsdp');
    r.note("sharding: torchtune's distributed recipes shard the model with FSDP over the launcher's GPUs.");
  } else if (!single) {
    r.note("sharding: torchtune's distributed recipes shard with FSDP over the GPUs given to `tune run --nproc_per_node`; the config alone does not say, so no sharding is assumed.");
  }
  const file = basename(ctx.path).toLowerCase();
  if (/ppo/.test(file) || r.has(['reward_and_value_model'])) preferenceNotes(r, 'ppo', 'PPO', false, false);
  else if (/grpo/.test(file)) preferenceNotes(r, 'grpo', 'GRPO', false, false);
  else if (/DPO/i.test(loss) || /dpo/.test(file)) preferenceNotes(r, 'dpo', 'DPO', r.setup.method === 'lora' || r.setup.method === 'qlora', false);
  return r.finish();
}

// ---------------------------------------------------------------------------------------------------------
// Lightning CLI

const LIGHTNING_MODEL_KEYS = ['model_name_or_path', 'pretrained_model_name_or_path', 'model_name', 'model_id', 'base_model', 'hf_model_name'];

function lightning(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'Lightning');
  // With the config given before the subcommand, everything is nested under `fit:`.
  const root: ValuePath = isObj(ctx.value.fit) && !isObj(ctx.value.trainer) ? ['fit'] : [];
  let modelPath: ValuePath | undefined;
  for (const base of [[...root, 'model', 'init_args'], [...root, 'model']]) {
    for (const k of LIGHTNING_MODEL_KEYS) {
      const v = r.raw([...base, k]);
      if (typeof v === 'string' && v.trim()) {
        modelPath = [...base, k];
        break;
      }
    }
    if (modelPath) break;
  }
  if (!modelPath) return { reason: `No Hugging Face model is named in the LightningModule's arguments (model.init_args.${LIGHTNING_MODEL_KEYS.slice(0, 3).join(' / ')}), so its memory cannot be estimated from the config.` };
  r.set('model', r.text(modelPath)!, 'model', modelPath);
  r.set('method', 'full');
  r.note("method: LoRA or quantization inside the LightningModule are invisible to the config; estimated as full fine-tuning.");

  const t = (k: string): ValuePath => [...root, 'trainer', k];
  const prec = r.raw(t('precision'));
  if (prec === undefined || prec === null) {
    r.set('precision', 'fp32');
    r.note("precision: trainer.precision is not set; Lightning's default is 32-true (fp32).");
  } else {
    const s = String(prec).trim().toLowerCase();
    const map: Record<string, Precision> = { 'bf16-mixed': 'bf16-mixed', bf16: 'bf16-mixed', '16-mixed': 'fp16-mixed', '16': 'fp16-mixed', 'bf16-true': 'bf16-true', '16-true': 'fp16-true', '32': 'fp32', '32-true': 'fp32', '64': 'fp32', '64-true': 'fp32', 'transformer-engine': 'bf16-mixed', 'transformer-engine-float16': 'fp16-mixed' };
    if (map[s]) {
      r.set('precision', map[s], 'precision', t('precision'));
      if (s.startsWith('64')) r.note('precision: 64-bit training estimated as fp32 (an underestimate by half).');
    } else r.note(`trainer.precision: ${JSON.stringify(prec)} is not a Lightning precision; ignored.`);
  }

  const devRaw = r.raw(t('devices'));
  let devices: number | undefined;
  if (Array.isArray(devRaw)) devices = devRaw.length || undefined;
  else if (typeof devRaw === 'string' && /^\s*\d+(\s*,\s*\d+)+\s*,?\s*$/.test(devRaw)) devices = devRaw.split(',').filter((s) => s.trim()).length;
  else if (devRaw !== undefined && devRaw !== null) {
    const n = asNumber(devRaw);
    if (n !== undefined && Number.isInteger(n) && n >= 1) devices = n;
    else if (isAuto(devRaw) || n === -1) r.note('trainer.devices: "auto"/-1 uses every visible GPU; the count is not in the config.');
    else r.note(`trainer.devices: ${JSON.stringify(devRaw)} is not a GPU count; ignored.`);
  }
  const accel = r.text(t('accelerator'))?.toLowerCase();
  if (accel === 'cpu') r.note('trainer.accelerator is cpu: the run does not use a GPU.');
  if (ctx.launcherGpus === undefined && devices !== undefined) {
    const nodes = r.int(t('num_nodes')) ?? 1;
    r.set('gpus', devices * nodes, 'gpus', t('devices'));
  }

  const strat = r.raw(t('strategy'));
  const applyStrategy = (name: string, path: ValuePath, args: Obj = {}) => {
    const s = name.toLowerCase();
    if (/deepspeed/.test(s)) {
      const stageM = /stage_([123])/.exec(s);
      const stage = stageM ? Number(stageM[1]) : asNumber(args.stage) ?? 2;
      if (![1, 2, 3].includes(stage)) return;
      r.set('sharding', `zero${stage}` as Sharding, 'sharding', path);
      if (!stageM && args.stage === undefined) r.note("sharding: Lightning's DeepSpeed strategy defaults to ZeRO stage 2.");
      const offParams = /offload/.test(s) && stage === 3 ? true : args.offload_parameters === true;
      const offOpt = /offload/.test(s) || args.offload_optimizer === true;
      if (offParams && stage === 3) r.set('offload', 'all', 'offload', path);
      else if (offOpt) r.set('offload', 'optimizer', 'offload', path);
    } else if (/fsdp/.test(s)) {
      r.set('sharding', 'fsdp', 'sharding', path);
      if (/offload/.test(s) || args.cpu_offload === true) r.set('offload', 'all', 'offload', path);
    } else if (/ddp/.test(s)) r.set('sharding', 'ddp', 'sharding', path);
  };
  if (typeof strat === 'string') applyStrategy(strat, t('strategy'));
  else if (isObj(strat) && typeof strat.class_path === 'string') applyStrategy(strat.class_path.split('.').pop() ?? '', t('strategy'), isObj(strat.init_args) ? strat.init_args : {});

  for (const base of [[...root, 'data', 'init_args'], [...root, 'data'], [...root, 'model', 'init_args']]) {
    if (r.setup.microBatchSize === undefined && r.has([...base, 'batch_size'])) {
      const n = r.int([...base, 'batch_size']);
      if (n !== undefined) r.set('microBatchSize', n, 'microBatchSize', [...base, 'batch_size']);
    }
    for (const k of ['max_length', 'max_seq_length', 'max_seq_len', 'block_size']) {
      if (r.setup.sequenceLength === undefined && r.has([...base, k])) {
        const n = r.int([...base, k]);
        if (n !== undefined) r.set('sequenceLength', n, 'sequenceLength', [...base, k]);
      }
    }
  }
  const acc = r.raw(t('accumulate_grad_batches'));
  if (acc !== undefined && acc !== null) r.accumulation(t('accumulate_grad_batches'));
  const opt = r.text([...root, 'optimizer', 'class_path']);
  if (opt) setOptimizer(r, [...root, 'optimizer', 'class_path'], true);
  return r.finish();
}

// ---------------------------------------------------------------------------------------------------------

/** Maps a loaded config onto a TrainingSetup, or says why it has none. Never throws. */
export function setupFromConfig(ctx: AdapterContext): AdaptedSetup | NoSetup {
  if (!isObj(ctx.value)) return { reason: 'The file is empty or not a mapping of settings, so it names no model to estimate.' };
  try {
    switch (ctx.format) {
      case 'axolotl':
        return axolotl(ctx);
      case 'llamafactory':
        return llamafactory(ctx);
      case 'trl':
        return trl(ctx, false);
      case 'hf-args':
        return trl(ctx, true);
      case 'torchtune':
        return torchtune(ctx);
      case 'lightning-cli':
        return lightning(ctx);
      case 'deepspeed':
        return { reason: 'A DeepSpeed file has no model: the estimate shows on the training config that references it.' };
      case 'accelerate':
        return { reason: 'An Accelerate config has no model: the estimate shows on the training config launched with it.' };
      case 'python-lightning':
        return { reason: 'A Lightning Python file has no training settings to read: the estimate shows on its Lightning CLI config.' };
      default:
        return { reason: 'Not a fine-tuning config.' };
    }
  } catch (e) {
    // A guard, not a path: the readers above check every value they touch.
    return { reason: `The config could not be read for an estimate (${e instanceof Error ? e.message : String(e)}).` };
  }
}

export function isNoSetup(r: AdaptedSetup | NoSetup): r is NoSetup {
  return 'reason' in r;
}
