import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS, fixesOf, type Analysis } from '../../server/src/core/config';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { loadPythonParser } from '../../server/src/pythonParser';
import { analyze, FTW, service, summary, workspace } from './helpers';

// Configs checked against the user's own Python classes when their source is in the workspace (issue 14): read with
// tree-sitter, silent whenever the class cannot be found or read with certainty.

let parser: PythonParser;
before(async () => {
  parser = await loadPythonParser();
});

function run(text: string, sources: Record<string, string>, path = '/w/configs/fit.yaml', python: PythonParser | null = parser): Analysis {
  return analyze(text, path, { settings: DEFAULT_SETTINGS, files: { read: (p: string) => sources[p] }, roots: ['/w'], ...(python ? { python } : {}) });
}

const MODELS = [
  'import torch',
  'import lightning.pytorch as pl',
  'from .base import Base',
  'from .base import Base as Renamed',
  '',
  'class LitClassifier(pl.LightningModule):',
  '    def __init__(self, hidden_dim: int = 128, learning_rate: float = 1e-3, *, dropout=0.1):',
  '        super().__init__()',
  '',
  'class Loose(pl.LightningModule):',
  '    def __init__(self, hidden_dim: int = 128, **kwargs):',
  '        super().__init__(**kwargs)',
  '',
  'class Child(LitClassifier):',
  '    pass',
  '',
  'class FromBase(Base):',
  '    pass',
  '',
  'class FromRenamed(Renamed):',
  '    pass',
  '',
  'class FromLightning(pl.LightningModule):',
  '    pass',
].join('\n');
const BASE = 'class Base:\n    def __init__(self, width: int, depth: int = 2):\n        pass\n';
const DATA =
  'from lightning.pytorch import LightningDataModule\n\nclass MNISTData(LightningDataModule):\n    def __init__(self, data_dir: str = "./", batch_size: int = 32):\n        super().__init__()\n';
const SOURCES = { '/w/project/models.py': MODELS, '/w/project/base.py': BASE, '/w/project/data.py': DATA };

const cli = (model: string, args: string, data = '') => `trainer:\n  max_epochs: 1\nmodel:\n  class_path: ${model}\n  init_args:\n${args}${data}`;

