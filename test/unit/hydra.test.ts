import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { CompletionItem } from 'vscode-languageserver-types';
import { DEFAULT_SETTINGS, fixesOf } from '../../server/src/core/config';
import type { Analysis, DocumentContext } from '../../server/src/core/document';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { loadPythonParser } from '../../server/src/pythonParser';
import { findGpu, type GpuInfo } from '../../server/src/core/gpus/catalog';
import { analyze, doc, REPO, service, summary } from './helpers';

function files(map: Record<string, string>) {
  return { read: (p: string) => map[p] };
}

function run(text: string, opts: { path?: string; files?: Record<string, string>; pins?: Record<string, string>; python?: PythonParser } = {}): Analysis {
  const ctx: Partial<DocumentContext> = {
    settings: DEFAULT_SETTINGS,
    files: files(opts.files ?? {}),
    roots: ['/w'],
    pins: new Map(Object.entries(opts.pins ?? {}).map(([k, v]) => [k, { version: v, file: 'requirements.txt' }])),
    ...(opts.python ? { python: opts.python } : {}),
  };
  return analyze(text, opts.path ?? '/w/conf/config.yaml', ctx);
}

const lines = (text: string, opts?: Parameters<typeof run>[1]) => summary(run(text, opts));

describe('Hydra: detection', () => {
  const cases: Array<[string, string, string, Record<string, string>, string]> = [
    ['a known _target_', '/w/conf/trainer.yaml', '_target_: lightning.pytorch.Trainer\nmax_epochs: 3', {}, 'hydra'],
    ['a nested _target_ of the user', '/w/conf/model.yaml', 'net:\n  _target_: src.models.Net\n  hidden: 3', {}, 'hydra'],
    [
      'a defaults list with a group file next to it',
      '/w/conf/config.yaml',
      'defaults:\n  - optimizer: adamw\n  - _self_\nseed: 1',
      { '/w/conf/optimizer/adamw.yaml': 'lr: 1' },
      'hydra',
    ],
    [
      'a defaults list whose groups are not there (no folders: not a Hydra config)',
      '/w/conf/config.yaml',
      'defaults:\n  - training: default\nlog: ${training.log}',
      {},
      'none',
    ],
    [
      "Jekyll's defaults (mappings of two keys) stay silent",
      '/w/_config.yml',
      'defaults:\n  - scope:\n      path: ""\n    values:\n      layout: single',
      { '/w/scope/.yaml': '' },
      'none',
    ],
    ['a GitHub workflow defaults mapping stays silent', '/w/.github/workflows/ci.yml', 'defaults:\n  run:\n    shell: bash\njobs: {}', {}, 'none'],
    ['JSON with a _target_ is not Hydra', '/w/x.json', '{"_target_": "torch.optim.AdamW"}', {}, 'none'],
    ['a _target_ that is no import path', '/w/x.yaml', '_target_: hello world', {}, 'none'],
    [
      'torchtune keeps its _component_ files',
      '/w/1B_lora.yaml',
      'model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\nbatch_size: 4',
      {},
      'torchtune',
    ],
    [
      'an Axolotl config stays Axolotl, _target_ or not',
      '/w/a.yml',
      'base_model: x\nmicro_batch_size: 2\nextra:\n  _target_: torch.optim.AdamW',
      {},
      'axolotl',
    ],
  ];
  for (const [name, path, text, map, expected] of cases) {
    it(name, () => assert.equal(run(text, { path, files: map }).detection.format, expected));
  }
  it('an unrelated file gets no diagnostics', () => assert.deepEqual(run('defaults:\n  - training: default\nlog: ${training.log}').diagnostics, []));
});

