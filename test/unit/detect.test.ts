import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat } from '../../server/src/core/config';
import { matchesGlob } from '../../server/src/core/config/glob';
import { analyze } from './helpers';

const CASES: Array<[string, string, string, string]> = [
  // [name, path, text, expected format]
  ['axolotl by base_model', '/p/qlora.yml', 'base_model: meta-llama/Llama-3.1-8B\nadapter: qlora\nmicro_batch_size: 2', 'axolotl'],
  ['axolotl before base_model is written', '/p/new.yml', 'micro_batch_size: 2\nsequence_len: 2048\nnum_epochs: 1', 'axolotl'],
  ['deepspeed JSON by zero_optimization', '/p/ds.json', '{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 8}', 'deepspeed'],
  ['deepspeed by precision section and file name', '/p/ds_config.json', '{"fp16": {"enabled": true}, "gradient_clipping": 1.0}', 'deepspeed'],
  ['llamafactory', '/p/sft.yaml', 'model_name_or_path: Qwen/Qwen3-4B\nstage: sft\nfinetuning_type: lora\ntemplate: qwen3', 'llamafactory'],
  ['trl', '/p/sft.yaml', 'model_name_or_path: Qwen/Qwen2.5-0.5B\ndataset_name: trl-lib/Capybara\nlearning_rate: 2.0e-5', 'trl'],
  ['torchtune', '/p/1B_lora.yaml', 'model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\nbatch_size: 4', 'torchtune'],
  ['lightning cli', '/p/config.yaml', 'trainer:\n  max_epochs: 3\nmodel:\n  class_path: my.Model', 'lightning-cli'],
  ['accelerate', '/p/default_config.yaml', 'compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nnum_processes: 2', 'accelerate'],
  [
    'hf TrainingArguments',
    '/p/args.yaml',
    'output_dir: out\nper_device_train_batch_size: 8\nlearning_rate: 1e-5\nnum_train_epochs: 3\nlogging_steps: 10',
    'hf-args',
  ],
  ['python with lightning', '/p/train.py', 'import lightning.pytorch as pl\nclass M(pl.LightningModule): pass', 'python-lightning'],
  ['python without lightning', '/p/util.py', 'import torch', 'none'],
  ['GitHub workflow stays silent', '/p/.github/workflows/ci.yml', 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest', 'none'],
  ['docker compose stays silent', '/p/docker-compose.yml', 'services:\n  web:\n    image: nginx', 'none'],
  ['kubernetes stays silent', '/p/deploy.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x', 'none'],
  ['a PEFT adapter_config.json stays silent', '/p/adapter_config.json', '{"r": 8, "lora_alpha": 16, "target_modules": ["q_proj"]}', 'none'],
  ['our modeline wins', '/p/x.yml', '# ftw: format=deepspeed\nfoo: 1', 'deepspeed'],
  [
    'a $schema modeline naming another schema silences the file',
    '/p/mkdocs.yml',
    '# yaml-language-server: $schema=https://squidfunk.github.io/mkdocs-material/schema.json\nbase_model: x',
    'none',
  ],
  ['a $schema modeline naming our schema', '/p/x.yml', '# yaml-language-server: $schema=../schemas/axolotl.schema.json\nfoo: 1', 'axolotl'],
  ['a list at the top level is no config', '/p/list.yml', '- a\n- b', 'none'],
  ['an empty file is no config', '/p/empty.yml', '', 'none'],
];

describe('format detection', () => {
  for (const [name, path, text, expected] of CASES) {
    it(name, () => assert.equal(analyze(text, path).detection.format, expected));
  }

  it('the format settings map globs, and an override beats everything', () => {
    const text = 'foo: 1';
    assert.equal(
      analyze(text, '/w/configs/a.yml', {
        relativePath: 'configs/a.yml',
        settings: { validation: { enable: true, maxFileSizeKB: 1024 }, formatAssociations: { 'configs/*.yml': 'axolotl' } },
      }).detection.format,
      'axolotl',
    );
    assert.equal(analyze('base_model: x\nmicro_batch_size: 1', '/w/a.yml', { override: 'none' }).detection.format, 'none');
    assert.equal(analyze('foo: 1', '/w/ds.json', { linkedAs: 'deepspeed' }).detection.source, 'link');
  });

  it('says why', () => {
    const d = detectFormat({ path: '/p/q.yml', text: '', value: { base_model: 'x', adapter: 'lora' } });
    assert.deepEqual(d, { format: 'axolotl', source: 'content', reason: 'It has a top-level `base_model` with Axolotl keys.' });
  });

  it('files that are not configs get no diagnostics at all, even with errors in them', () => {
    assert.deepEqual(analyze('on: [push\njobs: {', '/p/.github/workflows/ci.yml').diagnostics, []);
  });
});

describe('glob settings', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*.yml', 'a/b/c.yml', true],
    ['configs/*.yml', 'configs/a.yml', true],
    ['configs/*.yml', 'other/configs/a.yml', true],
    ['configs/*.yml', 'configs/sub/a.yml', false],
    ['configs/**/*.yml', 'configs/sub/deep/a.yml', true],
    ['**/ds_*.json', 'x/ds_z3.json', true],
    ['{train,eval}.yaml', 'p/eval.yaml', true],
    ['ds_z[23].json', 'ds_z3.json', true],
    ['ds_z[23].json', 'ds_z1.json', false],
  ];
  for (const [glob, path, expected] of cases)
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(matchesGlob(glob, path), expected));
});