describe('LightningCLI init_args against the class __init__', () => {
  it('an unknown argument is a warning on its key, with "did you mean" and a safe rename', () => {
    const a = run(cli('project.models.LitClassifier', '    hidden_dim: 64\n    learnig_rate: 0.01\n'), SOURCES);
    assert.deepEqual(summary(a), [
      "6:4-6:16 FT101 warning Unknown argument 'learnig_rate' of LitClassifier.__init__ (project/models.py): LightningCLI checks init_args against the __init__ signature and stops before training. Did you mean 'learning_rate'?",
    ]);
    assert.deepEqual(
      fixesOf(a.diagnostics[0]).map((f) => [f.title, f.preferred, f.edits[0].newText]),
      [["Change 'learnig_rate' to 'learning_rate'", true, 'learning_rate']],
    );
  });
  it('keyword-only arguments count; known arguments are silent', () => {
    assert.deepEqual(summary(run(cli('project.models.LitClassifier', '    hidden_dim: 64\n    learning_rate: 0.01\n    dropout: 0.2\n'), SOURCES)), []);
  });
  it('data.init_args too; without a near name the message lists what the class takes', () => {
    const a = run(
      cli('project.models.LitClassifier', '    hidden_dim: 64\n', 'data:\n  class_path: project.data.MNISTData\n  init_args:\n    num_workers: 4\n'),
      SOURCES,
    );
    assert.deepEqual(
      a.diagnostics.map((d) => [d.range.start.line, d.message]),
      [
        [
          9,
          "Unknown argument 'num_workers' of MNISTData.__init__ (project/data.py): LightningCLI checks init_args against the __init__ signature and stops before training. It takes: data_dir, batch_size.",
        ],
      ],
    );
  });
  it('every class_path entry: a callback in trainer.callbacks, a backbone nested in init_args', () => {
    const sources = {
      ...SOURCES,
      '/w/project/callbacks.py':
        'from lightning.pytorch.callbacks import Callback\n\nclass Printer(Callback):\n    def __init__(self, every: int = 1):\n        super().__init__()\n',
    };
    const text =
      'trainer:\n  callbacks:\n    - class_path: project.callbacks.Printer\n      init_args:\n        evry: 2\nmodel:\n  class_path: project.models.Loose\n  init_args:\n    backbone:\n      class_path: project.base.Base\n      init_args:\n        width: 3\n        detph: 2\n';
    assert.deepEqual(
      run(text, sources).diagnostics.map((d) => [d.range.start.line, d.message.split(':')[0], fixesOf(d).map((f) => f.edits[0].newText)]),
      [
        [4, "Unknown argument 'evry' of Printer.__init__ (project/callbacks.py)", ['every']],
        [12, "Unknown argument 'detph' of Base.__init__ (project/base.py)", ['depth']],
      ],
    );
  });
  it('**kwargs accepts anything', () => {
    assert.deepEqual(summary(run(cli('project.models.Loose', '    anything: 1\n'), SOURCES)), []);
  });
  it('an inherited __init__ is followed to a workspace base: same module, `from .x import`, and `as` aliases', () => {
    const msg = (model: string, key: string) => run(cli(model, `    ${key}: 1\n`), SOURCES).diagnostics.map((d) => d.message.split(':')[0]);
    assert.deepEqual(msg('project.models.Child', 'hiden_dim'), [
      "Unknown argument 'hiden_dim' of Child (LitClassifier.__init__, inherited) (project/models.py)",
    ]);
    assert.deepEqual(msg('project.models.FromBase', 'widht'), ["Unknown argument 'widht' of FromBase (Base.__init__, inherited) (project/base.py)"]);
    assert.deepEqual(msg('project.models.FromRenamed', 'depht'), ["Unknown argument 'depht' of FromRenamed (Base.__init__, inherited) (project/base.py)"]);
    assert.deepEqual(msg('project.models.FromBase', 'width'), []);
  });
  it('silent when the class cannot be read with certainty', () => {
    const quiet = (model: string, sources: Record<string, string> = SOURCES, python: PythonParser | null = parser) =>
      summary(run(cli(model, '    anything: 1\n'), sources, undefined, python));
    assert.deepEqual(quiet('project.models.FromLightning'), [], 'inherits from a class outside the workspace');
    assert.deepEqual(quiet('project.models.Missing'), [], 'no such class in the module');
    assert.deepEqual(quiet('other.models.LitClassifier'), [], 'module not in the workspace');
    assert.deepEqual(quiet('LitClassifier'), [], 'a bare class name (registered in the CLI script)');
    assert.deepEqual(quiet('project.models.FromBase', { '/w/project/models.py': MODELS }), [], 'its base module is missing');
    assert.deepEqual(quiet('project.models.LitClassifier', SOURCES, null), [], 'no parser (it loads lazily)');
  });
});