describe('Hydra: Lightning Trainer', () => {
  const TRAINER = 'trainer:\n  _target_: pytorch_lightning.Trainer\n  gpus: 2\n  max_epochs: 3\n  precision: 16\n';

  it('removed arguments are errors on Lightning 2.x (no pin), with the migration fix', () => {
    const a = run(TRAINER);
    assert.deepEqual(summary(a), [
      '2:2-2:6 FT305 error Trainer(gpus=) was removed in Lightning 2.0: hydra.utils.instantiate stops with a TypeError on Lightning 2.x. Use accelerator="gpu", devices=<same value> (gpus=0 or None: drop it or use accelerator="cpu").',
      '4:13-4:15 FT305 warning Trainer(precision=16) is deprecated since Lightning 2.0 and will be removed. Use precision="16-mixed" (precision=16 and "16" are still accepted in 2.x, with a warning).',
    ]);
    const [gpus, precision] = a.diagnostics.map(fixesOf);
    assert.deepEqual(gpus, [
      {
        title: 'Use accelerator: gpu and devices: 2',
        preferred: true,
        edits: [{ range: { start: { line: 2, character: 2 }, end: { line: 2, character: 9 } }, newText: 'accelerator: gpu\n  devices: 2' }],
      },
    ]);
    assert.equal(precision[0].edits[0].newText, '16-mixed');
  });

  it('pinned to Lightning 1.x they are warnings: the config breaks on upgrade', () => {
    const a = run(TRAINER, { pins: { lightning: '1.9.5' } });
    assert.deepEqual(
      a.diagnostics.map((d) => [d.code, d.severity]),
      [
        ['FT305', 2],
        ['FT305', 2],
      ],
    );
    assert.match(a.diagnostics[0].message, /breaks when you upgrade from 1\.9\.5/);
  });

  it('a block list under gpus: reported, but no fix that would need re-indenting', () => {
    const a = run('_target_: lightning.pytorch.Trainer\ngpus:\n  - 0\n  - 1\n');
    assert.deepEqual([a.diagnostics.map((d) => d.code), fixesOf(a.diagnostics[0])], [['FT305'], []]);
  });

  it('a merge key is no argument', () => {
    assert.deepEqual(run('base: &b {lr: 0.1}\nopt:\n  <<: *b\n  _target_: torch.optim.SGD\n  momentum: 0.9').diagnostics, []);
  });

  it('in a flow mapping the fix keeps it on one line; gpus: 0 gets no fix', () => {
    const a = run('t: {_target_: lightning.Trainer, gpus: 1}\nu: {_target_: lightning.Trainer, gpus: 0}');
    assert.equal(fixesOf(a.diagnostics[0])[0].edits[0].newText, 'accelerator: gpu, devices: 1');
    assert.deepEqual(fixesOf(a.diagnostics[1]), []);
  });

  it("callbacks, loggers and profilers: their arguments, ModelCheckpoint's removed ones, **kwargs", () => {
    const text = [
      'callbacks:',
      '  - _target_: lightning.pytorch.callbacks.ModelCheckpoint',
      '    monitor: val/loss',
      '    period: 2',
      '  - _target_: pytorch_lightning.callbacks.EarlyStopping',
      '    monitor: val/loss',
      '    patiense: 3',
      'logger:',
      '  _target_: lightning.pytorch.loggers.WandbLogger',
      '  project: x',
      '  entity: anything-goes-to-wandb.init',
      'profiler: {_target_: lightning.pytorch.profilers.SimpleProfiler, dirpath: ., filename: perf}',
    ].join('\n');
    const a = run(text);
    assert.deepEqual(
      a.diagnostics.map((d) => [d.range.start.line, d.code, d.severity]),
      [
        [3, 'FT305', 1],
        [6, 'FT101', 1],
      ],
    );
    assert.match(a.diagnostics[0].message, /^ModelCheckpoint\(period=\) was removed in Lightning 1\.5/);
    assert.deepEqual(fixesOf(a.diagnostics[0])[0].edits[0].newText, 'every_n_epochs');
    assert.match(a.diagnostics[1].message, /Did you mean 'patience'\?$/);
    // Pinned to 1.x we know the Trainer's history, not every 1.x callback's arguments: only the table speaks.
    assert.deepEqual(
      run(text, { pins: { lightning: '1.9.5' } }).diagnostics.map((d) => [d.code, d.severity]),
      [['FT305', 2]],
    );
  });

  it('a renamed argument is renamed; current arguments are fine', () => {
    const a = run('_target_: lightning.pytorch.Trainer\nreplace_sampler_ddp: false\naccelerator: gpu\ndevices: 2\nstrategy: ddp');
    assert.deepEqual(
      a.diagnostics.map((d) => d.code),
      ['FT305'],
    );
    assert.equal(fixesOf(a.diagnostics[0])[0].edits[0].newText, 'use_distributed_sampler');
  });
});

