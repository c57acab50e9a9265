import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, fixesOf, type ConfigSettings } from '../../server/src/core/config';
import { findGpu } from '../../server/src/core/gpus/catalog';
import { analyze, AXOLOTL_BASE } from './helpers';

const DS_AUTO = '{\n  "zero_optimization": {"stage": 2},\n  "train_micro_batch_size_per_gpu": "auto",\n  "gradient_accumulation_steps": "auto"\n}';

function files(map: Record<string, string>) {
  return { read: (p: string) => map[p] };
}

function run(text: string, opts: { path?: string; settings?: Partial<ConfigSettings>; files?: Record<string, string> } = {}) {
  const a = analyze(text, opts.path ?? '/w/train.yml', {
    settings: { ...DEFAULT_SETTINGS, ...opts.settings },
    files: files(opts.files ?? {}),
    roots: ['/w'],
  });
  return a.diagnostics.filter((d) => /^FT2/.test(String(d.code)));
}

function lines(text: string, opts?: Parameters<typeof run>[1]): string[] {
  return run(text, opts).map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code} ${['', 'error', 'warning', 'information'][d.severity!]} ${d.message}`,
  );
}

// Each row: config text (with options), and the exact rule diagnostics; negative rows expect none.
describe('rules: quantization (Axolotl)', () => {
  it('FT201 qlora without load_in_4bit, on the adapter value, with a fix that adds it', () => {
    const d = run(`${AXOLOTL_BASE}\nadapter: qlora`);
    assert.deepEqual(lines(`${AXOLOTL_BASE}\nadapter: qlora`), [
      "8:9-8:14 FT201 error 'adapter: qlora' trains LoRA on a 4-bit base model, so it needs 'load_in_4bit: true': Axolotl refuses to start without it.",
    ]);
    assert.equal(fixesOf(d[0])[0].edits[0].newText, '\nload_in_4bit: true\n');
  });
  it('FT201 with load_in_4bit: false, on that key; the fix sets it', () => {
    const d = run(`${AXOLOTL_BASE}\nadapter: qlora\nload_in_4bit: false`);
    assert.equal(d[0].code, 'FT201');
    assert.equal(d[0].range.start.line, 9);
    assert.deepEqual(fixesOf(d[0])[0].edits, [{ range: { start: { line: 9, character: 14 }, end: { line: 9, character: 19 } }, newText: 'true' }]);
  });
  it('qlora with load_in_4bit is fine', () => assert.deepEqual(lines(`${AXOLOTL_BASE}\nadapter: qlora\nload_in_4bit: true`), []));
  it('FT202 4-bit and 8-bit together', () =>
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nadapter: qlora\nload_in_4bit: true\nload_in_8bit: true`).map((d) => d.code),
      ['FT202'],
    ));
  it('FT203 quantized loading without an adapter', () =>
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nload_in_8bit: true`).map((d) => d.code),
      ['FT203'],
    ));
});

describe('rules: precision', () => {
  const t4 = { settings: { gpus: ['T4'] } };
  it('FT205 bf16 on a T4, on the value', () => {
    assert.deepEqual(lines(`${AXOLOTL_BASE}\nbf16: true`, t4), [
      '8:6-8:10 FT205 error bf16 needs an Ampere or newer GPU (compute capability 8.0+); Tesla T4 16GB is 7.5. Training stops with "bf16 is not supported". Use fp16 on this GPU.',
    ]);
  });
  it('the fp16 fix sets bf16 false and adds fp16 true', () => {
    const fix = fixesOf(run(`${AXOLOTL_BASE}\nbf16: true`, t4)[0])[0];
    assert.deepEqual(
      fix.edits.map((e) => e.newText),
      ['false', '\nfp16: true\n'],
    );
  });
  it('bf16 on an RTX 3060, or bf16: auto on a T4, is fine', () => {
    assert.deepEqual(lines(`${AXOLOTL_BASE}\nbf16: true`, { settings: { gpus: ['RTX 3060 12GB'] } }), []);
    assert.deepEqual(lines(`${AXOLOTL_BASE}\nbf16: auto`, t4), []);
  });
  it('FT205 in DeepSpeed, Accelerate, Lightning and torchtune files', () => {
    assert.deepEqual(
      run('{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 1, "bf16": {"enabled": true}}', { path: '/w/ds.json', ...t4 }).map(
        (d) => d.code,
      ),
      ['FT205'],
    );
    assert.deepEqual(
      run('compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nmixed_precision: bf16\nnum_processes: 2', { path: '/w/acc.yaml', ...t4 }).map(
        (d) => d.code,
      ),
      ['FT205'],
    );
    assert.deepEqual(
      run('trainer:\n  precision: bf16-mixed\nmodel:\n  class_path: m.M', { path: '/w/cli.yaml', ...t4 }).map((d) => d.code),
      ['FT205'],
    );
    assert.deepEqual(
      run('model:\n  _component_: torchtune.models.llama3_2.llama3_2_1b\ndtype: bf16', { path: '/w/tt.yaml', ...t4 }).map((d) => d.code),
      ['FT205'],
    );
  });
  it('FT206 fp16 and bf16 both on', () => {
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nfp16: true\nbf16: true`).map((d) => d.code),
      ['FT206'],
    );
    assert.deepEqual(
      run('{"zero_optimization": {"stage": 1}, "train_batch_size": 8, "fp16": {"enabled": true}, "bf16": {"enabled": true}}', { path: '/w/ds.json' }).map(
        (d) => d.code,
      ),
      ['FT206'],
    );
  });
});

describe('rules: packing, DeepSpeed links', () => {
  it('FT204 (Axolotl >= 0.18): sdpa, eager and the packing kernels keep samples apart; another backend or none does not', () => {
    for (const impl of ['sdpa', 'eager', 'flash_attention_2', 'flex_attention', 'kernels-community/flash-attn3']) {
      assert.deepEqual(run(`${AXOLOTL_BASE}\nsample_packing: true\nattn_implementation: ${impl}`), [], impl);
    }
    assert.deepEqual(run(`${AXOLOTL_BASE}\nsample_packing: true\nflash_attention: true`), []);
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nsample_packing: true\nattn_implementation: kernels-community/vllm-flash-attn3`).map((d) => d.message),
      [
        "'sample_packing' puts several samples in one sequence; with 'attn_implementation: kernels-community/vllm-flash-attn3' they are not kept apart and attend to each other (Axolotl warns). Use 'attn_implementation: flash_attention_2' (or flex_attention, sdpa).",
      ],
    );
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nsample_packing: true`).map((d) => d.code),
      ['FT204'],
    );
  });
  it('FT204 with Axolotl pinned before 0.18: sdpa mixes packed samples', () => {
    const a = analyze(`${AXOLOTL_BASE}\nsample_packing: true\nattn_implementation: sdpa`, '/w/train.yml', {
      settings: { ...DEFAULT_SETTINGS, versions: { axolotl: '0.17.0' } },
    });
    assert.deepEqual(
      a.diagnostics.map((d) => d.code),
      ['FT204'],
    );
  });
  it('FT207 DeepSpeed and FSDP together', () => {
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\ndeepspeed: ds.json\nfsdp_config:\n  fsdp_version: 2`, { files: { '/w/ds.json': DS_AUTO } }).map((d) => d.code),
      ['FT207'],
    );
  });
  it('FT210 a missing DeepSpeed file, with a fix that creates it', () => {
    const d = run(`${AXOLOTL_BASE}\ndeepspeed: configs/zero2.json`);
    assert.deepEqual(lines(`${AXOLOTL_BASE}\ndeepspeed: configs/zero2.json`), [
      "8:11-8:29 FT210 warning 'configs/zero2.json' was not found next to this config or in the workspace: the run stops when it opens it (after the model has downloaded).",
    ]);
    assert.equal(fixesOf(d[0])[0].create!.uri, 'file:///w/configs/zero2.json');
    assert.match(fixesOf(d[0])[0].create!.content, /"stage": 2/);
  });
  it('a DeepSpeed file found in a workspace folder (tools run from the repo root)', () => {
    assert.deepEqual(run(`${AXOLOTL_BASE}\ndeepspeed: ds/z2.json`, { path: '/w/examples/train.yml', files: { '/w/ds/z2.json': DS_AUTO } }), []);
  });
  it('FT208 batch sizes that disagree with the DeepSpeed file', () => {
    const ds = '{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": "auto", "train_batch_size": 12}';
    assert.deepEqual(lines(`${AXOLOTL_BASE}\ndeepspeed: ds.json`, { files: { '/w/ds.json': ds } }), [
      '8:11-8:18 FT208 error The DeepSpeed config disagrees with this one: train_micro_batch_size_per_gpu is 4 but micro_batch_size is 2; train_batch_size 12 is not micro_batch_size × gradient_accumulation_steps (8) × any number of GPUs. The Hugging Face integration stops with "values that mismatch TrainingArguments"; set them to "auto" in ds.json.',
    ]);
  });
  it('"auto" everywhere agrees with anything', () => assert.deepEqual(run(`${AXOLOTL_BASE}\ndeepspeed: ds.json`, { files: { '/w/ds.json': DS_AUTO } }), []));
  it('FT209 a DeepSpeed scheduler next to lr_scheduler', () => {
    const ds = '{"zero_optimization": {"stage": 2}, "train_batch_size": "auto", "scheduler": {"type": "WarmupLR", "params": {}}}';
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nlr_scheduler: cosine\ndeepspeed: ds.json`, { files: { '/w/ds.json': ds } }).map((d) => d.code),
      ['FT209'],
    );
  });
});

