import type { Finding, Rule, RuleContext } from './types';
import { get, isTrue } from './values';

/** Where each format says "train in bf16", and how to switch that file to fp16. */
function bf16Settings(ctx: RuleContext): Array<{ path: string[]; on: boolean; fp16?: string[] }> {
  const v = ctx.value;
  switch (ctx.format) {
    case 'axolotl':
    case 'llamafactory':
    case 'trl':
    case 'hf-args':
      return [{ path: ['bf16'], on: isTrue(get(v, 'bf16')) || (ctx.format === 'axolotl' && get(v, 'bf16') === 'full'), fp16: ['fp16'] }];
    case 'deepspeed':
      return [{ path: ['bf16', 'enabled'], on: isTrue(get(v, 'bf16.enabled')) }];
    case 'accelerate':
      return [{ path: ['mixed_precision'], on: get(v, 'mixed_precision') === 'bf16' }];
    case 'lightning-cli': {
      const p = get(v, 'trainer.precision');
      return [{ path: ['trainer', 'precision'], on: typeof p === 'string' && p.startsWith('bf16') }];
    }
    case 'torchtune':
      return [{ path: ['dtype'], on: get(v, 'dtype') === 'bf16' }];
    default:
      return [];
  }
}

// bf16 needs compute capability 8.0+ (Ampere); transformers raises "Your setup doesn't support bf16/gpu" and
// Axolotl's check_bf16 warns that training will fail (research §3.5). Both fp16 and bf16 on is refused by
// TrainingArguments ("At most one of fp16 and bf16 can be True") and by DeepSpeed (§9.4).
export const precisionRule: Rule = {
  codes: ['FT205', 'FT206'],
  formats: ['axolotl', 'llamafactory', 'trl', 'hf-args', 'deepspeed', 'accelerate', 'lightning-cli', 'torchtune'],
  check(ctx) {
    const out: Finding[] = [];
    const old = ctx.gpus.filter((g) => g.computeCapability < 8.0);
    for (const s of bf16Settings(ctx)) {
      if (!s.on || !old.length) continue;
      const gpu = old[0];
      out.push({
        code: 'FT205',
        path: s.path,
        on: 'value',
        severity: 'error',
        message: `bf16 needs an Ampere or newer GPU (compute capability 8.0+); ${gpu.name} is ${gpu.computeCapability.toFixed(1)}${old.length > 1 ? ` (and ${old.length - 1} more of your GPUs)` : ''}. Training stops with "bf16 is not supported". Use fp16 on this GPU.`,
        fixes: s.fp16
          ? [
              {
                title: 'Train in fp16 instead',
                preferred: false,
                edits: [
                  { kind: 'set', path: s.path, text: 'false' },
                  { kind: 'set', path: s.fp16, text: 'true' },
                ],
              },
            ]
          : [],
      });
    }
    const both =
      ctx.format === 'deepspeed'
        ? isTrue(get(ctx.value, 'fp16.enabled')) && isTrue(get(ctx.value, 'bf16.enabled'))
        : ['axolotl', 'llamafactory', 'trl', 'hf-args'].includes(ctx.format) && isTrue(get(ctx.value, 'fp16')) && isTrue(get(ctx.value, 'bf16'));
    if (both) {
      const path = ctx.format === 'deepspeed' ? ['fp16', 'enabled'] : ['fp16'];
      const who =
        ctx.format === 'deepspeed'
          ? 'DeepSpeed ("bfloat16 and fp16 modes cannot be simultaneously enabled")'
          : 'transformers ("At most one of fp16 and bf16 can be True")';
      out.push({
        code: 'FT206',
        path,
        on: 'value',
        severity: 'error',
        message: `fp16 and bf16 are both on: ${who} refuses to start. Keep one.`,
        fixes: [{ title: 'Turn fp16 off', preferred: false, edits: [{ kind: 'set', path, text: 'false' }] }],
      });
    }
    return out;
  },
};