describe('Hydra: transformers, PEFT, TRL, bitsandbytes', () => {
  it('a TrainingArguments typo, with a "did you mean" fix', () => {
    const a = run('args:\n  _target_: transformers.TrainingArguments\n  output_dir: out\n  learning_rat: 2e-5\n');
    assert.deepEqual(summary(a), [
      `3:2-3:14 FT101 error Unknown argument 'learning_rat' of transformers.TrainingArguments(): hydra.utils.instantiate passes it as a keyword argument and transformers.TrainingArguments() stops with "TypeError: got an unexpected keyword argument 'learning_rat'". Did you mean 'learning_rate'?`,
    ]);
    assert.deepEqual(fixesOf(a.diagnostics[0]), [
      {
        title: "Change 'learning_rat' to 'learning_rate'",
        preferred: true,
        edits: [{ range: { start: { line: 3, character: 2 }, end: { line: 3, character: 14 } }, newText: 'learning_rate' }],
      },
    ]);
  });

  it('a PEFT config typo', () => {
    assert.deepEqual(lines('_target_: peft.LoraConfig\nr: 16\nlora_alpah: 32\ntarget_modules: all-linear\ntask_type: CAUSAL_LM'), [
      `2:0-2:10 FT101 error Unknown argument 'lora_alpah' of peft.LoraConfig(): hydra.utils.instantiate passes it as a keyword argument and peft.LoraConfig() stops with "TypeError: got an unexpected keyword argument 'lora_alpah'". Did you mean 'lora_alpha'?`,
    ]);
  });

  it('enums and types of TrainingArguments', () => {
    assert.deepEqual(
      run(
        '_target_: transformers.Seq2SeqTrainingArguments\noutput_dir: o\nlr_scheduler_type: cosin\nnum_train_epochs: lots\npredict_with_generate: true',
      ).diagnostics.map((d) => [d.code, d.severity]),
      [
        ['FT103', 1],
        ['FT102', 2],
      ],
    );
  });

  it('a removed argument is an error unless the pin still has it', () => {
    const text = '_target_: transformers.TrainingArguments\noutput_dir: o\nwarmup_ratio: 0.1';
    assert.deepEqual(
      run(text).diagnostics.map((d) => d.code),
      ['FT107'],
    );
    assert.deepEqual(run(text, { pins: { transformers: '4.57.6' } }).diagnostics, []);
  });

  it('TRL configs inherit TrainingArguments; BitsAndBytesConfig only logs unknown keywords', () => {
    assert.deepEqual(run('_target_: trl.SFTConfig\noutput_dir: o\nmax_length: 1024\nlearning_rate: 1e-5\npacking: true').diagnostics, []);
    const bnb = run('_target_: transformers.BitsAndBytesConfig\nload_in_4bit: true\nbnb_4bit_quant_typ: nf4');
    assert.deepEqual(
      bnb.diagnostics.map((d) => [d.code, d.severity]),
      [['FT101', 2]],
    );
  });
});