describe('rules: tokens and templates', () => {
  it("FT211 new tokens with an adapter, in Axolotl's words, with a fix that saves the embeddings", () => {
    const d = run(`${AXOLOTL_BASE}\nadapter: lora\ntokens:\n  - "<tool_call>"`);
    assert.deepEqual(
      d.map((x) => x.code),
      ['FT211'],
    );
    assert.equal(
      d[0].message,
      "1 new token with 'adapter: lora': their embedding rows must be trained and saved, so 'lora_modules_to_save' needs 'embed_tokens' and 'lm_head' (embed_in and embed_out for GPT-NeoX models, word_embeddings and lm_head for Falcon). Axolotl stops with \"`lora_modules_to_save` not properly set when adding new tokens.\" when it reads the model's config.",
    );
    assert.deepEqual(
      fixesOf(d[0]).map((f) => [f.title, f.preferred]),
      [['Train and save embed_tokens and lm_head', true]],
    );
    assert.equal(fixesOf(d[0])[0].edits[0].newText, '\nlora_modules_to_save:\n  - embed_tokens\n  - lm_head\n');
  });
  it('FT211 for any adapter (check_model_config tests `cfg.adapter`), and with only one of the pair saved', () => {
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nadapter: llama-adapter\ntokens: ["<x>"]`).map((d) => d.code),
      ['FT211'],
    );
    const d = run(`${AXOLOTL_BASE}\nadapter: qlora\nload_in_4bit: true\ntokens: ["<x>"]\nlora_modules_to_save: [lm_head]`);
    assert.deepEqual(
      d.map((x) => x.code),
      ['FT211'],
    );
    assert.match(d[0].message, /needs 'embed_tokens' \(/);
  });
  it('no FT211 when a whole pair is saved: which pair the model needs depends on its model_type', () => {
    for (const pair of ['embed_tokens, lm_head', 'embed_in, embed_out', 'word_embeddings, lm_head', 'embeddings, lm_head']) {
      assert.deepEqual(run(`${AXOLOTL_BASE}\nadapter: lora\ntokens: ["<x>"]\nlora_modules_to_save: [${pair}]`), [], pair);
    }
    assert.deepEqual(run(`${AXOLOTL_BASE}\ntokens: ["<x>"]`), [], 'full fine-tuning trains the embeddings');
  });
  it('FT211: the fix is not fix-all where the name does not tell the model type, silent for compressed-tensors names', () => {
    const falcon = run(`${AXOLOTL_BASE.replace('NousResearch/Llama-3.2-1B', 'tiiuae/falcon-7b')}\nadapter: lora\ntokens: ["<x>"]`);
    assert.deepEqual(
      fixesOf(falcon[0]).map((f) => f.preferred),
      [false],
    );
    const pythia = run(`${AXOLOTL_BASE.replace('NousResearch/Llama-3.2-1B', 'EleutherAI/pythia-1b')}\nadapter: lora\ntokens: ["<x>"]`);
    assert.deepEqual(
      fixesOf(pythia[0]).map((f) => f.preferred),
      [false],
    );
    assert.deepEqual(
      run(`${AXOLOTL_BASE.replace('NousResearch/Llama-3.2-1B', 'RedHatAI/Llama-3.2-1B-Instruct-quantized.w8a8')}\nadapter: lora\ntokens: ["<x>"]`),
      [],
    );
  });
  it('FT213 a Llama 3 template on a Qwen model; generic templates are fine', () => {
    const text = AXOLOTL_BASE.replace('NousResearch/Llama-3.2-1B', 'Qwen/Qwen2.5-7B-Instruct');
    assert.deepEqual(
      run(`${text}\nchat_template: llama3`).map((d) => `${d.code} ${d.message}`),
      [
        "FT213 'chat_template: llama3' is the llama3 format, but 'Qwen/Qwen2.5-7B-Instruct' is a qwen2 model: the model is trained on special tokens it does not know. Use 'qwen_25' (or 'tokenizer_default').",
      ],
    );
    assert.deepEqual(run(`${text}\nchat_template: chatml`), []);
    assert.deepEqual(run(`${AXOLOTL_BASE}\nchat_template: llama3`), []);
  });
});

describe('rules: Axolotl save and eval schedules (FT222)', () => {
  const ft222 = (extra: string, axolotl?: string) =>
    lines(`${AXOLOTL_BASE}\n${extra}`, axolotl ? { settings: { versions: { axolotl } } } : {})
      .filter((l) => l.includes(' FT222 '))
      .map((l) => l.split(' FT222 error ')[1]);
  it('save_steps with another save_strategy or with saves_per_epoch', () => {
    assert.deepEqual(ft222('save_strategy: epoch\nsave_steps: 100'), [
      "'save_strategy: epoch' with 'save_steps': Axolotl stops with \"save_strategy and save_steps mismatch. Please set save_strategy to 'steps' or remove save_steps.\" as it validates the config.",
    ]);
    assert.deepEqual(
      ft222('saves_per_epoch: 2\nsave_steps: 100').map((l) => l.split(' stops with ')[1]),
      ['"save_steps and saves_per_epoch are mutually exclusive and cannot be used together." as it validates the config.'],
    );
    assert.deepEqual(ft222('save_strategy: steps\nsave_steps: 100'), []);
    assert.deepEqual(ft222('save_strategy: no\nsave_steps: 100'), [], 'unquoted no is False for PyYAML: falsy, not checked');
    assert.deepEqual(ft222('saves_per_epoch: 2\nsave_steps: 0'), []);
  });
  it('eval_steps with another eval_strategy, without a validation set, or with evals_per_epoch', () => {
    assert.deepEqual(
      ft222('eval_strategy: epoch\neval_steps: 50\nval_set_size: 0.05').map((l) => l.split(':')[0]),
      ["'eval_strategy"],
    );
    assert.deepEqual(
      ft222('val_set_size: 0\neval_steps: 50').map((l) => l.split(' stops with ')[1]),
      ['"eval_steps and eval_strategy are not supported with val_set_size == 0" as it validates the config.'],
    );
    assert.deepEqual(ft222('val_set_size: 0.0\neval_strategy: steps'), [
      "'val_set_size: 0' with 'eval_strategy' and no test_datasets: Axolotl stops with \"eval_steps and eval_strategy are not supported with val_set_size == 0\" as it validates the config.",
    ]);
    assert.deepEqual(ft222('val_set_size: 0\neval_steps: 50\ntest_datasets:\n  - path: t\n    type: alpaca'), []);
    assert.deepEqual(ft222('val_set_size: 0\neval_strategy: "no"'), []);
    assert.deepEqual(
      ft222('val_set_size: 0.05\nevals_per_epoch: 4\neval_steps: 50').map((l) => l.split(' stops with ')[1]),
      ['"eval_steps and evals_per_epoch are mutually exclusive and cannot be used together." as it validates the config.'],
    );
    assert.deepEqual(
      ft222('val_set_size: 0.05\nevals_per_epoch: 4\neval_strategy: epoch').map((l) => l.split(' stops with ')[1]),
      ['"eval_strategy must be empty or set to `steps` when used with evals_per_epoch." as it validates the config.'],
    );
    assert.deepEqual(ft222('val_set_size: 0.05\nevals_per_epoch: 4\neval_strategy: steps'), []);
    assert.deepEqual(ft222('val_set_size: 0\nevals_per_epoch: 4'), [], 'evals_per_epoch alone is not refused without a validation set');
    assert.deepEqual(ft222('val_set_size: 0\neval_steps: 50', '0.5.0'), [], 'before 0.6.0 not judged');
  });
});

describe('rules: distillation', () => {
  it('FT214 teacher and student of different families (TRL)', () => {
    const text = 'model_name_or_path: Qwen/Qwen2.5-0.5B\nteacher_model_name_or_path: meta-llama/Llama-3.1-8B\ndataset_name: x/y\nlearning_rate: 1.0e-5';
    assert.deepEqual(
      run(text, { path: '/w/kd.yaml' }).map((d) => d.code),
      ['FT214'],
    );
  });
  it('FT215 temperature and ratios', () => {
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nkd_temperature: 0\nkd_alpha: 1.5`).map((d) => d.code),
      ['FT215', 'FT215'],
    );
    assert.deepEqual(run(`${AXOLOTL_BASE}\nkd_temperature: 2.0\nkd_alpha: 0.5`), []);
  });
});

