import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS, fixesOf } from '../../server/src/core/config';
import type { Analysis, VramContext } from '../../server/src/core/document';
import { findGpu, type GpuInfo } from '../../server/src/core/gpus/catalog';
import { vramBreakdown, vramCodeLenses, vramHover, vramInlayHints } from '../../server/src/core/vram/editor';
import { doc, service } from './helpers';

const gpu = (name: string): GpuInfo => findGpu(name)!;
const real = (...names: string[]): VramContext => ({ targets: names.map(gpu), targetsAreReal: true, lookup: {} });
const representative: VramContext = { targets: [gpu('RTX 3060 12GB'), gpu('RTX 3090'), gpu('A100 80GB')], targetsAreReal: false, lookup: {} };

function run(text: string, path: string, vram: VramContext, files: Record<string, string> = {}): { a: Analysis; d: TextDocument } {
  const d = doc(text, path);
  const a = service().analyze(d, { settings: DEFAULT_SETTINGS, vram, roots: ['/w'], files: { read: (p) => files[p] } });
  return { a, d };
}

const total = (a: Analysis) => a.vram!.estimate!.peakBytes + a.vram!.estimate!.contextBytes;
const vramDiag = (a: Analysis, code = 'FT401') => a.diagnostics.find((x) => x.code === code);

const AXOLOTL_7B = [
  'base_model: NousResearch/Llama-2-7b-hf',
  'adapter: lora',
  'lora_r: 8',
  'lora_alpha: 16',
  'lora_target_modules: [q_proj, v_proj]',
  'sequence_len: 4096',
  'micro_batch_size: 4',
  'gradient_accumulation_steps: 2',
  'bf16: true',
  'learning_rate: 0.0002',
  'datasets:',
  '  - path: tatsu-lab/alpaca',
  '    type: alpaca',
  'output_dir: ./out',
].join('\n');

const CONFIGS: Array<{ name: string; path: string; text: string }> = [
  { name: 'Axolotl', path: '/w/axolotl.yml', text: AXOLOTL_7B },
  {
    name: 'LLaMA-Factory',
    path: '/w/llamafactory.yaml',
    text: [
      'model_name_or_path: meta-llama/Llama-2-7b-hf',
      'stage: sft',
      'do_train: true',
      'finetuning_type: lora',
      'lora_target: q_proj,v_proj',
      'dataset: alpaca_en_demo',
      'template: llama2',
      'cutoff_len: 4096',
      'per_device_train_batch_size: 4',
      'gradient_accumulation_steps: 2',
      'disable_gradient_checkpointing: true',
      'bf16: true',
      'output_dir: saves/out',
    ].join('\n'),
  },
  {
    name: 'TRL',
    path: '/w/trl_sft.yaml',
    text: [
      'model_name_or_path: meta-llama/Llama-2-7b-hf',
      'dataset_name: trl-lib/Capybara',
      'use_peft: true',
      'lora_r: 8',
      'lora_target_modules: [q_proj, v_proj]',
      'max_length: 4096',
      'per_device_train_batch_size: 4',
      'gradient_accumulation_steps: 2',
      'gradient_checkpointing: false',
      'torch_dtype: bfloat16',
      'bf16: true',
      'output_dir: out',
    ].join('\n'),
  },
  {
    name: 'torchtune',
    path: '/w/7B_lora_single_device.yaml',
    text: [
      'model:',
      '  _component_: torchtune.models.llama2.lora_llama2_7b',
      '  lora_attn_modules: [q_proj, v_proj]',
      '  lora_rank: 8',
      '  lora_alpha: 16',
      'tokenizer:',
      '  _component_: torchtune.models.llama2.llama2_tokenizer',
      '  path: /tmp/Llama-2-7b-hf/tokenizer.model',
      '  max_seq_len: 4096',
      'checkpointer:',
      '  _component_: torchtune.training.FullModelHFCheckpointer',
      '  checkpoint_dir: /tmp/Llama-2-7b-hf',
      '  checkpoint_files: [pytorch_model-00001-of-00002.bin]',
      '  output_dir: /tmp/out',
      '  model_type: LLAMA2',
      'dataset:',
      '  _component_: torchtune.datasets.alpaca_cleaned_dataset',
      'optimizer:',
      '  _component_: torch.optim.AdamW',
      '  lr: 3e-4',
      'loss:',
      '  _component_: torchtune.modules.loss.CEWithChunkedOutputLoss',
      'batch_size: 4',
      'epochs: 1',
      'gradient_accumulation_steps: 2',
      'enable_activation_checkpointing: False',
      'device: cuda',
      'dtype: bf16',
      'output_dir: /tmp/out',
    ].join('\n'),
  },
];