describe('Hydra: optimizers, schedulers, interpolations, _partial_', () => {
  it('an optimizer block: known arguments pass, a typo does not', () => {
    assert.deepEqual(run('optimizer:\n  _target_: torch.optim.SGD\n  lr: 0.1\n  momentum: 0.9\n  nesterov: true').diagnostics, []);
    assert.deepEqual(lines('optimizer:\n  _target_: torch.optim.Adam\n  lr: 0.1\n  weight_decy: 0.01'), [
      `3:2-3:13 FT101 error Unknown argument 'weight_decy' of torch.optim.Adam(): hydra.utils.instantiate passes it as a keyword argument and torch.optim.Adam() stops with "TypeError: got an unexpected keyword argument 'weight_decy'". Did you mean 'weight_decay'?`,
    ]);
  });

  it('a scheduler and a _target_ one typo away from a torch.optim class', () => {
    assert.deepEqual(
      run('s:\n  _target_: torch.optim.lr_scheduler.ReduceLROnPlateau\n  _partial_: true\n  mode: min\n  factor: 0.5\n  patience: 3').diagnostics,
      [],
    );
    const a = run('s:\n  _target_: torch.optim.lr_scheduler.CosineAnnelingLR\n  T_max: 10');
    assert.deepEqual(
      a.diagnostics.map((d) => d.code),
      ['FT103'],
    );
    assert.equal(fixesOf(a.diagnostics[0])[0].edits[0].newText, 'torch.optim.lr_scheduler.CosineAnnealingLR');
    assert.deepEqual(run('s:\n  _target_: torch.optim.Muon\n  lr: 0.02').diagnostics, [], 'a class we do not list is not a typo');
  });

  it('interpolations and ??? are accepted wherever a value is', () => {
    const text = [
      'args:',
      '  _target_: transformers.TrainingArguments',
      '  output_dir: ${hydra:runtime.output_dir}',
      '  per_device_train_batch_size: ???',
      '  num_train_epochs: ${epochs}',
      '  lr_scheduler_type: ${oc.env:SCHED,cosine}',
      '  learning_rate: 1e-4',
      'optimizer:',
      '  _target_: torch.optim.AdamW',
      '  lr: ${oc.env:LR,1e-4}',
      '  betas: ???',
    ].join('\n');
    assert.deepEqual(run(text).diagnostics, []);
  });

  it("_partial_ blocks: missing arguments are the caller's; an unknown one fails when the partial is called", () => {
    assert.deepEqual(run('o:\n  _target_: torch.optim.AdamW\n  _partial_: true\n  _recursive_: false\n  _convert_: all\n  lr: 0.001').diagnostics, []);
    const [d] = run('o:\n  _target_: torch.optim.AdamW\n  _partial_: true\n  lrr: 0.001').diagnostics;
    assert.match(d.message, /when the code calls the partial it returns \(`_partial_: true`\)\. Did you mean 'lr'\?$/);
  });
});

describe('Hydra: defaults lists', () => {
  const FILES = { '/w/conf/optimizer/adamw.yaml': '_target_: torch.optim.AdamW\n', '/w/conf/base.yaml': 'seed: 1\n' };

  it('a missing group file is an error naming it', () => {
    const text =
      'defaults:\n  - _self_\n  - base\n  - optimizer: adamw\n  - model: big\n  - optional extra: x\n  - override hydra/launcher: joblib\n  - data: null\n  - task: ???\n  - /abs: thing\n';
    assert.deepEqual(lines(text, { files: FILES }), [
      `4:11-4:14 FT210 error Config group 'model' has no option 'big': model/big.yaml does not exist next to this file, and Hydra stops with "Could not find 'model/big'".`,
    ]);
  });

  it('a missing plain config, and a list of options', () => {
    assert.deepEqual(
      lines('defaults:\n  - optimizer: [adamw, sgd]\n  - nothere\n', { files: FILES }).map((l) => l.slice(0, 20)),
      ['1:23-1:26 FT210 erro', '2:4-2:11 FT210 error'],
    );
  });

  it('hydra.searchpath: groups may come from elsewhere, nothing is reported', () => {
    assert.deepEqual(run('defaults:\n  - optimizer: adamw\n  - model: big\nhydra:\n  searchpath: [pkg://my_pkg.conf]', { files: FILES }).diagnostics, []);
  });
});