describe('user control over diagnostics', () => {
  it('finetune.rules turns a code off or changes its severity', () => {
    const text = `${AXOLOTL_BASE}\nsample_packing: true\nlora_dropuot: 0.1`;
    assert.deepEqual(
      analyze(text, '/w/a.yml', { settings: { ...DEFAULT_SETTINGS, rules: { FT204: 'off', FT101: 'error' } } }).diagnostics.map((d) => [d.code, d.severity]),
      [['FT101', 1]],
    );
  });
  it('# ftw: disable=CODE silences a code on its line, or on the next line when it stands alone', () => {
    const text = `${AXOLOTL_BASE}\nlora_dropuot: 0.1  # ftw: disable=FT101\n# ftw: disable=FT102\nwarmup_steps: 0.5\nzzz: 1`;
    assert.deepEqual(
      analyze(text).diagnostics.map((d) => d.code),
      ['FT101'],
    );
    assert.equal(analyze(text).diagnostics[0].range.start.line, 11);
  });
});

describe('GPU names as people write them', () => {
  const cases: Array<[string, string | undefined]> = [
    ['RTX 3060 12GB', 'GeForce RTX 3060 12GB'],
    ['rtx3090', 'GeForce RTX 3090 24GB'],
    ['A100 40GB', 'A100 40GB'],
    ['A100-80GB', 'A100 80GB'],
    ['H100 80GB', 'H100 80GB'],
    ['A10G', 'A10G 24GB'],
    ['L4', 'L4 24GB'],
    ['T4', 'Tesla T4 16GB'],
    ['NVIDIA GeForce RTX 4090', 'GeForce RTX 4090 24GB'],
    ['TPU v5', undefined],
  ];
  for (const [query, name] of cases) it(`${query} -> ${name}`, () => assert.equal(findGpu(query)?.name, name));
});

