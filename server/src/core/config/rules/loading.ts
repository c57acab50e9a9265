import { closest } from '../suggest';
import type { Finding, Rule } from './types';
import { pinnedBefore } from '../../common/versions';
import { linkedDeepspeedConfig } from './distributed';
import { isLlamaFactoryV1 } from '../detect';
import { asNumber, get, isAuto, isSet, isTrue } from './values';

// Checks the tools run when they load the model, minutes into a run (after the download): found before it starts.

/** Axolotl's built-in adapters (loaders/adapter.py load_adapter, v0.16.1 to v0.18.0+). */
const AXOLOTL_ADAPTERS = ['lora', 'qlora', 'llama-adapter'];

export const adapterRule: Rule = {
  codes: ['FT217'],
  formats: ['axolotl'],
  check({ value }) {
    const adapter = get(value, 'adapter');
    if (typeof adapter !== 'string' || !adapter || AXOLOTL_ADAPTERS.includes(adapter)) return [];
    // A plugin may register an adapter (PLUGIN_MANAGER.load_adapter / get_adapter_capability): only without one is
    // the name certainly unknown.
    const plugins = get(value, 'plugins');
    if (Array.isArray(plugins) && plugins.length) return [];
    const near = closest(adapter, AXOLOTL_ADAPTERS, 1)[0];
    return [
      {
        code: 'FT217',
        path: ['adapter'],
        on: 'value',
        severity: 'error',
        message: `'adapter: ${adapter}' is not an adapter Axolotl has (lora, qlora, llama-adapter) and no plugin is listed to register it: Axolotl stops with "is not built in and was not registered by a plugin" when it loads the model.${near ? ` Did you mean '${near}'?` : ''}`,
        fixes: near ? [{ title: `Change to '${near}'`, preferred: true, edits: [{ kind: 'set', path: ['adapter'], text: near }] }] : [],
      },
    ];
  },
};

/**
 * LLaMA-Factory's on-the-fly quantization (model/model_utils/quantization.py, configure_quantization; the bit checks
 * v0.9.4 to v0.9.5+, the ZeRO-3 checks since v0.8.3): bitsandbytes takes 4 or 8 bits, HQQ 1-6 or 8, EETQ 8; each
 * raises a ValueError otherwise. Under DeepSpeed ZeRO-3 (or FSDP, or `quantization_device_map: auto`) bitsandbytes
 * takes 4 bits only, and HQQ and EETQ not at all.
 */
const LF_BITS: Record<string, { bits: number[]; says: string; zero3?: string }> = {
  bnb: { bits: [4, 8], says: 'Bitsandbytes only accepts 4-bit or 8-bit quantization.' },
  hqq: {
    bits: [1, 2, 3, 4, 5, 6, 8],
    says: 'HQQ only accepts 1/2/3/4/5/6/8-bit quantization.',
    zero3: 'HQQ quantization is incompatible with DeepSpeed ZeRO-3 or FSDP.',
  },
  eetq: { bits: [8], says: 'EETQ only accepts 8-bit quantization.', zero3: 'EETQ quantization is incompatible with DeepSpeed ZeRO-3 or FSDP.' },
};
const LF_BNB_SHARDED = 'Only 4-bit quantized model can use fsdp+qlora or auto device map.';

/**
 * Models that are quantized already (their config.json has a quantization_config): LLaMA-Factory then ignores
 * quantization_bit with a warning and the on-the-fly checks never run. We cannot read config.json for every model,
 * so names that say so are left alone (gpt-oss ships MXFP4 weights without saying it in its name).
 */
const PRE_QUANTIZED = /gptq|awq|aqlm|fp8|mxfp4|bnb|gguf|exl2|eetq|hqq|quantized|[-_.]int[248]\b|\b[248]-?bit|gpt-oss/i;