describe("Hydra: the user's own classes", () => {
  let parser: PythonParser;
  before(async () => {
    parser = await loadPythonParser();
  });
  const SOURCE = [
    'import torch',
    'from dataclasses import dataclass',
    '',
    'class Net(torch.nn.Module):',
    '    def __init__(self, hidden: int = 64, dropout: float = 0.0, *, layers=1):',
    '        super().__init__()',
    '',
    'class Loose:',
    '    def __init__(self, a, **kwargs):',
    '        pass',
    '',
    'class Inherits(Net):',
    '    pass',
    '',
    '@dataclass',
    'class Cfg:',
    '    size: int = 1',
    '',
    'def build(width, depth=2):',
    '    return None',
  ].join('\n');
  const TEXT = 'net:\n  _target_: src.models.net.Net\n  hidden: 128\n  dropuot: 0.1\n  layers: 2\n';

  it('silent when their source is not in the workspace', () => {
    assert.deepEqual(run(TEXT, { python: parser }).diagnostics, []);
  });

  it('checked against __init__ when it is', () => {
    const a = run(TEXT, { python: parser, files: { '/w/src/models/net.py': SOURCE } });
    assert.deepEqual(summary(a), [
      `3:2-3:9 FT101 error Unknown argument 'dropuot' of Net.__init__ (models/net.py): hydra.utils.instantiate passes it as a keyword argument and it stops with "TypeError: got an unexpected keyword argument 'dropuot'". Did you mean 'dropout'?`,
    ]);
    assert.equal(fixesOf(a.diagnostics[0])[0].edits[0].newText, 'dropout');
  });

  it('**kwargs, an inherited __init__, a dataclass and a function', () => {
    const opts = { python: parser, files: { '/w/src/models/net.py': SOURCE } };
    assert.deepEqual(run('a:\n  _target_: src.models.net.Loose\n  anything: 1', opts).diagnostics, []);
    assert.deepEqual(run('a:\n  _target_: src.models.net.Inherits\n  anything: 1', opts).diagnostics, []);
    assert.deepEqual(
      run('a:\n  _target_: src.models.net.Cfg\n  sise: 1', opts).diagnostics.map((d) => d.message.slice(0, 40)),
      ["Unknown argument 'sise' of Cfg (dataclas"],
    );
    assert.deepEqual(
      run('a:\n  _target_: src.models.net.build\n  width: 1\n  depht: 3', opts).diagnostics.map((d) => d.code),
      ['FT101'],
    );
  });
});

describe('Hydra: editor', () => {
  const labels = (items: CompletionItem[]) => items.map((i) => i.label);

  function complete(text: string, line: number, character: number) {
    const d = doc(text, '/w/conf/c.yaml');
    const a = service().analyze(d, { settings: DEFAULT_SETTINGS, files: files({}), roots: ['/w'] });
    return service().complete(d, { line, character }, a).items;
  }

  it('completes the arguments of the _target_ block, and Hydra keys', () => {
    const items = complete('args:\n  _target_: transformers.TrainingArguments\n  output_dir: o\n  learn\n', 3, 7);
    assert.ok(labels(items).includes('learning_rate'));
    assert.ok(labels(items).includes('_partial_'));
    assert.ok(!labels(items).includes('output_dir'), 'keys already there are not offered');
  });

  it('completes known _target_ values', () => {
    const items = complete('opt:\n  _target_: torch.optim.\n  lr: 1\nx:\n  _target_: torch.optim.AdamW', 1, 24);
    assert.ok(labels(items).includes('torch.optim.AdamW'));
    assert.ok(labels(items).includes('lightning.pytorch.Trainer'));
  });

  it('hover on an argument gives its type and default; on a Hydra key, what it does', () => {
    const text = 'opt:\n  _target_: torch.optim.SGD\n  _partial_: true\n  momentum: 0.9\n';
    const d = doc(text, '/w/conf/c.yaml');
    const a = service().analyze(d, { settings: DEFAULT_SETTINGS });
    const hover = service().hover(d, { line: 3, character: 4 }, a);
    assert.match((hover!.contents as { value: string }).value, /^\*\*momentum\*\* `number` — argument of `torch\.optim\.SGD`[\s\S]*Default: `0`/);
    assert.match((service().hover(d, { line: 2, character: 4 }, a)!.contents as { value: string }).value, /functools\.partial/);
  });
});