describe('vram: the misfit warning and its fixes, per format', () => {
  for (const c of CONFIGS) {
    it(`${c.name}: a 7B LoRA at micro batch 4 × 4096 on an RTX 3060 is FT401 on the model, and every fix leads to the estimate it states`, () => {
      const { a, d } = run(c.text, c.path, real('RTX 3060 12GB'));
      const diag = vramDiag(a);
      assert.ok(diag, `no FT401 in ${JSON.stringify(a.diagnostics.map((x) => x.code))}`);
      assert.equal(diag.severity, 2);
      assert.match(
        diag.message,
        /^Needs ≈ \d+\.\d GiB \(up to [\d.]+\) \(.*\), more than the RTX 3060 12GB \(12\.0 GiB\) offers: the run stops with CUDA out of memory\. What would fit: /,
      );
      assert.equal(
        d.getText(diag.range),
        /torchtune/.test(c.name)
          ? 'torchtune.models.llama2.lora_llama2_7b'
          : /meta-llama|NousResearch/.test(d.getText(diag.range))
            ? d.getText(diag.range)
            : '',
      );
      const fixes = fixesOf(diag);
      assert.ok(fixes.length >= 3, `only ${fixes.length} fixes: ${fixes.map((f) => f.title).join(' | ')}`);
      const before = total(a);
      // First the planner's answers that the format can write (one edit each), then single changes.
      const v = a.vram!;
      const answers = (v.plan?.answers ?? [])
        .filter((_, i) => v.planEdits[i]?.length)
        .map((x) => ({ title: `Make it fit: ${x.description}`, estimate: x.estimate }));
      assert.ok(answers.length >= 1, `${c.name}: no plan answer as a fix`);
      const statements = [...answers, ...v.options.filter((o) => o.edits?.length)];
      for (const [i, fix] of fixes.entries()) {
        const stated = statements[i];
        assert.ok(fix.title.startsWith(stated.title), `${fix.title} vs ${stated.title}`);
        const after = TextDocument.applyEdits(d, fix.edits);
        const created = fix.create ? { [decodeURI(fix.create.uri.replace(/^file:\/\//, ''))]: fix.create.content } : {};
        const again = run(after, c.path, real('RTX 3060 12GB'), created).a;
        assert.ok(again.vram?.estimate, `${fix.title}: no estimate after the edit: ${again.vram?.unavailable?.reason}`);
        assert.equal(
          Math.round(total(again) / 2 ** 20),
          Math.round((stated.estimate.peakBytes + stated.estimate.contextBytes) / 2 ** 20),
          `${c.name}: "${fix.title}" leads to another estimate:\n${after}`,
        );
        assert.ok(total(again) < before, fix.title);
        assert.equal(
          again.diagnostics.filter((x) => x.severity === 1).length,
          a.diagnostics.filter((x) => x.severity === 1).length,
          `${fix.title} added an error: ${JSON.stringify(again.diagnostics.map((x) => x.message))}`,
        );
      }
    });
  }

  it('fixes are ranked: those that fit first, then by memory saved', () => {
    const { a } = run(AXOLOTL_7B, '/w/axolotl.yml', real('RTX 3060 12GB'));
    const o = a.vram!.options;
    for (let i = 1; i < o.length; i++) {
      assert.ok(
        Number(o[i - 1].fits) > Number(o[i].fits) || (o[i - 1].fits === o[i].fits && o[i - 1].savedBytes >= o[i].savedBytes),
        `${o[i - 1].title} before ${o[i].title}`,
      );
    }
  });

  it('half the micro batch doubles the accumulation (same effective batch)', () => {
    const { a, d } = run(AXOLOTL_7B, '/w/axolotl.yml', real('RTX 3060 12GB'));
    const fix = fixesOf(vramDiag(a)!).find((f) => f.title.startsWith('Micro batch 2'))!;
    assert.ok(
      fix,
      fixesOf(vramDiag(a)!)
        .map((f) => f.title)
        .join(' | '),
    );
    const after = TextDocument.applyEdits(d, fix.edits);
    assert.match(after, /^micro_batch_size: 2$/m);
    assert.match(after, /^gradient_accumulation_steps: 4$/m);
  });

  it("an eval batch larger than the training one: the plan shrinks it first, and the fix adds the format's eval batch key", () => {
    // TRL evaluates with per_device_eval_batch_size 8 by default: 8 × 2048 tokens of a 128k vocabulary's logits.
    const text = [
      'model_name_or_path: meta-llama/Llama-3.1-8B',
      'dataset_name: trl-lib/Capybara',
      'use_peft: true',
      'load_in_4bit: true',
      'per_device_train_batch_size: 1',
      'gradient_accumulation_steps: 8',
      'max_length: 2048',
      'gradient_checkpointing: true',
      'bf16: true',
      'eval_strategy: steps',
      'learning_rate: 0.0002',
    ].join('\n');
    const { a, d } = run(text, '/w/sft.yaml', real('RTX 4090'));
    const diag = vramDiag(a)!;
    assert.ok(diag, a.diagnostics.map((x) => `${x.code} ${x.message}`).join('\n'));
    assert.match(diag.message, /eval batch 1/);
    assert.match(diag.message, /evaluation sets the peak/);
    const fix = fixesOf(diag).find((f) => f.title.startsWith('Eval batch 1'))!;
    assert.ok(
      fix,
      fixesOf(diag)
        .map((f) => f.title)
        .join(' | '),
    );
    const after = TextDocument.applyEdits(d, fix.edits);
    assert.match(after, /^per_device_eval_batch_size: 1$/m);
    assert.match(after, /^eval_strategy: steps$/m); // evaluation stays on
    // the hover on the eval batch key says what it costs against the micro batch
    const withKey = `${text}\nper_device_eval_batch_size: 8`;
    const k = run(withKey, '/w/sft.yaml', real('RTX 4090'));
    const hover = vramHover(k.d, k.a, { line: withKey.split('\n').length - 1, character: 3 }, {})!;
    assert.match(hover, /^\*\*VRAM\*\* — the eval batch: \+[\d.]+ GiB against an eval batch of 1, the micro batch/);
    // re-analysed, the fixed config fits: evaluation no longer sets the peak
    const again = run(after, '/w/sft.yaml', real('RTX 4090')).a;
    assert.equal(vramDiag(again), undefined);
  });

  it('QLoRA in Axolotl sets the adapter and 4-bit loading', () => {
    const { a, d } = run(AXOLOTL_7B, '/w/axolotl.yml', real('RTX 3060 12GB'));
    const fix = fixesOf(vramDiag(a)!).find((f) => /QLoRA/.test(f.title))!;
    const after = TextDocument.applyEdits(d, fix.edits);
    assert.match(after, /^adapter: qlora$/m);
    assert.match(after, /^load_in_4bit: true$/m);
  });

  it('ZeRO-3 with offload writes the DeepSpeed JSON beside the config and points the config at it', () => {
    const { a } = run(AXOLOTL_7B, '/w/sub/axolotl.yml', real('RTX 3060 12GB'));
    const fix = fixesOf(vramDiag(a)!).find((f) => /ZeRO-3/.test(f.title));
    assert.ok(fix, 'no ZeRO-3 fix');
    assert.equal(fix.create?.uri, 'file:///w/sub/ds_zero3_offload.json');
    const ds = JSON.parse(fix.create.content) as { zero_optimization: { stage: number; offload_param: { device: string } } };
    assert.equal(ds.zero_optimization.stage, 3);
    assert.equal(ds.zero_optimization.offload_param.device, 'cpu');
    assert.deepEqual(
      fix.edits.map((e) => e.newText),
      ['\ndeepspeed: sub/ds_zero3_offload.json\n'],
    );
  });

  it('torchtune QLoRA swaps the builder for its qlora_ twin', () => {
    const c = CONFIGS.find((x) => x.name === 'torchtune')!;
    const { a, d } = run(c.text, c.path, real('RTX 3060 12GB'));
    const fix = fixesOf(vramDiag(a)!).find((f) => /QLoRA/.test(f.title))!;
    assert.match(TextDocument.applyEdits(d, fix.edits), /_component_: torchtune\.models\.llama2\.qlora_llama2_7b/);
  });
});

describe('vram: when nothing is reported', () => {
  it('a config that fits its GPU has an estimate and no warning', () => {
    const { a } = run(
      AXOLOTL_7B.replace('micro_batch_size: 4', 'micro_batch_size: 1').replace('sequence_len: 4096', 'sequence_len: 1024'),
      '/w/a.yml',
      real('A100 80GB'),
    );
    assert.ok(a.vram?.estimate);
    assert.equal(vramDiag(a), undefined);
    assert.deepEqual(a.vram.options, []);
  });
  it('with only the representative GPUs (no setting, no nvidia-smi), the lens shows misfits but nothing is reported', () => {
    const { a, d } = run(
      AXOLOTL_7B.replace('micro_batch_size: 4', 'micro_batch_size: 1').replace('sequence_len: 4096', 'sequence_len: 1024\ngradient_checkpointing: true'),
      '/w/a.yml',
      representative,
    );
    assert.equal(vramDiag(a), undefined);
    const lens = vramCodeLenses(d, a);
    assert.equal(lens.length, 1);
    assert.match(lens[0].command!.title, /^\$\(chip\) VRAM ≈ \d+\.\d GiB \(up to \d+\.\d\) · RTX 3060 12GB ✗ · RTX 3090 24GB ✓ · A100 80GB ✓$/);
    assert.equal(lens[0].command!.command, 'finetune.showVramBreakdown');
  });
  it('an unknown model is FT402 (information) on its value, with what to do', () => {
    const { a, d } = run(AXOLOTL_7B.replace('NousResearch/Llama-2-7b-hf', 'my-org/private-model'), '/w/a.yml', real('RTX 3060 12GB'));
    const diag = vramDiag(a, 'FT402')!;
    assert.equal(diag.severity, 3);
    assert.equal(d.getText(diag.range), 'my-org/private-model');
    assert.match(diag.message, /not in the built-in catalog or the local Hugging Face cache.*finetune\.models/);
    assert.match(vramCodeLenses(d, a)[0].command!.title, /no estimate \(unknown model\)/);
  });
  it('a model from the local Hugging Face cache (config.json) is estimated', () => {
    const dims = {
      parameters: 1_000_000_000,
      hiddenSize: 2048,
      layers: 16,
      attentionHeads: 16,
      kvHeads: 16,
      headDim: 128,
      intermediateSize: 5504,
      vocabSize: 32000,
      tiedEmbeddings: false,
      mlp: 'gated' as const,
    };
    const { a } = run(AXOLOTL_7B.replace('NousResearch/Llama-2-7b-hf', 'my-org/private-model'), '/w/a.yml', {
      ...real('RTX 3060 12GB'),
      lookup: { hfCache: (id: string) => (id === 'my-org/private-model' ? dims : undefined) },
    });
    assert.equal(a.vram?.estimate?.model.origin, 'hf-cache');
    assert.equal(vramDiag(a, 'FT402'), undefined);
  });
  it('DeepSpeed and Accelerate files have no estimate of their own', () => {
    const { a } = run('{"zero_optimization": {"stage": 3}, "train_micro_batch_size_per_gpu": "auto"}', '/w/ds_config.json', real('RTX 3060 12GB'));
    assert.equal(a.vram?.estimate, undefined);
    assert.equal(a.vram?.unavailable?.kind, 'no-setup');
  });
});

describe('vram: the seed cases read right', () => {
  const seventy = AXOLOTL_7B.replace('NousResearch/Llama-2-7b-hf', 'meta-llama/Llama-2-70b-hf')
    .replace('micro_batch_size: 4', 'micro_batch_size: 1')
    .replace('sequence_len: 4096', 'sequence_len: 2048');
  it('a 70B model on a 12 GB RTX 3060 says no, why, what is impossible, and what works with offload, on fewer changes or rented', () => {
    const { a } = run(seventy, '/w/a.yml', real('RTX 3060 12GB'));
    const m = vramDiag(a)!.message;
    assert.match(m, /^Needs ≈ \d+\.\d GiB \(up to \d+\) \(weights \d+\.\d GiB, /);
    assert.match(
      m,
      /No change to the config makes it fit one RTX 3060 12GB: even with gradient checkpointing \+ 512-token sequences \+ QLoRA \(4-bit base\) it needs ≈ \d+\.\d GiB/,
    );
    assert.match(m, /QLoRA \(4-bit base\) on the RTX 3060 12GB with FSDP and CPU offload \(≈ \d+ GiB of CPU RAM\): ≈ \d+\.\d GiB \(up to \d+\.\d\)/);
    assert.match(m, /meta-llama\/Llama-2-13b-hf with [^;]* on the RTX 3060 12GB/);
    assert.match(m, /on one (A100 80GB|L40S 48GB)/);
  });
  it('a 70B QLoRA on one RTX 3090 does not fit alone; offload on it does, or four sharded, or a 13B', () => {
    const qlora = seventy.replace('adapter: lora', 'adapter: qlora\nload_in_4bit: true\ngradient_checkpointing: true');
    const { a } = run(qlora, '/w/a.yml', real('RTX 3090'));
    const m = vramDiag(a)!.message;
    assert.match(m, /more than the RTX 3090 24GB \(24\.0 GiB\) offers/);
    assert.match(m, /the RTX 3090 24GB with FSDP and CPU offload \(≈ \d+ GiB of CPU RAM\)/);
    assert.match(m, /on 4× RTX 3090 24GB with FSDP/);
    assert.match(m, /meta-llama\/Llama-2-13b-hf on the RTX 3090 24GB/);
  });
});

describe('vram: inlay hints, hover and the breakdown', () => {
  it('inlay hints after the micro batch and sequence length values show the total', () => {
    const { a, d } = run(AXOLOTL_7B, '/w/a.yml', real('RTX 3060 12GB'));
    const hints = vramInlayHints(d, a);
    assert.deepEqual(
      hints.map((h) => h.position),
      [
        { line: 6, character: 19 },
        { line: 5, character: 18 },
      ],
    );
    assert.match(hints[0].label as string, /^≈ \d+\.\d GiB \(up to [\d.]+\) ✗$/);
    assert.deepEqual(vramInlayHints(d, a, { start: { line: 6, character: 0 }, end: { line: 6, character: 40 } }).length, 1);
  });
  it('hover on the micro batch says what halving it saves, with the breakdown table', () => {
    const { a, d } = run(AXOLOTL_7B, '/w/a.yml', real('RTX 3060 12GB'));
    const md = vramHover(d, a, { line: 6, character: 3 }, {})!;
    assert.match(md, /^\*\*VRAM\*\* — the micro batch: \+\d+\.\d\d GiB against micro batch 2 \(\d+\.\d GiB\)/);
    assert.match(md, /\| \*\*activations kept for backward\*\* \| \d+\.\d\d GiB \|/);
    assert.equal(vramHover(d, a, { line: 9, character: 3 }, {}), undefined, 'learning_rate does not feed the estimate');
  });
  it('hover on the model gives its weights, gradients and optimizer states', () => {
    const { a, d } = run(AXOLOTL_7B, '/w/a.yml', real('RTX 3060 12GB'));
    assert.match(vramHover(d, a, { line: 0, character: 2 }, {})!, /the model: weights \d+\.\d\d GiB, gradients .* \(6\.74 B parameters, 4\.2 M trainable\)/);
  });
  it('the breakdown lists the fixes and what would work', () => {
    const { a } = run(AXOLOTL_7B, '/w/a.yml', real('RTX 3060 12GB'));
    const md = vramBreakdown(a)!;
    assert.match(md, /^# VRAM estimate\n\n\*\*VRAM ≈ /);
    assert.match(md, /## What would make it fit the RTX 3060 12GB\n\n- \*\*Change the config\*\*: gradient checkpointing \+ micro batch 1 /);
    assert.match(md, /## One change at a time\n\n- [✓✗] Turn on gradient checkpointing \(≈ /);
  });
});

describe('vram: the misfit message reads as a sentence', () => {
  it('each way to fit starts in lower case unless it is a name (DeepSpeed, PyTorch, FSDP, QLoRA, AdamW)', () => {
    const full3b = [
      'base_model: NousResearch/Llama-3.2-3B',
      'datasets:',
      '  - path: mhenrichsen/alpaca_2k_test',
      '    type: alpaca',
      'sequence_len: 512',
      'micro_batch_size: 1',
      'gradient_checkpointing: true',
      'bf16: true',
      'output_dir: ./out',
    ].join('\n');
    const message = vramDiag(run(full3b, '/w/full.yml', real('RTX 3090')).a)!.message;
    assert.match(message, /What would fit: 8-bit AdamW on the RTX 3090 24GB: ≈ [\d.]+ GiB \(up to [\d.]+\); or one L40S 48GB: /, message);
    assert.doesNotMatch(message, /\b(deepSpeed|pyTorch|fSDP|qLoRA)\b/, message);
    assert.doesNotMatch(message, /(: |; or )(Turn|Train|Load|Micro|Sequences) /, message);
  });
});