describe('rules: torchtune components and Accelerate/TRL links', () => {
  const tt =
    'model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_attn_modules: [q_proj, v_proj]\n  lora_rnk: 8\noptimizer:\n  _component_: torch.optim.AdamW\n  lr: 3e-4\n  fused: True\nlr_scheduler:\n  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup\n  num_warmup_steps: 100\ndtype: bf16';
  it('FT101 an argument the builder does not take, with did-you-mean; recipe-filled arguments are not required', () => {
    const a = analyze(tt, '/w/tt.yaml');
    assert.deepEqual(
      a.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`),
      [
        "3:2 FT101 Unknown argument 'lora_rnk' of lora_llama3_2_1b(): torchtune passes it as a keyword argument and stops with \"unexpected keyword argument\". Did you mean 'lora_rank'?",
      ],
    );
    assert.deepEqual(fixesOf(a.diagnostics[0])[0].edits, [{ range: a.diagnostics[0].range, newText: 'lora_rank' }]);
  });
  it('FT105 a required argument missing', () => {
    const a = analyze('model:\n  _component_: torchtune.models.clip.clip_mlp\n  in_dim: 4\noutput_dir: /tmp/x', '/w/tt.yaml');
    assert.match(a.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'), /FT105 clip_mlp\(\) needs 'out_dim', 'hidden_dim', 'activation'/);
  });
  it('${...} interpolation is accepted for any type', () => {
    assert.deepEqual(
      analyze(
        'output_dir: /tmp/run\nbatch_size: ${oc.env:BS}\nmodel:\n  _component_: torchtune.models.llama3_2.llama3_2_1b\ncheckpointer:\n  _component_: torchtune.training.FullModelHFCheckpointer\n  checkpoint_dir: ${output_dir}\n  checkpoint_files: [model.safetensors]\n  model_type: LLAMA3_2\n  output_dir: ${output_dir}',
        '/w/tt.yaml',
      ).diagnostics,
      [],
    );
  });
  it('FT216 Accelerate deepspeed_config_file with inline DeepSpeed keys', () => {
    const acc =
      'compute_environment: LOCAL_MACHINE\ndistributed_type: DEEPSPEED\ndeepspeed_config:\n  deepspeed_config_file: ds.json\n  zero_stage: 3\nnum_processes: 2';
    assert.deepEqual(
      run(acc, { path: '/w/acc.yaml', files: { '/w/ds.json': DS_AUTO } }).map((d) => `${d.range.start.line} ${d.code}`),
      ['4 FT216'],
    );
  });
  it('FT210 a TRL accelerate_config that is neither a preset nor a file', () => {
    const base = 'model_name_or_path: Qwen/Qwen2.5-0.5B\ndataset_name: trl-lib/Capybara\n';
    assert.deepEqual(run(`${base}accelerate_config: zero3`, { path: '/w/sft.yaml' }), []);
    assert.deepEqual(
      run(`${base}accelerate_config: configs/my_fsdp.yaml`, { path: '/w/sft.yaml' }).map((d) => d.code),
      ['FT210'],
    );
  });
});

describe('rules: special tokens and templates of the model', () => {
  const qlora = `${AXOLOTL_BASE.replace('NousResearch/Llama-3.2-1B', 'meta-llama/Llama-3.1-8B')}\nadapter: qlora\nload_in_4bit: true`;
  it('FT212 an eos override that is not a token of the model (built-in table)', () => {
    const d = run(`${qlora}\nspecial_tokens:\n  eos_token: "<|im_end|>"`);
    assert.deepEqual(
      d.map((x) => x.code),
      ['FT212'],
    );
    assert.match(d[0].message, /the llama3 tokenizer has '<\|end_of_text\|>', '<\|eot_id\|>', '<\|eom_id\|>'/);
    assert.deepEqual(run(`${qlora}\nspecial_tokens:\n  eos_token: "<|eot_id|>"`), []);
  });
  it('FT212 from the local Hugging Face cache when the model is there', () => {
    const text = `${qlora.replace('meta-llama/Llama-3.1-8B', 'acme/house-model')}\nspecial_tokens:\n  eos_token: "</s>"`;
    const a = analyze(text, '/w/a.yml', { tokenizerConfig: (id) => (id === 'acme/house-model' ? { eos_token: '<|stop|>', bos_token: '<|go|>' } : undefined) });
    assert.match(a.diagnostics.find((d) => d.code === 'FT212')!.message, /tokenizer_config\.json in the local Hugging Face cache has '<\|stop\|>'/);
  });
  it('no FT212 when the new format is trained deliberately (full fine-tuning with tokens:)', () => {
    assert.deepEqual(run(`${AXOLOTL_BASE}\nspecial_tokens:\n  eos_token: "<|im_end|>"\ntokens:\n  - "<|im_start|>"`), []);
  });
  it('FT213 a LLaMA-Factory template of another family', () => {
    const lf = 'model_name_or_path: Qwen/Qwen3-4B\nstage: sft\nfinetuning_type: lora\ntemplate: llama3';
    assert.deepEqual(
      run(lf, { path: '/w/lf.yaml' }).map((d) => d.code),
      ['FT213'],
    );
    assert.deepEqual(run(lf.replace('template: llama3', 'template: qwen3'), { path: '/w/lf.yaml' }), []);
  });
});

describe('rules: checks the tools run when the model loads (issue 14)', () => {
  it('FT217 an Axolotl adapter that is not built in, with no plugin to register it; a plugin may', () => {
    assert.deepEqual(
      lines(`${AXOLOTL_BASE}\nadapter: lorra`).filter((l) => l.includes('FT217')),
      [
        "8:9-8:14 FT217 error 'adapter: lorra' is not an adapter Axolotl has (lora, qlora, llama-adapter) and no plugin is listed to register it: Axolotl stops with \"is not built in and was not registered by a plugin\" when it loads the model. Did you mean 'lora'?",
      ],
    );
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nadapter: my_adapter\nplugins:\n  - my.plugin.MyAdapterPlugin`).filter((d) => d.code === 'FT217'),
      [],
    );
    assert.deepEqual(
      run(`${AXOLOTL_BASE}\nadapter: llama-adapter`).filter((d) => d.code === 'FT217'),
      [],
    );
  });
  it('FT218 LLaMA-Factory quantization_bit per quantization method', () => {
    const lf = 'stage: sft\nmodel_name_or_path: Qwen/Qwen2-0.5B\nfinetuning_type: lora\ntemplate: qwen\noutput_dir: o\n';
    const codes = (extra: string) => run(`${lf}${extra}`, { path: '/w/lf.yaml' }).map((d) => d.code);
    assert.deepEqual(codes('quantization_bit: 3'), ['FT218']);
    assert.deepEqual(codes('quantization_bit: 4'), []);
    assert.deepEqual(codes('quantization_bit: 3\nquantization_method: hqq'), []);
    assert.deepEqual(codes('quantization_bit: 7\nquantization_method: hqq'), ['FT218']);
    assert.deepEqual(codes('quantization_bit: 4\nquantization_method: eetq'), ['FT218']);
  });
  it('FT218 under DeepSpeed ZeRO-3 (the linked JSON or an inline mapping) and with quantization_device_map: auto', () => {
    const lf = 'stage: sft\nmodel_name_or_path: Qwen/Qwen2-0.5B\nfinetuning_type: lora\ntemplate: qwen\noutput_dir: o\n';
    const z3 = '{"zero_optimization": {"stage": 3}, "train_micro_batch_size_per_gpu": "auto"}';
    const z2 = '{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": "auto"}';
    const ft218 = (extra: string, opts: Parameters<typeof run>[1] = {}) =>
      lines(`${lf}${extra}`, { path: '/w/lf.yaml', ...opts }).filter((l) => l.includes('FT218'));
    assert.deepEqual(ft218('quantization_bit: 8\ndeepspeed: ds_z3_config.json', { files: { '/w/ds_z3_config.json': z3 } }), [
      `5:18-5:19 FT218 error 'quantization_bit: 8' with bitsandbytes under DeepSpeed ZeRO-3 (ds_z3_config.json): LLaMA-Factory stops with "Only 4-bit quantized model can use fsdp+qlora or auto device map." when it loads the model. Use 4 (QLoRA), or ZeRO-2.`,
    ]);
    // The tool resolves the path from where it is launched: the workspace root too.
    assert.equal(
      ft218('quantization_bit: 8\ndeepspeed: examples/deepspeed/ds_z3_config.json', {
        path: '/w/examples/train/lf.yaml',
        files: { '/w/examples/deepspeed/ds_z3_config.json': z3 },
      }).length,
      1,
    );
    assert.deepEqual(ft218('quantization_bit: 4\ndeepspeed: ds.json', { files: { '/w/ds.json': z3 } }), []);
    assert.deepEqual(ft218('quantization_bit: 8\ndeepspeed: ds.json', { files: { '/w/ds.json': z2 } }), []);
    // The file is not in the workspace, or its stage is not the number 3 (HfDeepSpeedConfig compares `_stage == 3`).
    assert.deepEqual(ft218('quantization_bit: 8\ndeepspeed: ds.json'), []);
    assert.deepEqual(ft218('quantization_bit: 8\ndeepspeed: ds.json', { files: { '/w/ds.json': '{"zero_optimization": {"stage": "auto"}}' } }), []);
    assert.deepEqual(ft218('quantization_bit: 8\ndeepspeed:\n  zero_optimization:\n    stage: 3'), [
      `5:18-5:19 FT218 error 'quantization_bit: 8' with bitsandbytes under DeepSpeed ZeRO-3 (the inline 'deepspeed' mapping): LLaMA-Factory stops with "Only 4-bit quantized model can use fsdp+qlora or auto device map." when it loads the model. Use 4 (QLoRA), or ZeRO-2.`,
    ]);
    assert.deepEqual(ft218('quantization_bit: 8\nquantization_method: hqq\ndeepspeed: ds.json', { files: { '/w/ds.json': z3 } }), [
      `5:18-5:19 FT218 error quantization_method: hqq under DeepSpeed ZeRO-3 (ds.json): LLaMA-Factory stops with "HQQ quantization is incompatible with DeepSpeed ZeRO-3 or FSDP." when it loads the model. Use bitsandbytes (quantization_bit: 4), or ZeRO-2.`,
    ]);
    assert.equal(ft218('quantization_bit: 8\nquantization_method: eetq\ndeepspeed: ds.json', { files: { '/w/ds.json': z3 } }).length, 1);
    assert.deepEqual(ft218('quantization_bit: 8\nquantization_device_map: auto'), [
      `5:18-5:19 FT218 error 'quantization_bit: 8' with bitsandbytes and 'quantization_device_map: auto': LLaMA-Factory stops with "Only 4-bit quantized model can use fsdp+qlora or auto device map." when it loads the model. Use 4, or leave quantization_device_map unset.`,
    ]);
    // FSDP is switched on by the launch's environment, which the config does not show: not judged.
    assert.deepEqual(ft218('quantization_bit: 8\nfsdp: full_shard'), []);
    // Before v0.8.3 the ZeRO-3 checks did not exist.
    assert.deepEqual(ft218('quantization_bit: 8\ndeepspeed: ds.json', { files: { '/w/ds.json': z3 }, settings: { versions: { llamafactory: '0.8.2' } } }), []);
  });
  it('FT220 what LLaMA-Factory refuses as it reads the arguments, in its words, on the key', () => {
    const lf = (type: string) => `stage: sft\nmodel_name_or_path: Qwen/Qwen2-0.5B\nfinetuning_type: ${type}\ntemplate: qwen\noutput_dir: o\n`;
    const ft220 = (text: string, llamafactory?: string) =>
      lines(text, { path: '/w/lf.yaml', ...(llamafactory ? { settings: { versions: { llamafactory } } } : {}) }).filter((l) => l.includes('FT220'));
    assert.deepEqual(ft220(`${lf('full')}quantization_bit: 4`), [
      "5:0-5:16 FT220 error 'quantization_bit' with 'finetuning_type: full': LLaMA-Factory stops with \"Quantization is only compatible with the LoRA or OFT method.\" as it reads the arguments.",
    ]);
    assert.deepEqual(
      ft220(`${lf('freeze')}quantization_bit: 4`, '0.9.3').map((l) => l.split('stops with ')[1]),
      ['"Quantization is only compatible with the LoRA method." as it reads the arguments.'],
    );
    assert.deepEqual(ft220(`${lf('oft')}quantization_bit: 4`), []);
    assert.deepEqual(ft220(`${lf('lora')}quantization_bit: 4`), []);
    assert.deepEqual(
      ft220(`${lf('freeze')}adapter_name_or_path: saves/x`).map((l) => l.split(' FT220 error ')[1]),
      [
        "'adapter_name_or_path' with 'finetuning_type: freeze': LLaMA-Factory stops with \"Adapter is only valid for the LoRA method.\" as it reads the arguments.",
      ],
    );
    assert.deepEqual(ft220(`${lf('lora')}adapter_name_or_path: saves/x`), []);
    assert.deepEqual(ft220(`stage: sft\nmodel_name_or_path: m\ntemplate: qwen\nadapter_name_or_path: saves/x`), [], 'finetuning_type defaults to lora');
    assert.deepEqual(
      ft220(`${lf('lora')}quantization_bit: 4\nresize_vocab: true`).map((l) => l.split(' FT220 ')[0]),
      ['6:0-6:12'],
    );
    assert.deepEqual(
      ft220(`${lf('lora')}quantization_bit: 4\npissa_init: true`).map((l) => l.split('stops with ')[1]),
      ['"Please use scripts/pissa_init.py to initialize PiSSA for a quantized model." as it reads the arguments.'],
    );
    assert.deepEqual(ft220(`${lf('lora')}quantization_bit: 4\npissa_init: true`, '0.8.1'), []);
    assert.deepEqual(
      ft220(`${lf('lora')}quantization_bit: 4\nadapter_name_or_path: saves/a\ncreate_new_adapter: true`).map((l) => l.split('stops with ')[1]),
      ['"Cannot create new adapter upon a quantized model." as it reads the arguments.'],
    );
    assert.deepEqual(
      ft220(`${lf('lora')}quantization_bit: 4\nadapter_name_or_path: saves/a,saves/b`).map((l) => l.split(' FT220 error ')[1]),
      [
        'Several adapters with \'quantization_bit\': LLaMA-Factory stops with "Quantized model only accepts a single adapter. Merge them first." as it reads the arguments.',
      ],
    );
    assert.deepEqual(ft220(`${lf('lora')}quantization_bit: 4\nadapter_name_or_path: saves/a`), []);
  });
  it('FT220 a device map while training; OFT with Unsloth or KTransformers when the adapter is built', () => {
    const lf = (type: string) => `stage: sft\ndo_train: true\nmodel_name_or_path: Qwen/Qwen2-0.5B\nfinetuning_type: ${type}\ntemplate: qwen\noutput_dir: o\n`;
    const all = (text: string, llamafactory?: string) =>
      lines(text, { path: '/w/lf.yaml', ...(llamafactory ? { settings: { versions: { llamafactory } } } : {}) }).filter((l) => / FT2(18|20) /.test(l));
    // The parser stops first, so FT218's "Only 4-bit" error for the same device map is not given while training.
    assert.deepEqual(all(`${lf('lora')}quantization_bit: 8\nquantization_device_map: auto`), [
      "7:25-7:29 FT220 error 'quantization_device_map: auto' with 'do_train: true': LLaMA-Factory stops with \"Cannot use device map for quantized models in training.\" as it reads the arguments.",
    ]);
    assert.deepEqual(all(`${lf('oft')}use_unsloth: true`), [
      "3:17-3:20 FT220 error 'finetuning_type: oft' with 'use_unsloth: true': LLaMA-Factory stops with \"Unsloth is currently not supported for OFT.\" when it builds the adapter, after loading the model.",
    ]);
    assert.deepEqual(
      all(`${lf('oft')}use_kt: true\nuse_unsloth: true`).map((l) => l.split('stops with ')[1]),
      ['"KTransformers only supports LoRA finetuning." when it builds the adapter, after loading the model.'],
    );
    assert.deepEqual(all(`${lf('oft')}use_kt: true`, '0.9.4'), [], 'KTransformers arrived in 0.9.5');
    assert.deepEqual(all(`${lf('lora')}use_unsloth: true`), []);
    assert.deepEqual(all(`${lf('oft')}use_unsloth: true`.replace('do_train: true\n', '')), [], 'not training: no adapter is built');
  });
  it('FT220 what get_train_args refuses in a training config (do_train, do_eval or do_predict)', () => {
    const lf = (stage: string, more = '') =>
      `stage: ${stage}\ndo_train: true\nmodel_name_or_path: Qwen/Qwen2-0.5B\nfinetuning_type: lora\ntemplate: qwen\ndataset: d\noutput_dir: o\n${more}`;
    const says = (text: string, llamafactory?: string) =>
      lines(text, { path: '/w/lf.yaml', ...(llamafactory ? { settings: { versions: { llamafactory } } } : {}) })
        .filter((l) => l.includes(' FT220 '))
        .map((l) => `${l.split(' ')[0]} ${l.split(' FT220 error ')[1].split(': LLaMA-Factory stops with ')[0]} | ${l.split('stops with ')[1]}`);
    assert.deepEqual(says(lf('dpo', 'neat_packing: true\ntrain_on_prompt: true\nmask_history: true\npredict_with_generate: true')), [
      "7:0-7:12 'neat_packing' with 'stage: dpo' | \"`neat_packing` cannot be set as True except SFT.\" as it reads the arguments.",
      "8:0-8:15 'train_on_prompt' with 'stage: dpo' | \"`train_on_prompt` or `mask_history` cannot be set as True except SFT.\" as it reads the arguments.",
      "10:0-10:21 'predict_with_generate' with 'stage: dpo' | \"`predict_with_generate` cannot be set as True except SFT.\" as it reads the arguments.",
    ]);
    assert.deepEqual(says(lf('sft', 'neat_packing: true\ntrain_on_prompt: true')), []);
    assert.deepEqual(says(lf('dpo', 'neat_packing: true'), '0.8.2'), [], 'neat_packing arrived in 0.8.3');
    assert.deepEqual(
      says(lf('sft', 'do_predict: true')).map((l) => l.split(' | ')[1]),
      ['"Please enable `predict_with_generate` to save model predictions." as it reads the arguments.'],
    );
    assert.deepEqual(says(lf('sft', 'do_predict: true\npredict_with_generate: true')), []);
    assert.deepEqual(
      says(lf('rm', 'load_best_model_at_end: true')).map((l) => l.split(' | ')[1]),
      ['"RM and PPO stages do not support `load_best_model_at_end`." as it reads the arguments.'],
    );
    assert.deepEqual(
      says(lf('sft', 'streaming: true')).map((l) => l.split(' | ')[1]),
      ['"Please specify `max_steps` in streaming mode." as it reads the arguments.'],
    );
    assert.deepEqual(says(lf('sft', 'streaming: true\nmax_steps: 1000')), []);
    assert.deepEqual(
      says(lf('sft', 'use_galore: true\ndeepspeed: ds.json')).map((l) => l.split(' | ')[1]),
      ['"GaLore and APOLLO are incompatible with DeepSpeed yet." as it reads the arguments.'],
    );
    assert.deepEqual(
      says(lf('sft', 'use_galore: true\ndeepspeed: ds.json'), '0.9.1').map((l) => l.split(' | ')[1]),
      ['"GaLore is incompatible with DeepSpeed yet." as it reads the arguments.'],
    );
    assert.deepEqual(says(lf('sft', 'use_apollo: true\ndeepspeed: ds.json'), '0.9.1'), [], 'APOLLO arrived in 0.9.2');
    assert.deepEqual(
      says(lf('sft', 'infer_backend: vllm')).map((l) => l.split(' | ')[1]),
      ['"vLLM/SGLang backend is only available for API, CLI and Web." as it reads the arguments.'],
    );
    const z3 = { '/w/ds_z3.json': '{"zero_optimization": {"stage": 3}}', '/w/ds_z2.json': '{"zero_optimization": {"stage": 2}}' };
    const zero = (more: string, file: string, llamafactory?: string) =>
      lines(lf('sft', `${more}\ndeepspeed: ${file}`), { path: '/w/lf.yaml', files: z3, ...(llamafactory ? { settings: { versions: { llamafactory } } } : {}) })
        .filter((l) => l.includes(' FT220 '))
        .map((l) => l.split(' FT220 error ')[1]);
    assert.deepEqual(zero('use_unsloth: true\npure_bf16: true', 'ds_z3.json'), [
      '\'use_unsloth\' under DeepSpeed ZeRO-3 (ds_z3.json): LLaMA-Factory stops with "Unsloth is incompatible with DeepSpeed ZeRO-3." as it reads the arguments.',
      '\'pure_bf16\' under DeepSpeed ZeRO-3 (ds_z3.json): LLaMA-Factory stops with "`pure_bf16` is incompatible with DeepSpeed ZeRO-3." as it reads the arguments (on a GPU with bf16; on others, "This device does not support `pure_bf16`." comes first).',
    ]);
    assert.deepEqual(zero('use_unsloth: true\npure_bf16: true', 'ds_z2.json'), []);
    assert.deepEqual(zero('use_unsloth: true\npure_bf16: true', 'missing.json'), [], 'a file we cannot read is not judged');
    assert.deepEqual(zero('pure_bf16: true', 'ds_z3.json', '0.8.2'), [], 'not before 0.8.3');
    assert.deepEqual(
      zero('predict_with_generate: true\ncompute_accuracy: true\ndo_predict: true', 'ds_z3.json').map((l) => l.split(': LLaMA-Factory stops with ')[1]),
      [
        '"`predict_with_generate` is incompatible with DeepSpeed ZeRO-3." as it reads the arguments.',
        '"Cannot use `predict_with_generate` and `compute_accuracy` together." as it reads the arguments.',
      ],
    );
    assert.deepEqual(zero('predict_with_generate: true\ndo_predict: true', 'ds_z2.json'), []);
    // A chat or export config (no do_train/do_eval/do_predict) is not read by get_train_args.
    assert.deepEqual(says('model_name_or_path: Qwen/Qwen2-0.5B\ntemplate: qwen\ninfer_backend: vllm\nstreaming: true\n'), []);
  });
  it('FT221 TRL DPO loss_weights that do not match loss_type, in the words of the release', () => {
    const dpo = 'model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: trl-lib/ultrafeedback_binarized\noutput_dir: o\nbeta: 0.1\n';
    const ft221 = (extra: string, trl?: string) =>
      lines(`${dpo}${extra}`, { path: '/w/dpo.yaml', ...(trl ? { settings: { versions: { trl } } } : {}) }).filter((l) => l.includes('FT221'));
    assert.deepEqual(ft221('loss_type: [sigmoid, bco_pair, sft]\nloss_weights: [0.8, 0.2]'), [
      '5:0-5:12 FT221 error 2 loss weights for 3 loss types: TRL\'s DPOConfig stops with "`loss_weights` must have the same length as `loss_type` when combining multiple losses." as it reads the arguments.',
    ]);
    assert.deepEqual(
      ft221('loss_weights: [0.8, 0.2]').map((l) => l.split(' error ')[1].split(':')[0]),
      ['2 loss weights for 1 loss type (loss_type is unset'],
    );
    assert.deepEqual(
      ft221('loss_type: sigmoid\nloss_weights: [0.8, 0.2]', '0.25.0').map((l) => l.split('stops with ')[1]),
      ['"Length of loss_weights list (...) must match number of loss types (...)." as it reads the arguments.'],
    );
    assert.deepEqual(ft221('loss_type: [sigmoid, sft]\nloss_weights: [0.8, 0.2]'), []);
    assert.deepEqual(ft221('loss_type: sigmoid\nloss_weights: [1.0]'), []);
    assert.deepEqual(ft221('loss_type: [sigmoid, sft]'), []);
  });
  it('FT218 stays quiet where the on-the-fly quantization does not run', () => {
    const lf = (model: string) => `stage: sft\nmodel_name_or_path: ${model}\nfinetuning_type: lora\ntemplate: qwen\noutput_dir: o\n`;
    const codes = (text: string) =>
      run(text, { path: '/w/lf.yaml', files: { '/w/ds.json': '{"zero_optimization": {"stage": 3}}' } })
        .map((d) => d.code)
        .filter((c) => c === 'FT218');
    // A pre-quantized model: LLaMA-Factory warns that quantization_bit has no effect.
    assert.deepEqual(codes(`${lf('Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4')}quantization_bit: 3`), []);
    assert.deepEqual(codes(`${lf('openai/gpt-oss-20b')}quantization_bit: 8\ndeepspeed: ds.json`), []);
    // export_quantization_bit takes the AutoGPTQ branch first.
    assert.deepEqual(codes(`${lf('Qwen/Qwen2-0.5B')}quantization_bit: 3\nexport_quantization_bit: 4`), []);
  });
});