describe('Hydra: bad input never crashes', () => {
  const texts = [
    '_target_: 5',
    '_target_: [torch.optim.AdamW]',
    '_target_: torch.optim.AdamW\n_target_: torch.optim.SGD\nlr: 1',
    'a: {_target_: lightning.Trainer, gpus: {x: 1}}',
    'a: {_target_: lightning.Trainer, accelerator: {_target_: x.DDPPlugin}}',
    'defaults: 7\n_target_: torch.optim.SGD',
    'defaults: [{}, [], 3, {a: 1, b: 2}]\n_target_: torch.optim.SGD',
    'defaults:\n  - optimizer: {x: 1}\n  - : adamw\n_target_: torch.optim.SGD',
    'x: &a {_target_: torch.optim.SGD, lr: 1}\ny: *a\nz: {<<: *a, moment: 1}',
    '_target_: peft.LoraConfig\nr: [\n',
  ];
  for (const text of texts) {
    it(JSON.stringify(text), () => {
      const a = run(text, { files: { '/w/conf/optimizer/adamw.yaml': 'x: 1' } });
      for (const d of a.diagnostics) assert.ok(d.message.length > 10 && d.range.start.line >= 0);
    });
  }
});

describe('Hydra: ftw detect, check and fix on a config folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-hydra-cli-'));
  const write = (name: string, text: string) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  };
  write('conf/config.yaml', 'defaults:\n  - _self_\n  - trainer: default\n  - optimizer: adamw\nseed: 1\n');
  write('conf/trainer/default.yaml', '_target_: pytorch_lightning.Trainer\ngpus: 2\nmax_epochs: 3\n');
  write('conf/model/net.yaml', 'hidden: 3\n');
  const ftw = (...args: string[]) =>
    spawnSync(process.execPath, [join(REPO, 'bin', 'ftw'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('ftw detect says hydra for the primary config and the group files with _target_', () => {
    assert.equal(ftw('detect', 'conf').stdout, 'conf/config.yaml\thydra\nconf/model/net.yaml\tnone\nconf/trainer/default.yaml\thydra\n');
  });

  it('ftw check walks the folder: the missing group file and the removed Trainer argument', () => {
    const r = ftw('check', 'conf');
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stdout,
      [
        `conf/config.yaml:4:16: error FT210 Config group 'optimizer' has no option 'adamw': optimizer/adamw.yaml does not exist next to this file, and Hydra stops with "Could not find 'optimizer/adamw'".`,
        'conf/trainer/default.yaml:2:1: error FT305 Trainer(gpus=) was removed in Lightning 2.0: hydra.utils.instantiate stops with a TypeError on Lightning 2.x. Use accelerator="gpu", devices=<same value> (gpus=0 or None: drop it or use accelerator="cpu"). [fixable]',
        '',
        '2 errors, 0 warnings in 2 config files (3 files read); 1 fixable with a quick fix.',
        '',
      ].join('\n'),
    );
  });

  it('ftw fix writes accelerator and devices', () => {
    assert.equal(ftw('fix', 'conf/trainer').status, 0);
    assert.equal(
      readFileSync(join(dir, 'conf/trainer/default.yaml'), 'utf8'),
      '_target_: pytorch_lightning.Trainer\naccelerator: gpu\ndevices: 2\nmax_epochs: 3\n',
    );
  });
});

