import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/core/config';
import type { Analysis } from '../../server/src/core/document';
import { findGpu } from '../../server/src/core/gpus/catalog';
import {
  APPROACHES,
  configFormat,
  configPathFor,
  GEN_FORMATS,
  GEN_METHODS,
  newConfig,
  support,
  supportMatrix,
  type NewConfigRequest,
} from '../../server/src/core/generate';
import { doc, service } from './helpers';

const MODELS = ['NousResearch/Llama-3.2-1B', 'meta-llama/Llama-3.1-8B', 'Qwen/Qwen2.5-7B'];
const GPUS = ['RTX 3060 12GB', 'RTX 4090', 'A100 80GB'];

/** The generated text as the editor and `ftw vram --gpu` judge it: schema, rules and the estimate on that GPU. */
function judge(text: string, path: string, gpu: string): Analysis {
  return service().analyze(doc(text, path), { settings: DEFAULT_SETTINGS, vram: { targets: [findGpu(gpu)!], targetsAreReal: true, lookup: {} } });
}

const errors = (a: Analysis) => a.diagnostics.filter((d) => d.severity === 1).map((d) => `${d.code} ${d.message}`);

describe('support matrix', () => {
  it('covers every approach × format × method, with a reason for each unsupported cell', () => {
    const rows = supportMatrix();
    assert.equal(rows.length, APPROACHES.length * GEN_FORMATS.length * GEN_METHODS.length);
    for (const r of rows) {
      const where = `${r.approach}/${r.format}/${r.method}`;
      if (r.support.supported) assert.ok(r.support.how.length > 10, where);
      else assert.ok(r.support.reason.length > 40, `${where} needs a reason`);
      // The wizard shows the summary as a quick pick's detail line: it must fit (about 80 characters).
      assert.ok(
        r.support.summary.length >= 10 && r.support.summary.length <= 72,
        `${where}: summary of ${r.support.summary.length} characters: ${r.support.summary}`,
      );
    }
  });

  it('says what each tool lacks, naming its keys', () => {
    const reason = (a: 'classifier' | 'prompt-template', f: (typeof GEN_FORMATS)[number], m: (typeof GEN_METHODS)[number]) => {
      const s = support(a, f, m);
      assert.equal(s.supported, false, `${a}/${f}/${m}`);
      return s.supported ? '' : s.reason;
    };
    assert.match(reason('prompt-template', 'axolotl', 'prefix'), /no prefix tuning.*llama-adapter/s);
    assert.match(reason('prompt-template', 'axolotl', 'adapter'), /no bottleneck adapters.*lora, qlora and llama-adapter/);
    assert.match(reason('prompt-template', 'llamafactory', 'adapter'), /finetuning_type` is lora\|oft\|freeze\|full/);
    assert.match(reason('prompt-template', 'llamafactory', 'distillation'), /no knowledge distillation/);
    assert.match(reason('prompt-template', 'trl', 'prefix'), /LoraConfig only/);
    assert.match(reason('prompt-template', 'trl', 'freeze'), /no layer-freezing key/);
    assert.match(reason('prompt-template', 'torchtune', 'freeze'), /no freeze/);
    assert.match(reason('prompt-template', 'hf-args', 'lora'), /run_clm\.py.*no prompt or chat template/);
    assert.match(reason('classifier', 'llamafactory', 'full'), /stage: rm.*scalar value head/);
    assert.match(reason('classifier', 'trl', 'full'), /num_labels=1 on chosen\/rejected pairs/);
    assert.match(reason('classifier', 'torchtune', 'full'), /classifier builders.*no recipe trains them/);
    assert.match(reason('classifier', 'axolotl', 'full'), /reward_model: true/);
    assert.match(reason('classifier', 'hf-args', 'lora'), /does not use PEFT/);
    for (const m of ['full', 'lora', 'qlora', 'distillation'] as const) assert.equal(support('prompt-template', 'trl', m).supported, true);
    for (const m of ['full', 'freeze', 'lora', 'qlora', 'distillation'] as const) assert.equal(support('prompt-template', 'axolotl', m).supported, true);
    assert.equal(support('classifier', 'hf-args', 'full').supported, true);
  });
});

describe('ftw new: every supported combination', () => {
  let fitted = 0;
  let refused = 0;
  for (const approach of APPROACHES) {
    for (const format of GEN_FORMATS) {
      for (const method of GEN_METHODS) {
        const s = support(approach, format, method);
        if (!s.supported) {
          it(`${approach} × ${method} × ${format}: unsupported, says why`, () => {
            const r = newConfig({ approach, method, format, model: MODELS[0], gpu: 'RTX 4090' });
            assert.equal(r.ok, false);
            if (r.ok) return;
            assert.equal(r.kind, 'unsupported');
            assert.ok(r.message.includes(s.reason), r.message);
            assert.ok(r.suggestions.length > 0);
          });
          continue;
        }
        it(`${approach} × ${method} × ${format}: a valid config that fits, or what would fit`, () => {
          for (const model of MODELS) {
            for (const gpu of GPUS) {
              const where = `${approach}/${method}/${format} ${model} on ${gpu}`;
              const r = newConfig({ approach, method, format, model, gpu });
              if (!r.ok) {
                refused++;
                assert.ok(r.kind === 'does-not-fit' || (r.kind === 'bad-request' && method === 'distillation'), `${where}: ${r.kind} ${r.message}`);
                if (r.kind === 'does-not-fit') {
                  assert.match(r.message, /does not fit the .*(without changing the method|No change to the config makes it fit)/, where);
                  assert.ok(r.suggestions.length > 0, `${where}: suggests something`);
                } else assert.match(r.message, /--teacher|tokenizer/);
                continue;
              }
              fitted++;
              // A script's values are in the YAML beside it (a TrainingArguments file): that is what the editor judges.
              const name = format === 'script' ? configPathFor(r.config.suggestedFileName) : r.config.suggestedFileName;
              const a = judge(r.config.text, `/work/project/${name}`, gpu);
              assert.deepEqual(errors(a), [], `${where}: error-level diagnostics\n${r.config.text}`);
              assert.equal(a.detection.format, configFormat(format), where);
              const e = a.vram?.estimate;
              assert.ok(e, `${where}: no estimate (${a.vram?.unavailable?.reason ?? ''})`);
              assert.ok(
                e.gpus.every((g) => g.fits),
                `${where}: does not fit per ftw vram`,
              );
              assert.ok(!a.diagnostics.some((d) => d.code === 'FT401'), `${where}: VRAM diagnostic`);
              // What the generator promised is what the editor computes.
              assert.equal(Math.round(e.peakBytes), Math.round(r.config.estimate.peakBytes), where);
              // The method is the user's: QLoRA only when asked.
              const expected = method === 'distillation' ? (format === 'torchtune' ? 'lora' : format === 'axolotl' ? 'full' : 'distillation') : method;
              assert.equal(e.setup.method, expected, `${where}: method`);
              if (method !== 'qlora') assert.equal(e.setup.quantization, 'none', where);
              // Every chosen value says why, with the estimate.
              const k = r.config.knobs;
              assert.equal(k.microBatch * k.accumulation, 16, where);
              assert.match(
                r.config.text,
                new RegExp(`# micro batch ${k.microBatch} × accumulation ${k.accumulation} = 16 per step: ≈ [\\d.]+ GiB of [\\d.]+ GiB on the `),
                where,
              );
              assert.match(r.config.text, /# Gradient checkpointing (on: without it the run needs ≈ [\d.]+ GiB|off: not needed)/, where);
              assert.match(r.config.text, /tokens/, where);
              assert.match(r.config.text, /placeholder/, where);
              assert.match(r.config.text, new RegExp(`^# ftw: format=${configFormat(format)}$`, 'm'), where);
              assert.equal(r.config.script !== undefined, format === 'script', `${where}: a script only for --format script`);
            }
          }
        });
      }
    }
  }
  it('fits most combinations and refuses the rest with a reason', () => {
    assert.ok(fitted > 80, `fitted ${fitted}`);
    assert.ok(refused > 0, `refused ${refused}`);
  });
});