describe('LightningCLI YAML says what Python says', () => {
  it('FT308 trainer.precision: 16 and bf16, with a safe fix; 32 and 16-mixed are fine', () => {
    const cli = (p: string) => analyze(`trainer:\n  precision: ${p}\nmodel:\n  class_path: m.M`, '/w/cli.yaml').diagnostics;
    assert.deepEqual(
      cli('16').map((d) => [d.code, d.message, fixesOf(d).map((f) => [f.title, f.preferred])]),
      [
        [
          'FT308',
          "'precision: 16' is a Lightning 1.x value: 2.x still takes it \"for historical reasons\" with a warning. Use '16-mixed'.",
          [["Change to '16-mixed'", true]],
        ],
      ],
    );
    assert.deepEqual(
      cli('bf16').map((d) => d.code),
      ['FT308'],
    );
    assert.deepEqual(
      cli('32').map((d) => d.code),
      [],
    );
    assert.deepEqual(
      cli('16-mixed').map((d) => d.code),
      [],
    );
  });
});

describe('deprecations Axolotl prints itself (issue 14)', () => {
  const ft110 = (text: string, opts?: Parameters<typeof analyze>[2]) => analyze(text, '/w/train.yml', opts).diagnostics.filter((d) => d.code === 'FT110');
  it('gradient_checkpointing: offload, with a safe fix to the two keys Axolotl reads it as', () => {
    const d = ft110(`${AXOLOTL_BASE}\ngradient_checkpointing: offload`);
    assert.deepEqual(
      d.map((x) => [x.range.start.line, x.message]),
      [
        [
          8,
          "'gradient_checkpointing: offload' is deprecated since Axolotl v0.12.0 (Axolotl warns and reads it as 'gradient_checkpointing: true' with 'activation_offloading: true'). Write those two instead.",
        ],
      ],
    );
    assert.deepEqual(
      fixesOf(d[0]).map((f) => [f.title, f.preferred, f.edits.map((e) => e.newText.trim())]),
      [["Use 'gradient_checkpointing: true' and 'activation_offloading: true'", true, ['true', 'activation_offloading: true']]],
    );
    assert.deepEqual(ft110(`${AXOLOTL_BASE}\ngradient_checkpointing: offload`, { settings: { ...DEFAULT_SETTINGS, versions: { axolotl: '0.11.0' } } }), []);
  });
  it('pretraining_dataset without streaming: true', () => {
    assert.deepEqual(
      ft110(`${AXOLOTL_BASE}\npretraining_dataset:\n  - path: c4`).map((d) => d.range.start.line),
      [8],
    );
    assert.deepEqual(ft110(`${AXOLOTL_BASE}\npretraining_dataset:\n  - path: c4\nstreaming: true`), []);
  });
  it('FSDP1: fsdp_config without fsdp_version 2 (top level or inside fsdp_config)', () => {
    assert.deepEqual(
      ft110(`${AXOLOTL_BASE}\nfsdp_config:\n  offload_params: true`).map((d) => d.message.slice(0, 50)),
      ["FSDP1 (no 'fsdp_version', so version 1) is depreca"],
    );
    assert.deepEqual(ft110(`${AXOLOTL_BASE}\nfsdp_version: 2\nfsdp_config:\n  offload_params: true`), []);
    assert.deepEqual(ft110(`${AXOLOTL_BASE}\nfsdp_config:\n  fsdp_version: 2\n  offload_params: true`), []);
  });
});