describe('Hydra: VRAM hints for a TrainingArguments block next to a model name', () => {
  const vram = { targets: [findGpu('RTX 3060 12GB') as GpuInfo], targetsAreReal: true, lookup: {} };
  const TEXT = [
    'model:',
    '  _target_: transformers.AutoModelForCausalLM.from_pretrained',
    '  pretrained_model_name_or_path: meta-llama/Llama-2-7b-hf',
    '  torch_dtype: bfloat16',
    'peft:',
    '  _target_: peft.LoraConfig',
    '  r: 16',
    '  lora_alpha: 32',
    '  target_modules: all-linear',
    'args:',
    '  _target_: transformers.TrainingArguments',
    '  output_dir: out',
    '  per_device_train_batch_size: 8',
    '  gradient_accumulation_steps: 2',
    '  bf16: true',
  ].join('\n');
  const FLAT =
    'model_name_or_path: meta-llama/Llama-2-7b-hf\ntorch_dtype: bfloat16\nuse_peft: true\nlora_r: 16\nlora_alpha: 32\nlora_target_modules: all-linear\noutput_dir: out\nper_device_train_batch_size: 8\ngradient_accumulation_steps: 2\nbf16: true\n';

  it("the estimate is the flat TrainingArguments file's, its keys placed on the Hydra blocks", () => {
    const a = analyze(TEXT, '/w/conf/train.yaml', { settings: DEFAULT_SETTINGS, vram });
    const flat = analyze(FLAT, '/w/flat.yaml', { settings: DEFAULT_SETTINGS, override: 'hf-args', vram });
    assert.equal(a.vram?.estimate?.peakBytes, flat.vram?.estimate?.peakBytes);
    assert.deepEqual(a.vram?.adapted?.sources, {
      model: ['model', 'pretrained_model_name_or_path'],
      method: ['peft', '_target_'],
      'lora.rank': ['peft', 'r'],
      'lora.targets': ['peft', 'target_modules'],
      microBatchSize: ['args', 'per_device_train_batch_size'],
      precision: ['model', 'torch_dtype'],
    });
    const [misfit] = a.diagnostics;
    assert.deepEqual([misfit?.code, misfit?.range.start], ['FT401', { line: 2, character: 33 }]);
    // The micro-batch fix edits the keys inside the args block.
    const batch = fixesOf(misfit).find((f) => f.title.startsWith('Micro batch 4'))!;
    assert.deepEqual(
      batch.edits.map((e) => [e.range.start.line, e.newText]),
      [
        [12, '4'],
        [13, '4'],
      ],
    );
  });

  it('no estimate and no "unknown model" note without a model the estimator knows, or without a TrainingArguments block', () => {
    const unknown = analyze(TEXT.replace('meta-llama/Llama-2-7b-hf', 'acme/not-a-model'), '/w/conf/train.yaml', { settings: DEFAULT_SETTINGS, vram });
    assert.deepEqual([unknown.vram, unknown.diagnostics], [undefined, []]);
    const optimizer = analyze('_target_: torch.optim.AdamW\nlr: 0.001', '/w/conf/optimizer/adamw.yaml', { settings: DEFAULT_SETTINGS, vram });
    assert.deepEqual([optimizer.vram, optimizer.diagnostics], [undefined, []]);
  });
});

describe('Hydra: values only some releases take (issue 14)', () => {
  const TEXT = 'args:\n  _target_: trl.SFTConfig\n  output_dir: o\n  packing: true\n  packing_strategy: ffd\n';
  const judged = (pins?: Record<string, string>) =>
    run(TEXT, pins ? { pins } : {}).diagnostics.map((d) => [d.code, fixesOf(d).map((f) => `${f.title}${f.preferred ? ' (safe)' : ''}`)]);
  it("TRL 'ffd' is judged for the project's TRL: fine on 0.19, a safe fix on a pinned 0.22, an unapplied one unpinned", () => {
    assert.deepEqual(judged({ trl: '0.19.1' }), []);
    assert.deepEqual(judged({ trl: '0.22.0' }), [['FT103', ["Change to 'bfd' (safe)"]]]);
    assert.deepEqual(judged(), [['FT103', ["Change to 'bfd'"]]]);
  });
});
