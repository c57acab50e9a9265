import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixesOf } from '../../server/src/core/config';
import { analyze, AXOLOTL_BASE, summary } from './helpers';

// One row per behaviour: the config text, and every diagnostic it must produce (exact range, code, severity, message).
const AXOLOTL_CASES: Array<{ name: string; text: string; expect: string[] }> = [
  { name: 'a valid config is silent', text: AXOLOTL_BASE, expect: [] },
  {
    name: 'unknown key: on the key, with did-you-mean',
    text: `${AXOLOTL_BASE}\nlora_dropuot: 0.05`,
    expect: ["8:0-8:12 FT101 warning Unknown key 'lora_dropuot': Axolotl ignores it silently. Did you mean 'lora_dropout'?"],
  },
  {
    name: 'unknown key without a close match',
    text: `${AXOLOTL_BASE}\nzzqqxx: 1`,
    expect: ["8:0-8:6 FT101 warning Unknown key 'zzqqxx': Axolotl ignores it silently."],
  },
  {
    name: 'unknown key inside a dataset item',
    text: AXOLOTL_BASE.replace('    type: alpaca', '    type: alpaca\n    splt: train'),
    expect: ["4:4-4:8 FT101 warning Unknown key 'splt' in 'datasets[0]': Axolotl ignores it silently. Did you mean 'split'?"],
  },
  {
    name: 'wrong type: a ratio in an integer field',
    text: `${AXOLOTL_BASE}\nwarmup_steps: 0.1`,
    expect: ["8:14-8:17 FT102 error 'warmup_steps' must be an integer, not 0.1: Axolotl refuses this value at startup."],
  },
  {
    name: 'empty required value',
    text: AXOLOTL_BASE.replace('output_dir: ./outputs/lora-out', 'output_dir:'),
    expect: [
      "7:0-7:10 FT106 error 'output_dir' is empty (null) but must be a string: Axolotl stops with a validation error. Give it a value or remove the line.",
    ],
  },
  {
    name: 'value not allowed, with the closest suggestion',
    text: `${AXOLOTL_BASE}\nchat_template: chatm`,
    expect: ["8:15-8:20 FT103 error 'chatm' is not an allowed value for 'chat_template'. Did you mean 'chatml'? 37 values are allowed."],
  },
  {
    name: 'number out of range',
    text: `${AXOLOTL_BASE}\nlora_dropout: 1.5`,
    expect: ["8:14-8:17 FT104 error 'lora_dropout' must be <= 1, not 1.5."],
  },
  {
    name: 'missing required key, reported on its parent (the first key of the file)',
    text: `# ftw: format=axolotl\n${AXOLOTL_BASE.replace('base_model: NousResearch/Llama-3.2-1B\n', '')}`,
    expect: ["1:0-1:8 FT105 error Missing required key 'base_model': Axolotl stops with a validation error without it."],
  },
  {
    name: 'a list where a mapping is expected',
    text: `${AXOLOTL_BASE}\nspecial_tokens:\n  - pad_token`,
    expect: ["9:2-9:13 FT102 error 'special_tokens' must be a mapping, not a list: Axolotl refuses this value at startup."],
  },
  {
    name: 'a mapping where a list is expected',
    text: AXOLOTL_BASE.replace('datasets:\n  - path: mhenrichsen/alpaca_2k_test\n    type: alpaca', 'datasets:\n  path: mhenrichsen/alpaca_2k_test'),
    expect: ["2:2-2:34 FT102 error 'datasets' must be a list, not a mapping: Axolotl refuses this value at startup."],
  },
  {
    name: 'removed key that Axolotl refuses',
    text: `${AXOLOTL_BASE}\nrope_scaling:\n  type: linear`,
    expect: ["8:0-8:12 FT107 error 'rope_scaling' was replaced in Axolotl v0.5.0: use 'model_config.rope_scaling'. Axolotl refuses to start with it."],
  },
  {
    name: 'renamed key that Axolotl drops, with a rename fix',
    text: `${AXOLOTL_BASE}\nrelora_steps: 100`,
    expect: ["8:0-8:12 FT107 warning 'relora_steps' was replaced in Axolotl v0.12.0: use 'jagged_restart_steps'. Axolotl ignores it silently."],
  },
  {
    name: 'deprecated key still read',
    text: `${AXOLOTL_BASE}\nevaluation_strategy: steps`,
    expect: ["8:0-8:19 FT110 warning 'evaluation_strategy' is deprecated since Axolotl v0.5.1: use 'eval_strategy'. Axolotl still reads it for now."],
  },
  {
    name: 'plugin key without its plugin',
    text: `${AXOLOTL_BASE}\nliger_rope: true`,
    expect: [
      "8:0-8:10 FT108 warning 'liger_rope' is a key of the Liger plugin: Axolotl ignores it unless 'axolotl.integrations.liger.LigerPlugin' is listed under 'plugins:'.",
    ],
  },
  {
    name: 'plugin key with its plugin is silent',
    text: `${AXOLOTL_BASE}\nplugins:\n  - axolotl.integrations.liger.LigerPlugin\nliger_rope: true`,
    expect: [],
  },
  {
    name: 'duplicate key: the last one wins in PyYAML',
    text: `${AXOLOTL_BASE}\nmicro_batch_size: 4`,
    expect: [
      "8:0-8:16 FT002 warning Duplicate key 'micro_batch_size' (first on line 5): the YAML loader keeps only this last value and silently drops the one on line 5.",
    ],
  },
  {
    name: 'fsdp_ prefix inside fsdp_config is deprecated and stripped',
    text: `${AXOLOTL_BASE}\nfsdp_version: 2\nfsdp_config:\n  fsdp_offload_params: true`,
    expect: [
      "10:2-10:21 FT110 warning The 'fsdp_' prefix in 'fsdp_config' is deprecated since Axolotl v0.12.0: Axolotl reads 'fsdp_offload_params' as 'offload_params'.",
    ],
  },
  {
    name: 'syntax error at its position',
    text: `${AXOLOTL_BASE}\nlora_r: [8, 16`,
    expect: [],
  },
];

