import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, summary } from './helpers';

// Issue 14 (1): a key another package removed is judged against the releases of that package the tool accepts.
// Issue 14 (2): a list is a valid `fsdp` for TrainingArguments (and so for LLaMA-Factory).

const LF = ['stage: sft', 'model_name_or_path: Qwen/Qwen2-0.5B', 'finetuning_type: lora', 'template: qwen', 'output_dir: out'].join('\n');

describe('versions compose', () => {
  it('LLaMA-Factory caps transformers at 5.8.0: warmup_ratio is information naming both versions, not a warning', () => {
    assert.deepEqual(summary(analyze(`${LF}\nwarmup_ratio: 0.1`, '/work/project/lf.yaml')), [
      "5:0-5:12 FT110 information 'warmup_ratio' is deprecated since transformers 5.0.0 and gone by transformers 5.17.0 at the latest; LLaMA-Factory accepts transformers 4.55.0 to 5.8.0 (its pyproject.toml, checked at startup by extras/misc.py), and it works at least with the releases before 5.0.0. Use 'warmup_steps' (a float < 1 is a ratio) once you move to a newer transformers.",
    ]);
  });

  it("the same key with the project pinning transformers 5.17.0 (past the tool's cap) is refused", () => {
    const pins = new Map([['transformers', { version: '5.17.0', file: 'requirements.txt' }]]);
    const a = analyze(`${LF}\nwarmup_ratio: 0.1`, '/work/project/lf.yaml', { pins });
    assert.deepEqual(
      a.diagnostics.map((d) => [d.code, d.severity]),
      [['FT107', 1]],
    );
    assert.match(a.diagnostics[0].message, /Your project uses transformers 5\.17\.0/);
  });

  it('TRL sets no transformers cap: warmup_ratio stays a version-drift warning', () => {
    const a = analyze('model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: trl-lib/Capybara\nwarmup_ratio: 0.1\n', '/work/project/sft.yaml');
    assert.deepEqual(
      a.diagnostics.map((d) => [d.code, d.severity]),
      [['FT107', 2]],
    );
  });

  it('a list is a valid fsdp value (TrainingArguments.__post_init__ takes a string or a list)', () => {
    assert.deepEqual(summary(analyze(`${LF}\nfsdp:\n  - full_shard\n  - auto_wrap`, '/work/project/lf.yaml')), []);
    assert.deepEqual(
      summary(
        analyze(
          'output_dir: out\nper_device_train_batch_size: 1\nlearning_rate: 0.0001\nnum_train_epochs: 1\nfsdp: [full_shard, auto_wrap]\n',
          '/work/project/args.yaml',
        ),
      ),
      [],
    );
  });
});

describe('recipes for other scripts (issue 14, 3)', () => {
  it('keys only a recipe script reads: one information line per file, on the first, naming them; other unknown keys stay FT101', () => {
    const text =
      'model_name_or_path: Qwen/Qwen2.5-0.5B\ndataset_mixture:\n  datasets:\n    - id: trl-lib/Capybara\nchat_template: "{{ x }}"\nsystem_prompt: Think first.\nlerning_rate: 0.0001\n';
    assert.deepEqual(
      summary(analyze(text, '/work/project/recipe.yaml')).map((l) => l.replace(/: the `trl` CLI.*$/, '')),
      [
        "1:0-1:15 FT112 information 'dataset_mixture', 'chat_template', 'system_prompt' are read only by a script of its own, such as open-r1's scripts (src/open_r1/configs.py, scripts/pass_rate_filtering) or alignment-handbook's scripts (src/alignment/configs.py): run this config with that script. TRL's own CLI does not declare them.",
        "6:0-6:12 FT101 warning Unknown key 'lerning_rate': no TRL trainer declares it",
      ],
    );
  });
});