describe('LightningCLI init_args: ftw check and ftw fix read the workspace class', () => {
  const dir = workspace(
    {
      'project/models.py':
        'import lightning.pytorch as pl\n\nclass M(pl.LightningModule):\n    def __init__(self, lr: float = 1e-3):\n        super().__init__()\n',
      'configs/fit.yaml': 'trainer:\n  max_epochs: 1\nmodel:\n  class_path: project.models.M\n  init_args:\n    lrr: 0.1\n',
    },
    'ftw-lcli-',
  );
  const ftw = (...args: string[]) => spawnSync(process.execPath, [FTW, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  it('ftw check reports the unknown argument; ftw fix renames it; then nothing is left', () => {
    assert.match(
      ftw('check', 'configs').stdout,
      /configs\/fit\.yaml:6:5: warning FT101 Unknown argument 'lrr' of M\.__init__ \(project\/models\.py\).*Did you mean 'lr'\?/,
    );
    assert.equal(ftw('fix', 'configs').status, 0);
    assert.equal(
      readFileSync(join(dir, 'configs', 'fit.yaml'), 'utf8'),
      'trainer:\n  max_epochs: 1\nmodel:\n  class_path: project.models.M\n  init_args:\n    lr: 0.1\n',
    );
    assert.match(ftw('check', 'configs').stdout, /No problems/);
  });
});

describe("TRL recipes read by a workspace script's argument dataclasses", () => {
  const CONFIGS = [
    'from dataclasses import dataclass, field',
    'from typing import Optional',
    'import trl',
    '',
    '@dataclass',
    'class ScriptArguments(trl.ScriptArguments):',
    '    dataset_mixture: Optional[dict] = field(default=None, metadata={"help": "datasets and weights"})',
    '',
    '@dataclass',
    'class SFTConfig(trl.SFTConfig):',
    '    chat_template: Optional[str] = field(default=None)',
    '    wandb_project: Optional[str] = None',
    '',
    '@dataclass',
    'class MyExtra(ScriptArguments):',
    '    curriculum_stage: int = 0',
  ].join('\n');
  const SCRIPT = [
    'from trl import ModelConfig, TrlParser',
    'from my_recipes.configs import MyExtra, SFTConfig',
    '',
    'if __name__ == "__main__":',
    '    parser = TrlParser((MyExtra, SFTConfig, ModelConfig))',
    '    script_args, training_args, model_args = parser.parse_args_and_config()',
  ].join('\n');
  const RECIPE =
    'model_name_or_path: Qwen/Qwen2-0.5B\noutput_dir: o\nchat_template: "{{ x }}"\ndataset_mixture:\n  datasets: []\ncurriculum_stage: 1\nwandb_projetc: p\n';
  const list = (sources: Record<string, string>) => (dir: string) => {
    const names = new Map<string, boolean>();
    for (const p of Object.keys(sources))
      if (p.startsWith(`${dir}/`)) {
        const [first, ...rest] = p.slice(dir.length + 1).split('/');
        names.set(first, rest.length > 0);
      }
    return names.size ? [...names].map(([name, isDir]) => ({ name, dir: isDir })) : undefined;
  };
  const check = (sources: Record<string, string>, python: PythonParser | null = parser) => {
    // The service keeps what it read of the workspace until a Python file changes; here every case is a new workspace.
    service().forgetWorkspacePython();
    return analyze(RECIPE, '/w/recipes/sft.yaml', {
      settings: DEFAULT_SETTINGS,
      files: { read: (p: string) => sources[p], list: list(sources) },
      roots: ['/w'],
      ...(python ? { python } : {}),
    }).diagnostics.map((d) => `${d.range.start.line} ${d.code} ${d.message.slice(0, 60)}`);
  };

  it('the fields of the dataclasses a TrlParser reads (src layout, inherited workspace dataclasses) are accepted', () => {
    assert.deepEqual(check({ '/w/src/my_recipes/configs.py': CONFIGS, '/w/scripts/sft.py': SCRIPT }), [
      "6 FT101 Unknown key 'wandb_projetc': no TRL trainer declares it: the",
    ]);
  });
  it('HfArgumentParser, dataclasses in the script itself and a relative import', () => {
    const script =
      'from dataclasses import dataclass\nfrom transformers import HfArgumentParser\nfrom .configs import SFTConfig\n\n@dataclass\nclass Extra:\n    curriculum_stage: int = 0\n    dataset_mixture: dict = None\n    wandb_projetc: str = ""\n\nHfArgumentParser([Extra, SFTConfig]).parse_yaml_file("x.yaml")\n';
    assert.deepEqual(check({ '/w/src/my_recipes/configs.py': CONFIGS, '/w/src/my_recipes/train.py': script }), []);
  });
  it('what was read is kept until a Python file changes', () => {
    const sources: Record<string, string> = { '/w/src/my_recipes/configs.py': CONFIGS, '/w/scripts/sft.py': SCRIPT };
    const keep = () =>
      analyze(RECIPE, '/w/recipes/sft.yaml', {
        settings: DEFAULT_SETTINGS,
        files: { read: (p: string) => sources[p], list: list(sources) },
        roots: ['/w'],
        python: parser,
      }).diagnostics.length;
    service().forgetWorkspacePython();
    assert.equal(keep(), 1);
    delete sources['/w/scripts/sft.py'];
    assert.equal(keep(), 1, 'kept');
    service().forgetWorkspacePython();
    assert.equal(keep(), 3, 'read again');
  });
  it('without such a script (or without the parser) the keys stay FT112 information and FT101', () => {
    const before = [
      "2 FT112 'chat_template', 'dataset_mixture' are read only by a script",
      "5 FT101 Unknown key 'curriculum_stage': no TRL trainer declares it: ",
      "6 FT101 Unknown key 'wandb_projetc': no TRL trainer declares it: the",
    ];
    assert.deepEqual(check({ '/w/src/my_recipes/configs.py': CONFIGS }).sort(), before.sort());
    assert.deepEqual(check({ '/w/src/my_recipes/configs.py': CONFIGS, '/w/scripts/sft.py': SCRIPT }, null).sort(), before.sort());
  });
});