describe('torchtune recipe start-up checks (FT219)', () => {
  const base = (recipe: string) =>
    [`# tune run ${recipe} --config my/cfg`, 'output_dir: /tmp/out', 'model:', '  _component_: torchtune.models.llama3_2.llama3_2_1b', 'batch_size: 2'].join(
      '\n',
    );
  const ft219 = (text: string, torchtune?: string) =>
    analyze(text, '/w/my_cfg.yaml', { settings: { ...DEFAULT_SETTINGS, ...(torchtune ? { versions: { torchtune } } : {}) } })
      .diagnostics.filter((d) => d.code === 'FT219')
      .map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`);
  it('dtype: fp16 where the recipe refuses it; lora_finetune_single_device takes it', () => {
    assert.deepEqual(ft219(`${base('full_finetune_single_device')}\ndtype: fp16`), [
      '5:7 \'dtype: fp16\': the full_finetune_single_device recipe stops with "full fp16 training is not supported with this recipe. Please use bf16 or fp32 instead." when it starts (torchtune 0.5.0 to 0.6.1 and main).',
    ]);
    assert.deepEqual(ft219(`${base('lora_finetune_single_device')}\ndtype: fp16`), []);
    assert.deepEqual(ft219(`${base('full_finetune_single_device')}\ndtype: bf16`), []);
    assert.match(ft219(`${base('full_dpo_distributed')}\ndtype: fp16`)[0], /\(torchtune 0\.6\.0 to 0\.6\.1 and main\)\.$/);
    assert.deepEqual(ft219(`${base('full_dpo_distributed')}\ndtype: fp16`, '0.5.0'), [], 'the recipe is not in 0.5.0');
  });
  it('a recipe that is on main only says so, and is not judged under a pin of a release without it', () => {
    const text = `${base('qat_single_device')}\noptimizer_in_bwd: True\ngradient_accumulation_steps: 4`;
    assert.match(ft219(text)[0], /when it starts \(torchtune main at bd2a0fc7\)\. Set gradient_accumulation_steps: 1/);
    assert.deepEqual(ft219(text, '0.6.1'), []);
  });
  it('optimizer_in_bwd with gradient clipping or accumulation', () => {
    const text = `${base('full_finetune_distributed')}\noptimizer_in_bwd: True\nclip_grad_norm: 1.0\ngradient_accumulation_steps: 8`;
    assert.deepEqual(
      ft219(text).map((l) => l.split(" '")[0] + ' ' + l.split('stops with ')[1].split('"')[1]),
      ['6:16 Gradient clipping is not supported with optimizer in bwd.', '7:29 Gradient accumulation is not supported with optimizer in bwd.'],
    );
    assert.deepEqual(ft219(`${base('full_finetune_distributed')}\noptimizer_in_bwd: True\nclip_grad_norm: null\ngradient_accumulation_steps: 1`), []);
    assert.deepEqual(ft219(`${base('full_finetune_distributed')}\noptimizer_in_bwd: False\nclip_grad_norm: 1.0\ngradient_accumulation_steps: 8`), []);
    // LoRA recipes have no optimizer in backward at all: nothing to refuse.
    assert.deepEqual(ft219(`${base('lora_finetune_single_device')}\noptimizer_in_bwd: True\ngradient_accumulation_steps: 8`), []);
  });
  it('activation offloading without checkpointing, with a quick fix that is never fix-all', () => {
    const a = analyze(`${base('lora_finetune_single_device')}\nenable_activation_offloading: True`, '/w/my_cfg.yaml');
    const d = a.diagnostics.filter((x) => x.code === 'FT219');
    assert.deepEqual(
      d.map((x) => x.message),
      [
        "'enable_activation_offloading: true' without 'enable_activation_checkpointing: true': the lora_finetune_single_device recipe stops with \"enable_activation_offloading should only be True when enable_activation_checkpointing is True\" when it starts (torchtune 0.5.0 to 0.6.1 and main).",
      ],
    );
    assert.deepEqual(
      fixesOf(d[0]).map((f) => [f.title, f.preferred]),
      [['Set enable_activation_checkpointing: true', false]],
    );
    assert.deepEqual(ft219(`${base('lora_finetune_single_device')}\nenable_activation_offloading: True\nenable_activation_checkpointing: True`), []);
  });
  it('a left_pad_sequence collator, refused after the model is loaded', () => {
    assert.deepEqual(ft219(`${base('lora_finetune_distributed')}\ncollate_fn: torchtune.data.left_pad_sequence`), [
      '5:12 \'collate_fn: torchtune.data.left_pad_sequence\': the lora_finetune_distributed recipe stops with "left_pad_sequence collator is only for inference." when it sets up the data, after loading the model (torchtune 0.5.0 to 0.6.1 and main). Leave collate_fn unset (torchtune.data.padded_collate_sft).',
    ]);
    assert.deepEqual(ft219(`${base('lora_finetune_distributed')}\ncollate_fn: torchtune.data.padded_collate_sft`), []);
    assert.deepEqual(ft219(`${base('lora_dpo_single_device')}\ncollate_fn: torchtune.data.left_pad_sequence`), []);
  });
  it('silent without a `tune run` comment, for a recipe that does not check, when one of several named recipes does not, and before 0.5.0', () => {
    const text = `${base('full_finetune_single_device')}\ndtype: fp16`;
    assert.deepEqual(ft219(text.split('\n').slice(1).join('\n')), []);
    assert.deepEqual(ft219(`${base('generate')}\ndtype: fp16`), []);
    assert.deepEqual(ft219(`# tune run lora_finetune_single_device --config x\n${text}`), []);
    assert.deepEqual(ft219(`${base('my_own_recipe.py')}\ndtype: fp16`), []);
    assert.deepEqual(ft219(text, '0.4.0'), []);
    assert.equal(ft219(text, '0.6.1').length, 1);
  });
});