describe('Axolotl validation', () => {
  for (const c of AXOLOTL_CASES.filter((c) => c.name !== 'syntax error at its position')) {
    it(c.name, () => assert.deepEqual(summary(analyze(c.text)), c.expect));
  }

  it('reports a syntax error at its position and keeps going', () => {
    const a = analyze(`${AXOLOTL_BASE}\nlora_r: [8, 16`);
    const syntax = a.diagnostics.filter((d) => d.code === 'FT001');
    assert.ok(syntax.length >= 1, summary(a).join('\n'));
    assert.equal(syntax[0].range.start.line, 8);
    assert.match(syntax[0].message, /^Syntax error: /);
  });

  it('accepts what pydantic converts: "8", "2e-5", yes/on, 1e-4 (a string in PyYAML)', () => {
    const text = `${AXOLOTL_BASE}\nattn_implementation: flash_attention_2\nlora_r: "8"\nweight_decay: 1e-4\nsample_packing: yes\nbf16: on\ntrain_on_inputs: "false"\nwarmup_steps: '10'`;
    assert.deepEqual(summary(analyze(text)), []);
  });

  it('accepts "auto" and booleans for bf16, and the offload strings of gradient_checkpointing (deprecated since v0.12.0)', () => {
    assert.deepEqual(
      summary(analyze(`${AXOLOTL_BASE}\nbf16: auto\ntf32: false\ngradient_checkpointing: offload`)).map((l) => l.split(' ').slice(0, 3).join(' ')),
      ['10:24-10:31 FT110 warning'],
    );
  });

  it("knows the transformers optimizer names as well as Axolotl's own", () => {
    assert.deepEqual(summary(analyze(`${AXOLOTL_BASE}\noptimizer: paged_adamw_8bit`)), []);
    assert.deepEqual(summary(analyze(`${AXOLOTL_BASE}\noptimizer: ao_adamw_8bit`)), []);
    const a = analyze(`${AXOLOTL_BASE}\noptimizer: paged_adamw_8bt`);
    assert.equal(a.diagnostics[0].code, 'FT103');
    assert.match(a.diagnostics[0].message, /Did you mean 'paged_adamw_8bit'\?/);
  });

  it('accepts the pydantic field names of aliased keys', () => {
    assert.deepEqual(summary(analyze(`${AXOLOTL_BASE}\nrevision_of_model: main`)), []);
  });

  it('carries the did-you-mean fix in the diagnostic data', () => {
    const d = analyze(`${AXOLOTL_BASE}\nlora_dropuot: 0.05`).diagnostics[0];
    assert.deepEqual(fixesOf(d), [{ title: "Change 'lora_dropuot' to 'lora_dropout'", edits: [{ range: d.range, newText: 'lora_dropout' }], preferred: true }]);
    assert.equal(d.source, 'finetune');
    assert.match(d.codeDescription!.href, /rules\.md#ft101$/);
  });

  it('offers one fix per allowed value, closest first', () => {
    const d = analyze(`${AXOLOTL_BASE}\nchat_template: chatm`).diagnostics[0];
    const titles = fixesOf(d).map((f) => f.title);
    assert.equal(titles.length, 37);
    assert.equal(titles[0], "Change to 'chatml'");
    assert.equal(fixesOf(d)[0].preferred, true);
  });

  it('offers a rename fix only when the new key takes the same kind of value', () => {
    const withFix = analyze(`${AXOLOTL_BASE}\nevaluation_strategy: steps`).diagnostics[0];
    assert.deepEqual(
      fixesOf(withFix).map((f) => f.edits[0].newText),
      ['eval_strategy'],
    );
    const withoutFix = analyze(`${AXOLOTL_BASE}\nfsdp:\n  - full_shard`).diagnostics[0];
    assert.equal(withoutFix.code, 'FT110');
    assert.deepEqual(fixesOf(withoutFix), []);
  });

  it('adds the plugin to an existing plugins list', () => {
    const text = `${AXOLOTL_BASE}\nplugins:\n  - axolotl.integrations.cut_cross_entropy.CutCrossEntropyPlugin\nliger_rope: true`;
    const d = analyze(text).diagnostics[0];
    assert.deepEqual(fixesOf(d)[0].edits, [
      { range: { start: { line: 9, character: 64 }, end: { line: 9, character: 64 } }, newText: '\n  - axolotl.integrations.liger.LigerPlugin' },
    ]);
  });

  it('tags deprecated and removed keys so editors strike them through', () => {
    const a = analyze(`${AXOLOTL_BASE}\nevaluation_strategy: steps\nrelora_steps: 10`);
    assert.deepEqual(
      a.diagnostics.map((d) => d.tags),
      [[2], [2]],
    );
  });
});

describe('DeepSpeed validation', () => {
  const base =
    '{\n  "train_micro_batch_size_per_gpu": "auto",\n  "gradient_accumulation_steps": "auto",\n  "zero_optimization": {\n    "stage": 3\n  },\n  "bf16": { "enabled": "auto" }\n}';
  const path = '/work/project/ds_config.json';

  it('accepts "auto" where the Hugging Face integration fills it in', () => {
    assert.deepEqual(summary(analyze(base, path)), []);
  });

  it('ignores unknown top-level keys (a warning) but rejects them inside sections (an error)', () => {
    const text = base
      .replace('"stage": 3', '"stage": 3,\n    "stage3_prefetch_bucket": 5')
      .replace('"gradient_accumulation_steps"', '"gradient_clipp1ng": 1.0,\n  "gradient_accumulation_steps"');
    assert.deepEqual(summary(analyze(text, path)), [
      "2:2-2:21 FT101 warning Unknown key 'gradient_clipp1ng': DeepSpeed ignores it silently. Did you mean 'gradient_clipping'?",
      "6:4-6:28 FT101 error Unknown key 'stage3_prefetch_bucket' in 'zero_optimization': DeepSpeed refuses to start with it (\"Extra inputs are not permitted\"). Did you mean 'stage3_prefetch_bucket_size'?",
    ]);
  });

  it('quick-fixes JSON keys without breaking the quotes', () => {
    const d = analyze(base.replace('"stage": 3', '"stag": 3'), path).diagnostics[0];
    assert.equal(d.code, 'FT101');
    assert.deepEqual(fixesOf(d)[0].edits[0], { range: { start: { line: 4, character: 4 }, end: { line: 4, character: 10 } }, newText: '"stage"' });
  });

  it('enum values in JSON: the fix keeps the value quoted', () => {
    const text = base.replace('"stage": 3', '"stage": 3,\n    "offload_optimizer": { "device": "cpux" }');
    const d = analyze(text, path).diagnostics[0];
    assert.equal(d.code, 'FT103');
    assert.equal(fixesOf(d)[0].edits[0].newText, '"cpu"');
  });

  it('reads top-level values as written: a string batch size is an error (no conversion there)', () => {
    const a = analyze('{\n  "train_batch_size": "16",\n  "zero_optimization": {"stage": 2}\n}', path);
    assert.deepEqual(summary(a), [
      '1:22-1:26 FT102 error \'train_batch_size\' must be an integer or "auto", not the string "16": DeepSpeed reads this value as written, without converting it. Remove the quotes.',
    ]);
  });

  it('ZeRO stage must be 0-3, with one fix per stage', () => {
    const a = analyze(base.replace('"stage": 3', '"stage": 4'), path);
    assert.deepEqual(summary(a), ["4:13-4:14 FT103 error 4 is not an allowed value for 'zero_optimization.stage'. Allowed: 0, 1, 2, 3."]);
    assert.deepEqual(
      fixesOf(a.diagnostics[0]).map((f) => f.edits[0].newText),
      ['3', '2', '1', '0'],
    );
  });

  it('duplicate keys are an error: DeepSpeed refuses them', () => {
    const a = analyze('{\n  "zero_optimization": {"stage": 2},\n  "zero_optimization": {"stage": 3}\n}', path);
    assert.deepEqual(summary(a), ["2:2-2:21 FT002 error Duplicate key 'zero_optimization' (first on line 2): DeepSpeed refuses a file with duplicate keys."]);
  });

  it('strict JSON as json.load reads it: trailing commas are a syntax error at their position', () => {
    const a = analyze('{\n  "zero_optimization": {"stage": 2},\n}', path);
    assert.equal(a.diagnostics[0].code, 'FT001');
    assert.deepEqual(a.diagnostics[0].range.start, { line: 2, character: 0 });
  });

  it('"_comment" keys are tolerated at the top level', () => {
    assert.deepEqual(summary(analyze(base.replace('{\n', '{\n  "_comment": "ZeRO-3 with HF auto values",\n'), path)), []);
  });

  it('keys of older releases are version drift (a warning), not typos', () => {
    const a = analyze(base.replace('"bf16"', '"compile": {"backend": "inductor"},\n  "bf16"'), path);
    assert.equal(a.diagnostics.length, 1);
    assert.equal(a.diagnostics[0].code, 'FT107');
    assert.equal(a.diagnostics[0].severity, 2);
  });
});

describe('LLaMA-Factory v1 configs have a schema of their own (issue 14)', () => {
  const V1 =
    'model: Qwen/Qwen3-0.6B\nmodel_class: llm\npeft_config:\n  name: lora\n  r: 16\ntrain_dataset: data/sft.yaml\noutput_dir: outputs/v1\nmicro_batch_size: 1\ncutoff_len: 2048\nlearning_rate: 1.0e-4\nmax_steps: 10\n';
  const V0 = 'model_name_or_path: Qwen/Qwen3-0.6B\nstage: sft\nfinetuning_type: lora\ntemplate: qwen3\ndataset: alpaca_en_demo\noutput_dir: outputs/v0\n';
  const lf = (text: string) => analyze(text, '/w/lf.yaml');
  it('a v1 config (`model`, no `model_name_or_path`) is checked against v1 only: a v0 key is refused', () => {
    const a = lf(`${V1}stage: sft\n`);
    assert.equal(a.detection.format, 'llamafactory');
    assert.equal(a.schema?.title, 'LLaMA-Factory v1 config');
    assert.deepEqual(summary(a), [
      `11:0-11:5 FT101 error Unknown key 'stage': LLaMA-Factory v1 refuses to start with it ("Some keys are not used by the HfArgumentParser"; ALLOW_EXTRA_KEYS=1 lets it through).`,
    ]);
    assert.deepEqual(summary(lf(V1)), []);
  });
  it("v1's flash_attn takes v1's values (eager, sdpa, flash_attention_2), not v0's", () => {
    assert.deepEqual(summary(lf(`${V1}flash_attn: flash_attention_2\n`)), []);
    assert.deepEqual(
      lf(`${V1}flash_attn: fa2\n`).diagnostics.map((d) => [d.code, d.message]),
      [['FT103', "'fa2' is not a value LLaMA-Factory v1 knows for 'flash_attn'. Allowed: eager, sdpa, flash_attention_2."]],
    );
  });
  it('a v0 config is checked against v0 only: a v1 key is refused, and v0 keeps its own flash_attn values', () => {
    assert.equal(lf(V0).schema?.title, 'LLaMA-Factory config');
    assert.deepEqual(
      lf(`${V0}train_dataset: data/sft.yaml\n`).diagnostics.map((d) => [d.code, d.severity]),
      [['FT101', 1]],
    );
    assert.deepEqual(summary(lf(`${V0}flash_attn: fa2\n`)), []);
    // Both model keys: judged as v0, which refuses `model`.
    assert.deepEqual(
      lf(`${V0}model: Qwen/Qwen3-0.6B\n`).diagnostics.map((d) => d.code),
      ['FT101'],
    );
  });
});
