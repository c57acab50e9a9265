import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, fixesOf } from '../../server/src/core/config';
import { atOrAfter, parsePins, pinnedVersion } from '../../server/src/core/common/versions';
import { readWorkspacePins } from '../../server/src/pins';
import { analyze, AXOLOTL_BASE, summary } from './helpers';

describe('version pins', () => {
  const cases: Array<[string, string | undefined]> = [
    ['==0.19.1', '0.19.1'],
    ['~=4.57', '4.57'],
    ['>=0.9,<0.10', '<0.10'],
    ['>=0.9', undefined],
    ['^0.19', '0.19'],
    ['===1.0', '1.0'],
    ['==0.20.*', '0.20'],
    ['>=1.5,<=1.7.7', '1.7.7'],
    ['>=1.5, <= 1.9', '1.9'],
    ['~=1.9', '1.9'],
    ['==1.*', '1'],
    ['>=1.5,!=1.6.0,<2.0', '<2.0'],
  ];
  for (const [spec, expected] of cases) it(`${spec} pins ${expected}`, () => assert.equal(pinnedVersion(spec), expected));

  it('reads requirements, pyproject (PEP 621 and Poetry), setup.cfg and environment.yml', () => {
    assert.deepEqual(
      [...parsePins('requirements.txt', 'trl==0.19.1  # sft\ntransformers>=4.46,<4.58\ntorch\n-e .\naxolotl[flash-attn]==0.8.0')],
      [
        ['trl', '0.19.1'],
        ['transformers', '<4.58'],
        ['axolotl', '0.8.0'],
      ],
    );
    assert.deepEqual(
      [
        ...parsePins(
          'pyproject.toml',
          '[project]\ndependencies = ["trl==0.19.1", "deepspeed>=0.14"]\n[tool.poetry.dependencies]\npython = "^3.10"\naccelerate = "^1.2"\n',
        ),
      ],
      [
        ['trl', '0.19.1'],
        ['accelerate', '1.2'],
      ],
    );
    // Lightning 1.x pins with extras, environment markers, ranges: each is some 1.x release.
    for (const line of [
      'pytorch-lightning>=1.5,<=1.7.7',
      'pytorch-lightning~=1.9',
      'pytorch-lightning==1.*',
      'pytorch-lightning[extra]==1.9.5',
      'pytorch_lightning==1.9.5; python_version >= "3.8"',
      'lightning>=1.8,<2',
    ]) {
      const pin = parsePins('requirements.txt', line).get('lightning');
      assert.equal(pin && atOrAfter(pin, '2.0'), false, line);
    }
    assert.equal(
      atOrAfter(
        [...parsePins('pyproject.toml', '[project]\ndependencies = ["pytorch-lightning[extra]>=1.5,<=1.7.7; python_version<\'3.11\'"]\n')][0][1],
        '2.0',
      ),
      false,
    );
    assert.deepEqual([...parsePins('setup.cfg', '[options]\ninstall_requires =\n    pytorch-lightning==1.9.5\n')], [['lightning', '1.9.5']]);
    assert.deepEqual(
      [...parsePins('environment.yml', 'dependencies:\n  - python=3.11\n  - pip:\n    - trl==0.12.0\n')],
      [
        ['python', '3.11'],
        ['trl', '0.12.0'],
      ],
    );
  });

  it('pins are read from the workspace and its subfolders', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-pins-'));
    mkdirSync(join(dir, 'train'));
    writeFileSync(join(dir, 'train', 'requirements.txt'), 'trl==0.18.0\n');
    writeFileSync(join(dir, 'pyproject.toml'), 'dependencies = ["axolotl==0.11.0"]\n');
    const pins = readWorkspacePins([dir]);
    assert.deepEqual(pins.get('trl'), { version: '0.18.0', file: 'train/requirements.txt' });
    assert.deepEqual(pins.get('axolotl'), { version: '0.11.0', file: 'pyproject.toml' });
  });

  it('compares pinned versions with releases; an upper bound is "some release below it"', () => {
    assert.equal(atOrAfter('0.12.0', 'v0.12.0'), true);
    assert.equal(atOrAfter('0.11.9', 'v0.12.0'), false);
    assert.equal(atOrAfter('<0.12', 'v0.12.0'), false);
    assert.equal(atOrAfter('<0.13', 'v0.12.0'), undefined);
  });
});