describe('torchtune builders that do not exist (issue 14)', () => {
  it('FT103 on a model builder torchtune never had, with did-you-mean; known builders and other paths are left alone', () => {
    const tt = (c: string) =>
      analyze(`model:\n  _component_: ${c}\n`, '/w/tt.yaml')
        .diagnostics.filter((d) => d.code === 'FT103')
        .map((d) => d.message);
    assert.deepEqual(tt('torchtune.models.llama3_2.llama3_2_1bb'), [
      "'torchtune.models.llama3_2.llama3_2_1bb' is not a builder torchtune has: torchtune stops with \"Error loading\" when it instantiates the config. Did you mean 'torchtune.models.llama3_2.llama3_2_1b'?",
    ]);
    assert.match(tt('torchtune.models.lama3.llama3_8b')[0], /there is no 'torchtune\.models\.lama3'/);
    assert.deepEqual(tt('torchtune.models.llama3_2.llama3_2_1b'), []);
    assert.deepEqual(tt('torchtune.models.llama3_2._model_builders.llama3_2_1b'), []);
    assert.deepEqual(tt('my_project.models.tiny_llama'), []);
  });
});

describe('a YAML value that only looks like a tuple (issue 14)', () => {
  it('FT102 on Accelerate fp8_config.override_linear_precision as a string, with a safe fix to a list', () => {
    const acc = 'compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nmixed_precision: fp8\nnum_processes: 2\nfp8_config:\n  backend: TE\n';
    const d = analyze(`${acc}  override_linear_precision: (false, false, true)`, '/w/accelerate.yaml').diagnostics;
    assert.deepEqual(
      d.map((x) => [x.code, x.range.start.line, fixesOf(x).map((f) => [f.title, f.preferred])]),
      [['FT102', 6, [['Write it as a list: [false, false, true]', true]]]],
    );
    assert.deepEqual(analyze(`${acc}  override_linear_precision: [false, false, true]`, '/w/accelerate.yaml').diagnostics, []);
  });
});

