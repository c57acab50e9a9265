/** Config → TrainingSetup: LightningCLI configs. (index.ts gives the conventions every format follows.) */
import type { ValuePath } from '../../common/valuePath';
import { asNumber, isAuto } from '../../common/values';
import type { AdaptedSetup, AdapterContext, NoSetup } from '../adapterTypes';
import { type Precision, type Sharding } from '../setup';
import { setOptimizer } from './common';
import { type Obj, Reader, isObj } from './reader';

// Lightning CLI

const LIGHTNING_MODEL_KEYS = ['model_name_or_path', 'pretrained_model_name_or_path', 'model_name', 'model_id', 'base_model', 'hf_model_name'];

export function lightning(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'Lightning');
  // With the config given before the subcommand, everything is nested under `fit:`.
  const root: ValuePath = isObj(ctx.value.fit) && !isObj(ctx.value.trainer) ? ['fit'] : [];
  let modelPath: ValuePath | undefined;
  for (const base of [
    [...root, 'model', 'init_args'],
    [...root, 'model'],
  ]) {
    for (const k of LIGHTNING_MODEL_KEYS) {
      const v = r.raw([...base, k]);
      if (typeof v === 'string' && v.trim()) {
        modelPath = [...base, k];
        break;
      }
    }
    if (modelPath) break;
  }
  if (!modelPath)
    return {
      reason: `No Hugging Face model is named in the LightningModule's arguments (model.init_args.${LIGHTNING_MODEL_KEYS.slice(0, 3).join(' / ')}), so its memory cannot be estimated from the config.`,
    };
  r.set('model', r.text(modelPath)!, 'model', modelPath);
  r.set('method', 'full');
  r.note('method: LoRA or quantization inside the LightningModule are invisible to the config; estimated as full fine-tuning.');

  const t = (k: string): ValuePath => [...root, 'trainer', k];
  const prec = r.raw(t('precision'));
  if (prec === undefined || prec === null) {
    r.set('precision', 'fp32');
    r.note("precision: trainer.precision is not set; Lightning's default is 32-true (fp32).");
  } else {
    const s = (typeof prec === 'string' ? prec : JSON.stringify(prec)).trim().toLowerCase();
    const map: Record<string, Precision> = {
      'bf16-mixed': 'bf16-mixed',
      bf16: 'bf16-mixed',
      '16-mixed': 'fp16-mixed',
      '16': 'fp16-mixed',
      'bf16-true': 'bf16-true',
      '16-true': 'fp16-true',
      '32': 'fp32',
      '32-true': 'fp32',
      '64': 'fp32',
      '64-true': 'fp32',
      'transformer-engine': 'bf16-mixed',
      'transformer-engine-float16': 'fp16-mixed',
    };
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
      const stage = stageM ? Number(stageM[1]) : (asNumber(args.stage) ?? 2);
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
  else if (isObj(strat) && typeof strat.class_path === 'string')
    applyStrategy(strat.class_path.split('.').pop() ?? '', t('strategy'), isObj(strat.init_args) ? strat.init_args : {});

  for (const base of [
    [...root, 'data', 'init_args'],
    [...root, 'data'],
    [...root, 'model', 'init_args'],
  ]) {
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