export const quantizationBitRule: Rule = {
  codes: ['FT218'],
  formats: ['llamafactory'],
  check(ctx) {
    const { value } = ctx;
    const bit = asNumber(get(value, 'quantization_bit'));
    if (bit === undefined) return [];
    // Priority in configure_quantization: a pre-quantized model, then export_quantization_bit, then on the fly.
    if (isSet(get(value, 'export_quantization_bit'))) return [];
    const model = get(value, 'model_name_or_path');
    if (typeof model === 'string' && PRE_QUANTIZED.test(model)) return [];
    const method = get(value, 'quantization_method') ?? 'bnb';
    const allowed = typeof method === 'string' && Object.prototype.hasOwnProperty.call(LF_BITS, method) ? LF_BITS[method] : undefined;
    if (!allowed) return [];
    const withMethod =
      method === 'bnb'
        ? 'bitsandbytes (the default quantization_method)'
        : `quantization_method: ${typeof method === 'string' ? method : JSON.stringify(method)}`;
    if (!allowed.bits.includes(bit)) {
      return [
        {
          code: 'FT218',
          path: ['quantization_bit'],
          on: 'value',
          severity: 'error',
          message: `'quantization_bit: ${bit}' with ${withMethod}: LLaMA-Factory stops with "${allowed.says}" when it loads the model. Use ${allowed.bits.length === 1 ? allowed.bits[0] : `one of ${allowed.bits.join(', ')}`}.`,
        },
      ];
    }
    if (method === 'bnb' && bit === 4) return [];
    if (ctx.version && pinnedBefore(ctx.version, '0.8.3')) return [];
    const out: Finding[] = [];
    // Training with a device map is refused earlier, as the arguments are read (FT220).
    if (method === 'bnb' && isAuto(get(value, 'quantization_device_map'))) {
      if (isTrue(get(value, 'do_train'))) return out;
      out.push({
        code: 'FT218',
        path: ['quantization_bit'],
        on: 'value',
        severity: 'error',
        message: `'quantization_bit: ${bit}' with bitsandbytes and 'quantization_device_map: auto': LLaMA-Factory stops with "${LF_BNB_SHARDED}" when it loads the model. Use 4, or leave quantization_device_map unset.`,
      });
      return out;
    }
    // ZeRO-3 is on when the DeepSpeed config's zero_optimization.stage is the number 3 (Accelerate's HfDeepSpeedConfig
    // is_zero3, read by transformers' is_deepspeed_zero3_enabled). FSDP is switched on by the launch's environment
    // (ACCELERATE_USE_FSDP with FSDP_CPU_RAM_EFFICIENT_LOADING), which this config does not show: not judged.
    const ds = linkedDeepspeedConfig(ctx);
    if (!ds || get(ds.config, 'zero_optimization.stage') !== 3) return out;
    out.push({
      code: 'FT218',
      path: ['quantization_bit'],
      on: 'value',
      severity: 'error',
      message:
        method === 'bnb'
          ? `'quantization_bit: ${bit}' with bitsandbytes under DeepSpeed ZeRO-3 (${ds.name}): LLaMA-Factory stops with "${LF_BNB_SHARDED}" when it loads the model. Use 4 (QLoRA), or ZeRO-2.`
          : `${withMethod} under DeepSpeed ZeRO-3 (${ds.name}): LLaMA-Factory stops with "${allowed.zero3!}" when it loads the model. Use bitsandbytes (quantization_bit: 4), or ZeRO-2.`,
    });
    return out;
  },
};

/**
 * What LLaMA-Factory v0 refuses from the config alone: `_verify_model_args` and `_check_extra_args`-style checks in
 * hparams/parser.py (run by every command as it parses the arguments) and `_setup_lora_tuning` in model/adapter.py
 * (run when it builds the adapter, after the model is loaded). Each entry: the release it first has it (0.8.0 is the
 * oldest we read), and the message it stops with (parser.py lines at ff6d4d12: 232-249, 492-493; adapter.py
 * 252-260 at v0.9.5).
 */
