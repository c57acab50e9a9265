/** Config → TrainingSetup: Readers shared by several formats: optimizer, attention, LoRA targets, packing, loss, DeepSpeed and FSDP, HF batch, precision and quantization, preference training. (index.ts gives the conventions every format follows.) */
import { basename } from '../../common/paths';
import type { ValuePath } from '../../common/valuePath';
import { asNumber } from '../../common/values';
import type { NoSetup } from '../adapterTypes';
import { DEFAULTS, type Attention, type Optimizer, type Precision, type Quantization, type Sharding } from '../setup';
import { type Obj, Reader, candidates, isObj, show } from './reader';

// Shared vocabularies

/** transformers `optim` names and Axolotl's own optimizers. */
function optimizerFromName(name: string): { value: Optimizer; note?: string } {
  const n = name.trim().toLowerCase();
  if (/^paged_adamw_8bit$/.test(n)) return { value: 'paged-adamw-8bit' };
  if (/^paged_adamw(_32bit)?$/.test(n)) return { value: 'paged-adamw' };
  if (/^(adamw_bnb_8bit|adamw_8bit|adamw_torch_8bit|ao_adamw_8bit|bnb_adamw8bit|adamw8bit)$/.test(n)) return { value: 'adamw-8bit' };
  if (/^(adamw_torch_4bit|ao_adamw_4bit)$/.test(n))
    return { value: 'adamw-8bit', note: `optimizer: ${name} keeps 4-bit states; estimated as 8-bit AdamW (slightly more).` };
  // torch.optim.AdamW runs foreach by default; fused kernels and HF's own for-loop AdamW step one tensor at a time.
  if (/^(adamw_torch_fused|adamw_hf|adamw_apex_fused|adamw_torch_npu_fused)$/.test(n)) return { value: 'adamw-fused' };
  if (
    /^(adamw_torch|adamw_torch_xla|adamw_torch_npu_fused|adamw|adam|optimi_adamw|adopt_adamw|stable_adamw|flash_adamw|flash_adam|schedule_free_adamw|schedule_free_radam|ao_adamw_fp8)$/.test(
      n,
    )
  )
    return { value: 'adamw' };
  if (n === 'adamw_anyprecision')
    return { value: 'adamw', note: 'optimizer: adamw_anyprecision keeps its states in bf16 by default; estimated as AdamW with fp32 states (more).' };
  if (/^(sgd|flash_sgd|flash_sgdw|schedule_free_sgd)$/.test(n)) return { value: 'sgd' };
  if (/^(adafactor|came_pytorch)$/.test(n)) return { value: 'adafactor' };
  if (/lion|rmsprop|adagrad/.test(n))
    return { value: 'sgd', note: `optimizer: ${name} keeps one state per parameter, like SGD with momentum; estimated as sgd.` };
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
export function attentionFromName(name: string): { value: Attention; note?: string } | undefined {
  const n = name.trim().toLowerCase();
  if (n === 'eager') return { value: 'eager' };
  if (n === 'sdpa' || n === 'sdp') return { value: 'sdpa' };
  if (/flash/.test(n)) return { value: 'flash' };
  if (/flex|xformers|sage|fp8/.test(n) || n.includes('/'))
    return { value: 'flash', note: `attention: ${name} does not keep the attention matrix, like FlashAttention; estimated as flash.` };
  return undefined;
}

export function setAttention(r: Reader, path: ValuePath): void {
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

export function setOptimizer(r: Reader, path: ValuePath, fromComponent = false): void {
  const name = r.text(path);
  if (name === undefined) return;
  const o = fromComponent ? optimizerFromComponent(name) : optimizerFromName(name);
  r.set('optimizer', o.value, 'optimizer', path);
  if (o.note) r.note(o.note);
}

/** LoRA targets from a list or a string: module names, "all-linear", or an Axolotl-style regex. */
export function loraTargets(r: Reader, path: ValuePath): void {
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
  for (const raw of items) {
    const s = raw.trim();
    if (!s) continue;
    if (/^[A-Za-z_][\w]*$/.test(s)) {
      names.add(s);
      continue;
    }
    regex = true;
    // `...(up|down|gate|q|k|v|o)_proj` → up_proj, down_proj, ...; literal `q_proj` tokens as they are.
    for (const m of s.matchAll(/\(([\w|]+)\)(_\w+)/g)) for (const alt of m[1].split('|')) if (alt) names.add(`${alt}${m[2]}`);
    for (const m of s.matchAll(/(?<![\w(|])([A-Za-z_]\w*_proj)\b/g)) names.add(m[1]);
    for (const m of s.matchAll(/\b(lm_head|embed_tokens)\b/g)) names.add(m[1]);
  }
  if (!names.size) {
    r.note(`${show(path)}: no module names could be read from ${JSON.stringify(v)}; the estimate uses its default targets.`);
    return;
  }
  r.lora('targets', [...names], path);
  if (regex) r.note(`${show(path)}: a regular expression; read as the modules ${[...names].join(', ')} in every layer.`);
}

const EMBEDDING_MODULES = /^(embed_tokens|lm_head|wte|word_embeddings|embed_out|output|tok_embeddings)$/;

export function modulesToSave(r: Reader, path: ValuePath): void {
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
export function setPacked(r: Reader, path: ValuePath): void {
  if (r.flag(path) === true) {
    r.set('packed', true, 'packed', path);
    r.note(`packing: ${show(path)} fills every sequence to the maximum length, so every step has the same shapes.`);
  }
}

/** use_reentrant: false (gradient_checkpointing_kwargs in HF TrainingArguments and Axolotl, use_reentrant_gc in
 *  LLaMA-Factory): checkpointing through saved-tensor hooks instead of transformers' reentrant default. */
export function setCheckpointImpl(r: Reader, path: ValuePath): void {
  if (r.flag(path) === false) r.set('checkpointing', 'non-reentrant', 'checkpointing', path);
}

/** A cross-entropy that does not materialise the full fp32 logits: a chunked one, or one fused with the LM head. */
export function setLoss(r: Reader, loss: 'chunked' | 'fused', path: ValuePath, what: string): void {
  r.set('loss', loss, 'loss', path);
  r.note(
    `loss: ${what} ${loss === 'fused' ? 'computes the logits chunk by chunk with the LM head' : 'upcasts the logits one chunk at a time'}; the estimate counts ${loss === 'fused' ? 'one chunk' : 'the logits in the compute dtype and the fp32 log-probabilities, without the full-vocabulary fp32 gradients'}.`,
  );
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
export function readDeepSpeed(r: Reader, key: ValuePath): void {
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
  const found = r.ctx.files
    ? candidates(r.ctx, file)
        .map((p) => ({ p, text: r.ctx.files!.read(p) }))
        .find((c) => c.text !== undefined)
    : undefined;
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
export function readHfFsdp(r: Reader, fsdpKey: ValuePath, configKey: ValuePath): void {
  const v = r.raw(fsdpKey);
  const cfg = r.raw(configKey);
  let options: string[] | undefined;
  if (typeof v === 'string')
    options = v.trim()
      ? v
          .trim()
          .toLowerCase()
          .split(/[\s,]+/)
      : undefined;
  else if (Array.isArray(v)) options = v.filter((s): s is string => typeof s === 'string').map((s) => s.trim().toLowerCase());
  else if (v === true) options = ['full_shard'];
  else if (v !== undefined && v !== null && v !== false) r.note(`${show(fsdpKey)}: ${JSON.stringify(v)} is not a list of FSDP options; ignored.`);
  const fsdpVersion = r.ctx.format === 'axolotl' ? (r.raw(['fsdp_version']) ?? (isObj(cfg) ? (cfg.fsdp_version ?? cfg.version) : undefined)) : undefined;
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
    r.note(
      `sharding: FSDP ${opts.find((o) => o === 'shard_grad_op' || o === 'hybrid_shard_zero2')} shards gradients and optimizer states but keeps the weights, like ZeRO-2.`,
    );
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

export function hfBatch(r: Reader): void {
  const micro = r.int(['per_device_train_batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['per_device_train_batch_size']);
  else if (!r.has(['per_device_train_batch_size'])) {
    r.set('microBatchSize', 8);
    r.note(`micro batch: per_device_train_batch_size is not set; ${r.tool} uses TrainingArguments' default of 8.`);
  }
  r.accumulation(['gradient_accumulation_steps']);
  hfEvaluation(r);
}

/** Evaluation during training: TrainingArguments evaluates when `eval_strategy` (`evaluation_strategy` before
 *  transformers 4.46) is "steps" or "epoch" (default "no"), with `per_device_eval_batch_size` (default 8), whatever
 *  the training batch is. */
function hfEvaluation(r: Reader): void {
  const key = r.has(['eval_strategy']) ? ['eval_strategy'] : ['evaluation_strategy'];
  const strategy = r.text(key)?.trim().toLowerCase();
  if (!strategy || strategy === 'no') return;
  const batch = r.int(['per_device_eval_batch_size']);
  if (batch !== undefined) r.set('evalMicroBatchSize', batch, 'evalMicroBatchSize', ['per_device_eval_batch_size']);
  else {
    r.set('evalMicroBatchSize', 8, 'evalMicroBatchSize', key);
    r.note(`evaluation: ${key[0]} "${strategy}" evaluates with per_device_eval_batch_size, not set here: TrainingArguments' default of 8.`);
  }
}

/** Weight dtype from a `dtype`/`torch_dtype` value: bf16, fp16, fp32, or undefined (auto/unknown). */
function dtypeOf(v: string): 'bf16' | 'fp16' | 'fp32' | 'auto' | undefined {
  const s = v
    .trim()
    .toLowerCase()
    .replace(/^torch\./, '');
  if (s === 'bfloat16' || s === 'bf16') return 'bf16';
  if (s === 'float16' || s === 'fp16' || s === 'half') return 'fp16';
  if (s === 'float32' || s === 'fp32' || s === 'float') return 'fp32';
  if (s === 'auto') return 'auto';
  return undefined;
}

/** Precision of an HF Trainer run: the dtype the model is loaded in, then the AMP flags. */
export function hfPrecision(r: Reader, load: { dtype: 'bf16' | 'fp16' | 'fp32'; path?: ValuePath }, bf16Default: boolean): void {
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
export function loadDtype(r: Reader, fallback: 'fp32', fallbackNote: string): { dtype: 'bf16' | 'fp16' | 'fp32'; path?: ValuePath } {
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

export function hfQuantization(r: Reader, peft: boolean): void {
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

export type TrainingKind = 'dpo' | 'orpo' | 'kto' | 'grpo' | 'ppo' | 'rm' | 'rloo' | 'other';

/** Preference and RL training: double the micro batch for paired losses, and say what is not counted. */
export function preferenceNotes(r: Reader, kind: TrainingKind, label: string, peft: boolean, refFree: boolean, refBytes?: number): void {
  if (kind === 'dpo' || kind === 'orpo') {
    const m = r.setup.microBatchSize ?? DEFAULTS.microBatchSize;
    r.set('microBatchSize', m * 2, 'microBatchSize', r.sources.microBatchSize);
    r.note(`micro batch: ${label} runs the chosen and rejected sequences of each pair together: ${m} pair${m === 1 ? '' : 's'} = ${m * 2} sequences.`);
    if (r.setup.evalMicroBatchSize !== undefined)
      r.set('evalMicroBatchSize', r.setup.evalMicroBatchSize * 2, 'evalMicroBatchSize', r.sources.evalMicroBatchSize);
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
export function prequantized(r: Reader): void {
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
export function noModel(key: string, tool: string): NoSetup {
  return { reason: `No model is named ('${key}' is missing or empty), so ${tool}'s memory cannot be estimated.` };
}