describe('values only some releases accept (x-ftw-valueHistory, issue 14)', () => {
  const trl = (strategy: string) =>
    `model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: trl-lib/Capybara\npacking: true\npacking_strategy: ${strategy}\noutput_dir: o`;
  const check = (strategy: string, trlVersion?: string) =>
    analyze(trl(strategy), '/w/sft.yaml', { settings: { ...DEFAULT_SETTINGS, ...(trlVersion ? { versions: { trl: trlVersion } } : {}) } }).diagnostics.map(
      (d) => [d.code, ['', 'error', 'warning', 'information'][d.severity!], d.message, fixesOf(d).map((f) => `${f.title}${f.preferred ? ' (safe)' : ''}`)],
    );
  it("TRL 'ffd': accepted by 0.19.x, refused from 0.20.0; the fix to 'bfd' is safe only for a known release that takes it", () => {
    assert.deepEqual(check('ffd', '0.19.1'), []);
    assert.deepEqual(check('ffd', '0.22.0'), [
      [
        'FT103',
        'warning',
        `'packing_strategy: ffd' is accepted only by TRL releases from 0.19.0 up to, not including, 0.20.0; later ones refuse it (TRL stops with "Invalid packing strategy" when packing: true packs the dataset; 0.20.0 renamed 'ffd' to 'bfd'). Your project uses TRL 0.22.0 (finetune.versions). Use 'bfd'.`,
        ["Change to 'bfd' (safe)"],
      ],
    ]);
    // No pin: the newest release is assumed, but the fix is not applied by fix-all or `ftw fix` (a 0.19 project breaks).
    assert.deepEqual(check('ffd'), [
      [
        'FT103',
        'warning',
        `'packing_strategy: ffd' is accepted only by TRL releases from 0.19.0 up to, not including, 0.20.0; later ones refuse it (TRL stops with "Invalid packing strategy" when packing: true packs the dataset; 0.20.0 renamed 'ffd' to 'bfd'). The project pins no TRL release, so the newest (1.9.0) is assumed. Use 'bfd' with TRL 0.20.0 or later.`,
        ["Change to 'bfd'"],
      ],
    ]);
  });
  it("TRL 'bfd-requeue' (0.29) and 'bfd_split' (1.0): deprecated, or newer than the project's release", () => {
    assert.deepEqual(check('bfd-requeue', '0.29.1'), []);
    assert.deepEqual(check('bfd-requeue', '1.2.0'), [
      [
        'FT110',
        'information',
        "'packing_strategy: bfd-requeue' is deprecated since TRL 1.0.0 (TRL warns and reads it as 'bfd_split'); it still works in TRL 1.2.0 (finetune.versions). Use 'bfd_split'.",
        ["Change to 'bfd_split' (safe)"],
      ],
    ]);
    assert.deepEqual(
      check('bfd-requeue').map((d) => [d[0], d[3]]),
      [['FT110', ["Change to 'bfd_split'"]]],
    );
    assert.deepEqual(
      check('bfd-requeue', '0.22.0').map((d) => d[0]),
      ['FT111'],
    );
    assert.deepEqual(check('bfd_split', '0.29.0'), [
      [
        'FT111',
        'warning',
        `'packing_strategy: bfd_split' is accepted by TRL since 1.0.0; your project uses TRL 0.29.0 (finetune.versions), which refuses it: TRL stops with "Invalid packing strategy" when packing: true packs the dataset.`,
        [],
      ],
    ]);
    assert.deepEqual(
      check('bfd', '0.19.1').map((d) => d[0]),
      ['FT111'],
    );
    for (const ok of ['bfd', 'bfd_split', 'wrapped']) assert.deepEqual(check(ok), [], ok);
    assert.deepEqual(check('wrapped', '0.19.1'), []);
  });
  it('a value no release takes is still FT103 with "did you mean"', () => {
    assert.deepEqual(
      check('bdf').map((d) => [d[0], d[2]]),
      [['FT103', "'bdf' is not a value TRL knows for 'packing_strategy'. Did you mean 'bfd'? Allowed: bfd, bfd_split, wrapped."]],
    );
  });
});

describe('torchtune: top-level keys the named recipe reads (from its code, issue 14)', () => {
  const TT = [
    '# Run with:',
    '#   tune run --nnodes 1 --nproc_per_node 2 lora_finetune_distributed --config my/qlora',
    'output_dir: /tmp/out',
    'model:',
    '  _component_: torchtune.models.llama2.qlora_llama2_7b',
    'tokenizer:',
    '  _component_: torchtune.models.llama2.llama2_tokenizer',
    '  path: /tmp/tokenizer.model',
    'batch_size: 2',
    'epochs: 1',
  ].join('\n');
  const ft101 = (text: string, torchtune?: string) =>
    analyze(text, '/w/my_qlora.yaml', { settings: { ...DEFAULT_SETTINGS, ...(torchtune ? { versions: { torchtune } } : {}) } })
      .diagnostics.filter((d) => d.code === 'FT101')
      .map((d) => [d.range.start.line, d.message, fixesOf(d).map((f) => `${f.title}${f.preferred ? ' (safe)' : ''}`)]);
  it('a key another recipe reads, that this one never reads, is a warning (no safe fix)', () => {
    const [d] = ft101(`${TT}\nfsdp:\n  cpu_offload: false`);
    assert.deepEqual(d.slice(0, 2), [
      10,
      "The lora_finetune_distributed recipe never reads 'fsdp' (torchtune 0.6.1 and main at bd2a0fc7): torchtune ignores it without a word. Did you mean 'fsdp_cpu_offload'?",
    ]);
    assert.ok((d[2] as string[]).includes("Change 'fsdp' to 'fsdp_cpu_offload'") && (d[2] as string[]).every((f) => !f.endsWith('(safe)')));
    // lora_dpo_distributed reads no `compile` (0.6.1); lora_finetune_distributed does.
    assert.deepEqual(ft101(`${TT}\ncompile: true`), []);
    assert.deepEqual(
      ft101(`${TT.replace('lora_finetune_distributed', 'lora_dpo_distributed')}\ncompile: true`).map((d) => d[1]),
      ["The lora_dpo_distributed recipe never reads 'compile' (torchtune 0.6.1 and main at bd2a0fc7): torchtune ignores it without a word."],
    );
  });
  it('per release: a pinned release is judged by what that release reads', () => {
    // eleuther_eval reads `chat_template` and never `resume_from_checkpoint`; a pin of 0.6.0 names that release.
    const evalCfg = '# tune run eleuther_eval --config my_eval\nmodel:\n  _component_: torchtune.models.llama2.llama2_7b\nresume_from_checkpoint: false\n';
    assert.deepEqual(
      ft101(evalCfg, '0.6.0').map((d) => d[1]),
      ["The eleuther_eval recipe never reads 'resume_from_checkpoint' (torchtune 0.6.0): torchtune ignores it without a word."],
    );
    assert.deepEqual(ft101(evalCfg, '0.4.0'), [], 'older than every release we read');
  });
  it('silent without a `tune run` comment, for keys other values refer to, and for keys already unknown to the schema', () => {
    assert.deepEqual(ft101(`${TT.split('\n').slice(2).join('\n')}\nfsdp:\n  cpu_offload: false`), []);
    assert.deepEqual(ft101(`${TT}\nfsdp: x\ncheckpointer:\n  output_dir: \${fsdp}`), []);
    assert.deepEqual(
      ft101(`${TT}\nbatch_sise: 2`)
        .map((d) => d[1])
        .filter((m) => (m as string).includes('recipe never reads')),
      [],
    );
  });
});