describe('ftw new: choices', () => {
  const ok = (req: NewConfigRequest) => {
    const r = newConfig(req);
    assert.ok(r.ok, r.ok ? '' : r.message);
    return r.config;
  };

  it('starts at micro batch 4 × 4, 2048 tokens, no checkpointing when the GPU has room', () => {
    const c = ok({ approach: 'prompt-template', method: 'qlora', model: 'NousResearch/Llama-3.2-1B', gpu: 'A100 80GB', format: 'axolotl' });
    assert.deepEqual(c.knobs, { microBatch: 4, accumulation: 4, sequenceLength: 2048, checkpointing: false, optimizer8bit: false });
    assert.match(c.text, /^sequence_len: 2048$/m);
    assert.match(c.text, /^gradient_checkpointing: false$/m);
    assert.match(c.text, /^adapter: qlora$/m);
    assert.match(c.text, /^load_in_4bit: true$/m);
  });

  it('turns checkpointing on, then halves the micro batch and doubles accumulation', () => {
    const c = ok({ approach: 'prompt-template', method: 'lora', model: 'NousResearch/Llama-3.2-1B', gpu: 'RTX 3060 12GB', format: 'axolotl' });
    assert.equal(c.knobs.checkpointing, true);
    assert.ok(c.knobs.microBatch < 4);
    assert.equal(c.knobs.sequenceLength, 2048);
    assert.match(
      c.text,
      /# micro batch \d × accumulation \d+ = 16 per step: ≈ [\d.]+ GiB of 12\.0 GiB on the RTX 3060 12GB \(micro batch \d needs ≈ [\d.]+ GiB\)\./,
    );
    assert.doesNotMatch(c.text, /load_in_4bit/);
  });

  it('shortens sequences last, not below 512, and says why', () => {
    const c = ok({ approach: 'prompt-template', method: 'qlora', model: 'meta-llama/Llama-3.1-8B', gpu: 'RTX 3060 12GB', format: 'llamafactory' });
    assert.equal(c.knobs.microBatch, 1);
    assert.equal(c.knobs.checkpointing, true);
    assert.ok(c.knobs.sequenceLength >= 512);
    if (c.knobs.sequenceLength < 2048) assert.match(c.text, /shortened from 2048 to fit/);
    assert.match(c.text, /LLaMA-Factory truncates every sample to cutoff_len/);
  });

  it('uses an 8-bit optimizer before shortening for full fine-tuning, and explains it', () => {
    const c = ok({ approach: 'prompt-template', method: 'full', model: 'NousResearch/Llama-3.2-1B', gpu: 'RTX 4090', format: 'trl' });
    if (c.knobs.optimizer8bit) assert.match(c.text, /8-bit AdamW \(bitsandbytes\): with fp32 AdamW states the run needs ≈/);
    else assert.match(c.text, /AdamW with fp32 states: fits/);
  });

  it("LoRA that cannot fit says so and lists the planner's answers: QLoRA first, then a GPU that keeps LoRA", () => {
    const r = newConfig({ approach: 'prompt-template', method: 'lora', model: 'meta-llama/Llama-3.1-8B', gpu: 'RTX 3060', format: 'trl' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, 'does-not-fit');
    assert.equal(r.message, 'meta-llama/Llama-3.1-8B with lora adapters does not fit the RTX 3060 12GB (12.0 GiB) without changing the method.');
    assert.match(
      r.suggestions[0],
      /^gradient checkpointing \+ micro batch 1 \(4× the accumulation\) \+ 1024-token sequences \+ QLoRA \(4-bit base\) on the RTX 3060 12GB: ≈ [\d.]+ GiB \(up to [\d.]+\) \(checkpointing recomputes/,
    );
    assert.match(r.suggestions[1], /^gradient checkpointing \+ micro batch 2 \(2× the accumulation\) on one L40S 48GB: ≈ /);
  });

  it('a model too big for any setting on the GPU says why, and names a smaller model of its family and GPUs that hold it', () => {
    const r = newConfig({ approach: 'prompt-template', method: 'qlora', model: 'meta-llama/Llama-3.1-405B', gpu: 'RTX 3060', format: 'axolotl' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.kind, 'does-not-fit');
    assert.match(
      r.message,
      /No change to the config makes it fit one RTX 3060 12GB: even with gradient checkpointing \+ micro batch 1 \(4× the accumulation\) \+ 512-token sequences it needs ≈ [\d.]+ GiB/,
    );
    assert.ok(
      r.suggestions.some((s) => /^meta-llama\/Meta-Llama-3-8B with /.test(s)),
      r.suggestions.join('\n'),
    );
    assert.ok(
      r.suggestions.some((s) => /H100 80GB with FSDP/.test(s)),
      r.suggestions.join('\n'),
    );
  });

  it('uses fp16 on GPUs without bf16 (and fp32 in torchtune, which refuses fp16)', () => {
    const a = ok({ approach: 'prompt-template', method: 'qlora', model: 'NousResearch/Llama-3.2-1B', gpu: 'T4', format: 'axolotl' });
    assert.match(a.text, /^fp16: true$/m);
    assert.match(a.text, /^bf16: false$/m);
    const t = ok({ approach: 'prompt-template', method: 'qlora', model: 'NousResearch/Llama-3.2-1B', gpu: 'T4', format: 'torchtune' });
    assert.match(t.text, /^dtype: fp32$/m);
  });

  it('distillation picks a larger teacher with the same tokenizer, or takes --teacher', () => {
    const c = ok({ approach: 'prompt-template', method: 'distillation', model: 'NousResearch/Llama-3.2-1B', gpu: 'A100 80GB', format: 'trl' });
    assert.equal(c.teacher, 'meta-llama/Llama-3.2-3B');
    assert.match(c.text, /^teacher_model_name_or_path: meta-llama\/Llama-3\.2-3B$/m);
    assert.equal(c.command, 'trl distillation --config FILE');
    const t = ok({
      approach: 'prompt-template',
      method: 'distillation',
      model: 'NousResearch/Llama-3.2-1B',
      gpu: 'A100 80GB',
      format: 'torchtune',
      teacher: 'meta-llama/Llama-3.1-8B',
    });
    assert.match(t.text, /_component_: torchtune\.models\.llama3_1\.llama3_1_8b/);
    assert.match(t.text, /_component_: torchtune\.models\.llama3_2\.lora_llama3_2_1b/);
    assert.match(t.suggestedFileName, /kd/);
    const bad = newConfig({
      approach: 'prompt-template',
      method: 'distillation',
      model: 'NousResearch/Llama-3.2-1B',
      gpu: 'A100 80GB',
      format: 'trl',
      teacher: 'Qwen/Qwen2.5-7B',
    });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.message, /must share a tokenizer/);
  });

  it('the classifier is run_classification.py with its own keys marked, and starts at 512 tokens', () => {
    const c = ok({ approach: 'classifier', method: 'full', model: 'google-bert/bert-base-uncased', gpu: 'RTX 3060', format: 'hf-args' });
    assert.match(c.text, /^max_seq_length: 512 # ftw: disable=FT101$/m);
    assert.match(c.text, /^label_column_name: label # ftw: disable=FT101$/m);
    assert.equal(c.command, 'python run_classification.py FILE');
    const a = judge(c.text, '/work/project/classifier.yaml', 'RTX 3060');
    assert.deepEqual(
      a.diagnostics.map((d) => d.code),
      [],
    );
  });

  it('rejects unknown GPUs and models with a clear message', () => {
    const g = newConfig({ approach: 'prompt-template', method: 'lora', model: 'NousResearch/Llama-3.2-1B', gpu: 'RTX 9999', format: 'axolotl' });
    assert.ok(!g.ok && g.kind === 'bad-request' && /Unknown GPU "RTX 9999"\. Known: .*RTX 3060 12GB/.test(g.message));
    const m = newConfig({ approach: 'prompt-template', method: 'lora', model: 'acme/unknown-model-7b', gpu: 'RTX 4090', format: 'axolotl' });
    assert.ok(!m.ok && m.kind === 'unknown-model' && /not in the built-in catalog/.test(m.message));
    const tt = newConfig({ approach: 'prompt-template', method: 'lora', model: 'microsoft/phi-2', gpu: 'RTX 4090', format: 'torchtune' });
    assert.ok(!tt.ok && tt.kind === 'unsupported' && /no.*builder|none is known/.test(tt.message));
  });

  it('models from the local cache work through the lookup', () => {
    const dims = {
      parameters: 1_000_000_000,
      hiddenSize: 2048,
      layers: 16,
      attentionHeads: 32,
      kvHeads: 8,
      headDim: 64,
      intermediateSize: 8192,
      vocabSize: 128256,
      tiedEmbeddings: true,
      mlp: 'gated' as const,
    };
    const r = newConfig({
      approach: 'prompt-template',
      method: 'lora',
      model: 'me/my-local-model',
      gpu: 'RTX 4090',
      format: 'llamafactory',
      lookup: { hfCache: (id) => (id === 'me/my-local-model' ? dims : undefined) },
    });
    assert.ok(r.ok, r.ok ? '' : r.message);
  });
});