function pinned(pkg: string, version: string) {
  return { pins: new Map([[pkg, { version, file: 'requirements.txt' }]]) };
}

describe('keys judged for the release the project uses', () => {
  it('a renamed key is fine in a release before the rename, and an error after it', () => {
    const trl = 'model_name_or_path: Qwen/Qwen2.5-0.5B\ndataset_name: trl-lib/Capybara\nmax_seq_length: 2048';
    assert.deepEqual(summary(analyze(trl, '/w/sft.yaml', pinned('trl', '0.15.0'))), []);
    assert.deepEqual(summary(analyze(trl, '/w/sft.yaml', pinned('trl', '0.21.0'))), [
      "2:0-2:14 FT107 error 'max_seq_length' was replaced in TRL v0.20.0: use 'max_length'. Your project uses TRL 0.21.0 (requirements.txt), which stops on it.",
    ]);
    assert.match(
      summary(analyze(trl, '/w/sft.yaml', pinned('trl', '0.17.0')))[0],
      /FT110 information 'max_seq_length' still works in TRL 0\.17\.0 \(requirements\.txt\), but it is deprecated since TRL v0\.16\.0 and gone in v0\.20\.0: use 'max_length'\./,
    );
  });

  it('the finetune.versions setting beats the pins', () => {
    const trl = 'model_name_or_path: Qwen/Qwen2.5-0.5B\ndataset_name: trl-lib/Capybara\nmax_seq_length: 2048';
    const a = analyze(trl, '/w/sft.yaml', { ...pinned('trl', '0.21.0'), settings: { ...DEFAULT_SETTINGS, versions: { trl: '0.15.0' } } });
    assert.deepEqual(summary(a), []);
    assert.deepEqual(a.toolVersion, { version: '0.15.0', source: 'setting' });
  });

  it('inherited transformers keys follow the transformers pin', () => {
    const lf = 'model_name_or_path: Qwen/Qwen3-4B\nstage: sft\nfinetuning_type: lora\ntemplate: qwen3\nwarmup_ratio: 0.1';
    assert.deepEqual(summary(analyze(lf, '/w/lf.yaml', pinned('transformers', '4.57.1'))), []);
    assert.equal(analyze(lf, '/w/lf.yaml', pinned('transformers', '5.18.0')).diagnostics[0].severity, 1);
    // Issue 14 (1): unpinned, the transformers releases LLaMA-Factory itself accepts (4.55.0 to 5.8.0) decide.
    assert.equal(analyze(lf, '/w/lf.yaml').diagnostics[0].severity, 3, 'unpinned: information, it works with the releases LLaMA-Factory accepts');
  });

  it('FT111 a key newer than the pinned release', () => {
    const a = analyze(`${AXOLOTL_BASE}\ncontext_parallel_size: 2`, '/w/a.yml', pinned('axolotl', '0.10.0'));
    assert.deepEqual(summary(a), [
      "8:0-8:21 FT111 warning 'context_parallel_size' is new in Axolotl v0.12.0; your project uses 0.10.0 (requirements.txt), which ignores it silently. Upgrade, or remove the key.",
    ]);
    assert.deepEqual(summary(analyze(`${AXOLOTL_BASE}\ncontext_parallel_size: 2`)), [], 'unpinned: the newest release knows it');
  });

  it('the status bar version: newest without a pin', () => {
    assert.deepEqual(analyze(AXOLOTL_BASE).toolVersion, { version: '0.18.0', source: 'newest' });
  });

  it('a rename with a value conversion: flash_attention: true -> attn_implementation: flash_attention_2', () => {
    const d = analyze(`${AXOLOTL_BASE}\nflash_attention: true`).diagnostics[0];
    assert.equal(d.code, 'FT110');
    assert.deepEqual(fixesOf(d)[0], {
      title: "Replace with 'attn_implementation: flash_attention_2'",
      edits: [{ range: { start: { line: 8, character: 0 }, end: { line: 8, character: 21 } }, newText: 'attn_implementation: flash_attention_2' }],
      preferred: true,
    });
  });
});