export const llamaFactoryArgsRule: Rule = {
  codes: ['FT220'],
  formats: ['llamafactory'],
  check(ctx) {
    const { value, version } = ctx;
    if (isLlamaFactoryV1(value)) return []; // v1 has its own arguments and checks
    if (version && pinnedBefore(version, '0.8.0')) return [];
    const since = (release: string): boolean => !version || !pinnedBefore(version, release);
    const type = get(value, 'finetuning_type') ?? 'lora'; // FinetuningArguments' default
    if (typeof type !== 'string') return [];
    const out: Finding[] = [];
    const stop = (path: string[], on: 'key' | 'value', what: string, says: string, when: string): void => {
      out.push({ code: 'FT220', path, on, severity: 'error', message: `${what}: LLaMA-Factory stops with "${says}" ${when}.` });
    };
    const parsing = 'as it reads the arguments';
    const adapter = get(value, 'adapter_name_or_path');
    if (adapter !== undefined && adapter !== null && type !== 'lora') {
      stop(['adapter_name_or_path'], 'key', `'adapter_name_or_path' with 'finetuning_type: ${type}'`, 'Adapter is only valid for the LoRA method.', parsing);
    }
    const bit = get(value, 'quantization_bit');
    if (bit !== undefined && bit !== null) {
      const oft = since('0.9.4'); // OFT arrived in 0.9.4, and with it the "LoRA or OFT" wording
      if (!(type === 'lora' || (oft && type === 'oft'))) {
        stop(
          ['quantization_bit'],
          'key',
          `'quantization_bit' with 'finetuning_type: ${type}'`,
          oft ? 'Quantization is only compatible with the LoRA or OFT method.' : 'Quantization is only compatible with the LoRA method.',
          parsing,
        );
      } else if (isTrue(get(value, 'pissa_init')) && since('0.8.2')) {
        stop(
          ['pissa_init'],
          'key',
          "'pissa_init' with 'quantization_bit'",
          'Please use scripts/pissa_init.py to initialize PiSSA for a quantized model.',
          parsing,
        );
      } else if (isTrue(get(value, 'resize_vocab'))) {
        stop(['resize_vocab'], 'key', "'resize_vocab' with 'quantization_bit'", 'Cannot resize embedding layers of a quantized model.', parsing);
      } else if (typeof adapter === 'string' && isTrue(get(value, 'create_new_adapter'))) {
        stop(
          ['create_new_adapter'],
          'key',
          "'create_new_adapter' on a quantized model with 'adapter_name_or_path'",
          'Cannot create new adapter upon a quantized model.',
          parsing,
        );
      } else if (typeof adapter === 'string' && adapter.split(',').length > 1) {
        // ModelArguments.__post_init__ splits adapter_name_or_path on commas.
        stop(
          ['adapter_name_or_path'],
          'value',
          "Several adapters with 'quantization_bit'",
          'Quantized model only accepts a single adapter. Merge them first.',
          parsing,
        );
      }
    }
    const training = isTrue(get(value, 'do_train'));
    if (training && isAuto(get(value, 'quantization_device_map'))) {
      stop(
        ['quantization_device_map'],
        'value',
        "'quantization_device_map: auto' with 'do_train: true'",
        'Cannot use device map for quantized models in training.',
        parsing,
      );
    }
    // get_train_args (`llamafactory-cli train`): a config for it sets do_train, do_eval or do_predict.
    const trainCommand = training || isTrue(get(value, 'do_eval')) || isTrue(get(value, 'do_predict'));
    if (trainCommand) {
      const stage = get(value, 'stage') ?? 'sft';
      if (stage !== 'sft') {
        const onlySft = (key: string, says: string, release: string): void => {
          if (isTrue(get(value, key)) && since(release))
            stop([key], 'key', `'${key}' with 'stage: ${typeof stage === 'string' ? stage : JSON.stringify(stage)}'`, says, parsing);
        };
        onlySft('predict_with_generate', '`predict_with_generate` cannot be set as True except SFT.', '0.8.0');
        onlySft('neat_packing', '`neat_packing` cannot be set as True except SFT.', '0.8.3');
        onlySft('train_on_prompt', '`train_on_prompt` or `mask_history` cannot be set as True except SFT.', '0.9.0');
        if (!isTrue(get(value, 'train_on_prompt'))) onlySft('mask_history', '`train_on_prompt` or `mask_history` cannot be set as True except SFT.', '0.9.0');
      } else if (isTrue(get(value, 'do_predict')) && !isTrue(get(value, 'predict_with_generate'))) {
        stop(
          ['do_predict'],
          'key',
          "'do_predict' without 'predict_with_generate: true'",
          'Please enable `predict_with_generate` to save model predictions.',
          parsing,
        );
      }
      if ((stage === 'rm' || stage === 'ppo') && isTrue(get(value, 'load_best_model_at_end'))) {
        stop(
          ['load_best_model_at_end'],
          'key',
          `'load_best_model_at_end' with 'stage: ${stage}'`,
          'RM and PPO stages do not support `load_best_model_at_end`.',
          parsing,
        );
      }
      const maxSteps = get(value, 'max_steps');
      if (isTrue(get(value, 'streaming')) && (maxSteps === undefined || maxSteps === null || maxSteps === -1)) {
        stop(['streaming'], 'key', "'streaming: true' without 'max_steps'", 'Please specify `max_steps` in streaming mode.', parsing);
      }
      const galore = isTrue(get(value, 'use_galore'));
      const apollo = isTrue(get(value, 'use_apollo'));
      if (isSet(get(value, 'deepspeed')) && since('0.8.3') && (galore || (apollo && since('0.9.2')))) {
        stop(
          [galore ? 'use_galore' : 'use_apollo'],
          'key',
          `'${galore ? 'use_galore' : 'use_apollo'}' with 'deepspeed'`,
          since('0.9.2') ? 'GaLore and APOLLO are incompatible with DeepSpeed yet.' : 'GaLore is incompatible with DeepSpeed yet.',
          parsing,
        );
      }
      if (isTrue(get(value, 'predict_with_generate')) && isTrue(get(value, 'compute_accuracy')) && since('0.8.3')) {
        stop(
          ['compute_accuracy'],
          'key',
          "'compute_accuracy' with 'predict_with_generate'",
          'Cannot use `predict_with_generate` and `compute_accuracy` together.',
          parsing,
        );
      }
      // Under DeepSpeed ZeRO-3 (the linked JSON's zero_optimization.stage is the number 3, as for FT218).
      const ds = linkedDeepspeedConfig(ctx);
      if (ds && get(ds.config, 'zero_optimization.stage') === 3) {
        const underZero3 = (key: string, says: string, release: string, note = ''): void => {
          if (isTrue(get(value, key)) && since(release))
            stop([key], 'key', `'${key}' under DeepSpeed ZeRO-3 (${ds.name})`, says, `as it reads the arguments${note}`);
        };
        underZero3('predict_with_generate', '`predict_with_generate` is incompatible with DeepSpeed ZeRO-3.', '0.9.0');
        underZero3('pissa_init', 'Please use scripts/pissa_init.py to initialize PiSSA in DeepSpeed ZeRO-3.', '0.8.3');
        underZero3(
          'pure_bf16',
          '`pure_bf16` is incompatible with DeepSpeed ZeRO-3.',
          '0.8.3',
          ' (on a GPU with bf16; on others, "This device does not support `pure_bf16`." comes first)',
        );
        underZero3('use_unsloth', 'Unsloth is incompatible with DeepSpeed ZeRO-3.', '0.8.0');
        underZero3('use_kt', 'KTransformers is incompatible with DeepSpeed ZeRO-3.', '0.9.4');
      }
      const backend = get(value, 'infer_backend');
      if (backend === 'vllm' || (backend === 'sglang' && since('0.9.3'))) {
        stop(
          ['infer_backend'],
          'value',
          `'infer_backend: ${backend}' in a training config`,
          since('0.9.3') ? 'vLLM/SGLang backend is only available for API, CLI and Web.' : 'vLLM backend is only available for API, CLI and Web.',
          parsing,
        );
      }
    }
    // A new OFT adapter (do_train, and no adapter to resume: OFT refuses adapter_name_or_path above).
    if (training && type === 'oft' && adapter == null) {
      if (isTrue(get(value, 'use_kt')) && since('0.9.5')) {
        stop(
          ['finetuning_type'],
          'value',
          "'finetuning_type: oft' with 'use_kt: true'",
          'KTransformers only supports LoRA finetuning.',
          'when it builds the adapter, after loading the model',
        );
      } else if (!isTrue(get(value, 'use_kt')) && isTrue(get(value, 'use_unsloth')) && since('0.9.4')) {
        stop(
          ['finetuning_type'],
          'value',
          "'finetuning_type: oft' with 'use_unsloth: true'",
          'Unsloth is currently not supported for OFT.',
          'when it builds the adapter, after loading the model',
        );
      }
    }
    return out;
  },
};

/**
 * TRL's DPOConfig.__post_init__ (trl/trainer/dpo_config.py; v0.20.0, where `loss_weights` arrived, to v1.9.0+):
 * one weight per loss type. `loss_weights` is DPOConfig's alone, so the key says which config reads it. A string
 * `loss_type` (or none: the default is `sigmoid`) counts as one type.
 */
export const dpoLossWeightsRule: Rule = {
  codes: ['FT221'],
  formats: ['trl'],
  check({ value, version }) {
    const weights = get(value, 'loss_weights');
    if (!Array.isArray(weights)) return [];
    const type = get(value, 'loss_type');
    const types = type === undefined || type === null ? 1 : Array.isArray(type) ? type.length : typeof type === 'string' ? 1 : undefined;
    if (types === undefined || weights.length === types) return [];
    const says =
      version && pinnedBefore(version, '0.29.0')
        ? 'Length of loss_weights list (...) must match number of loss types (...).' // v0.20.0 to v0.28.x
        : '`loss_weights` must have the same length as `loss_type` when combining multiple losses.';
    return [
      {
        code: 'FT221',
        path: ['loss_weights'],
        severity: 'error',
        message: `${weights.length} loss weight${weights.length === 1 ? '' : 's'} for ${types} loss type${types === 1 ? '' : 's'}${type === undefined ? " (loss_type is unset: 'sigmoid')" : ''}: TRL's DPOConfig stops with "${says}" as it reads the arguments.`,
      },
    ];
  },
};
