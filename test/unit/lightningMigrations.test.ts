import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { fixesOf } from '../../server/src/core/config';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { loadPythonParser } from '../../server/src/pythonParser';
import { applyFixes } from './lightningFix.test';

const NEWEST = { version: LIGHTNING_NEWEST, source: 'newest' };

describe('Lightning migrations: what is and is not fixed', () => {
  let parser: PythonParser;
  // FT309 (a changed default, information) has its own test below.
  const check = (text: string): Diagnostic[] =>
    lightningDiagnostics(TextDocument.create('file:///p/m.py', 'python', 1, text), { parser, path: '/p/m.py', version: NEWEST }).filter(
      (d) => d.code !== 'FT309',
    );
  before(async () => {
    parser = await loadPythonParser();
  });

  it('several optimizers: training_step(optimizer_idx) has no fix, and the message says how to optimize manually', () => {
    const text =
      'import pytorch_lightning as pl\n\nclass GAN(pl.LightningModule):\n    def training_step(self, batch, batch_idx, optimizer_idx):\n        return self.loss(batch)\n';
    const d = check(text).find((x) => x.message.includes('training_step(optimizer_idx)'));
    assert.ok(d);
    assert.deepEqual(fixesOf(d), []);
    for (const part of [
      'self.automatic_optimization = False',
      'self.optimizers()',
      'self.manual_backward(loss)',
      '.step()',
      '.zero_grad()',
      'toggle_optimizer',
      'docs/rules.md#ft302',
    ])
      assert.ok(d.message.includes(part), part);
  });

  it('several optimizers returned by configure_optimizers are reported without a fix; manual optimization and one optimizer are not', () => {
    const module = (body: string, init = '') =>
      `import torch\nimport lightning.pytorch as pl\n\nclass M(pl.LightningModule):\n${init}    def training_step(self, batch, batch_idx):\n        return batch\n\n    def configure_optimizers(self):\n${body}`;
    const several = [
      '        return [torch.optim.Adam(self.g.parameters()), torch.optim.Adam(self.d.parameters())], []\n',
      '        g = torch.optim.Adam(self.g.parameters())\n        d = torch.optim.SGD(self.d.parameters())\n        return g, d\n',
      '        return ({"optimizer": torch.optim.Adam(self.g.parameters())}, {"optimizer": torch.optim.Adam(self.d.parameters())})\n',
    ];
    for (const body of several) {
      const found = check(module(body)).filter((x) => x.message.includes('several optimizers'));
      assert.equal(found.length, 1, body);
      assert.deepEqual(fixesOf(found[0]), []);
    }
    const one = '        opt = torch.optim.Adam(self.parameters())\n        return [opt], [torch.optim.lr_scheduler.StepLR(opt, 1)]\n';
    assert.equal(check(module(one)).length, 0);
    const manual = '    def __init__(self):\n        super().__init__()\n        self.automatic_optimization = False\n\n';
    assert.equal(check(module(several[0], manual)).length, 0);
  });

  it('auto_lr_find without a tune() call in the same function: reported, nothing removed', () => {
    const text = 'import pytorch_lightning as pl\n\ndef build():\n    return pl.Trainer(auto_lr_find=True)\n';
    const [d] = check(text);
    assert.ok(d?.message.includes('Tuner(trainer)'));
    assert.deepEqual(fixesOf(d), []);
  });

  it('a tune() whose result is used, or a trainer from elsewhere, keeps its diagnostic without a fix', () => {
    const text =
      'import pytorch_lightning as pl\n\ndef f(model):\n    trainer = pl.Trainer(auto_lr_find=True)\n    result = trainer.tune(model)\n    return result\n';
    const ds = check(text);
    assert.equal(ds.length, 2);
    assert.ok(ds.every((d) => fixesOf(d).length === 0));
  });

  it('Tuner already imported: reused, no second import', () => {
    const text =
      'import pytorch_lightning as pl\nfrom pytorch_lightning.tuner import Tuner\n\ndef f(model):\n    trainer = pl.Trainer(auto_lr_find=True)\n    trainer.tune(model)\n';
    assert.equal(
      applyFixes(text, check(text)),
      'import pytorch_lightning as pl\nfrom pytorch_lightning.tuner import Tuner\n\ndef f(model):\n    trainer = pl.Trainer()\n    tuner = Tuner(trainer)\n    tuner.lr_find(model)\n',
    );
  });

  it('a split import with a comment inside is reported without a fix', () => {
    const text = 'from pytorch_lightning.utilities.apply_func import (\n    apply_to_collection,  # used below\n    move_data_to_device,\n)\n';
    const ds = check(text);
    assert.ok(ds.length >= 1);
    assert.ok(ds.every((d) => fixesOf(d).length === 0));
  });

  it('on_epoch_end in a subclass of a built-in callback is not split (its own hooks would be replaced)', () => {
    const text =
      'from pytorch_lightning.callbacks import EarlyStopping\n\nclass Stop(EarlyStopping):\n    def on_epoch_end(self, trainer, pl_module):\n        pass\n';
    const ds = check(text);
    assert.equal(ds.length, 1);
    assert.deepEqual(fixesOf(ds[0]), []);
  });

  it('trainer.root_gpu is rewritten in full', () => {
    const text = 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer()\nprint(trainer.root_gpu)\n';
    assert.equal(applyFixes(text, check(text)), 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer()\nprint(trainer.strategy.root_device.index)\n');
  });
});

describe('Lightning migrations: Trainer arguments built in another module', () => {
  let parser: PythonParser;
  before(async () => {
    parser = await loadPythonParser();
  });

  it('a config module that never imports Lightning: its dict keys are reported on the Trainer(**name) that splats them, with the file and line, without a fix', () => {
    const files: Record<string, string> = {
      '/p/trainer_config.py':
        '"""Defaults for the CLI."""\nimport os\n\ndefault_trainer_config = dict(\n    gpus=int(os.environ.get("GPUS", "1")),\n    max_epochs=10,\n    checkpoint_callback=True,\n)\n',
    };
    const text =
      'import pytorch_lightning as pl\nfrom trainer_config import default_trainer_config\n\n\ndef main():\n    return pl.Trainer(**default_trainer_config)\n';
    const diagnostics = lightningDiagnostics(TextDocument.create('file:///p/train.py', 'python', 1, text), {
      parser,
      path: '/p/train.py',
      files: { read: (p) => files[p] },
      version: NEWEST,
    });
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.message.replace(/^.*\((from default_trainer_config[^)]*\))\)$/, '$1')]),
      [
        [5, 22, 'from default_trainer_config in trainer_config.py line 4, passed to Trainer(**default_trainer_config)'],
        [5, 22, 'from default_trainer_config in trainer_config.py line 4, passed to Trainer(**default_trainer_config)'],
      ],
    );
    assert.ok(diagnostics.every((d) => fixesOf(d).length === 0));
    assert.ok(diagnostics[0].message.includes("'Trainer(gpus=)'") && diagnostics[1].message.includes("'Trainer(checkpoint_callback=)'"));
    // The config module itself imports no Lightning: nothing is reported there.
    assert.deepEqual(
      lightningDiagnostics(TextDocument.create('file:///p/trainer_config.py', 'python', 1, files['/p/trainer_config.py']), {
        parser,
        path: '/p/trainer_config.py',
        version: NEWEST,
      }),
      [],
    );
  });
});

describe('Lightning migrations: defaults that 2.x changed (FT309)', () => {
  let parser: PythonParser;
  const check = (text: string, version = NEWEST): Diagnostic[] =>
    lightningDiagnostics(TextDocument.create('file:///p/m.py', 'python', 1, text), { parser, path: '/p/m.py', version });
  before(async () => {
    parser = await loadPythonParser();
  });
  const module =
    'import pytorch_lightning as pl\n\nclass M(pl.LightningModule):\n    def training_step(self, batch, batch_idx):\n        return self.loss(batch)\n\n    def training_epoch_end(self, outputs):\n        pass\n\n';

  it('in code still on 1.x: Trainer() without a device, strategy="ddp", a loss never logged to the progress bar; information, no fix, the line that keeps 1.x behaviour', () => {
    const text = `${module}def main():\n    return pl.Trainer(max_epochs=1), pl.Trainer(strategy="ddp", accelerator="gpu", devices=2)\n`;
    const infos = check(text).filter((d) => d.code === 'FT309');
    assert.deepEqual(
      infos.map((d) => [d.range.start.line, d.range.start.character, d.severity, d.tags]),
      [
        [10, 11, 3, undefined],
        [10, 57, 3, undefined],
        [3, 8, 3, undefined],
      ],
    );
    assert.ok(infos.every((d) => fixesOf(d).length === 0));
    for (const [d, part] of [
      [infos[0], 'accelerator="cpu", devices=1'],
      [infos[1], 'strategy="ddp_find_unused_parameters_true"'],
      [infos[2], 'self.log("loss", loss, prog_bar=True)'],
    ] as const)
      assert.ok(d.message.includes(part), part);
  });

  it('not where the device is chosen or unknown, not where the loss is logged to the bar, and not in code written for 2.x', () => {
    const logged = module.replace('return self.loss(batch)', 'loss = self.loss(batch)\n        self.log("loss", loss, prog_bar=True)\n        return loss');
    const text = `${logged}def main(cfg):\n    return pl.Trainer(gpus=1), pl.Trainer(**cfg), pl.Trainer(accelerator="cpu")\n`;
    assert.deepEqual(
      check(text).filter((d) => d.code === 'FT309'),
      [],
    );
    const written2x = 'import lightning.pytorch as pl\n\ndef main():\n    return pl.Trainer(max_epochs=1)\n';
    assert.deepEqual(check(written2x), []);
    assert.equal(check(written2x, { version: '1.9.5', source: 'requirements.txt' }).filter((d) => d.code === 'FT309').length, 1, 'pinned 1.x: reported');
  });
});

describe('Lightning migrations: values with no safe fix get the exact line in the message', () => {
  let parser: PythonParser;
  const check = (text: string): Diagnostic[] =>
    lightningDiagnostics(TextDocument.create('file:///p/m.py', 'python', 1, text), { parser, path: '/p/m.py', version: NEWEST }).filter(
      (d) => d.code !== 'FT309',
    );
  before(async () => {
    parser = await loadPythonParser();
  });

  const cases: Array<[string, string]> = [
    [
      'pl.Trainer(gpus=1 if torch.cuda.is_available() else 0)',
      'Here: accelerator="gpu" if torch.cuda.is_available() else "cpu", devices=1 (gpus=0 and None meant the CPU).',
    ],
    [
      'pl.Trainer(gpus=0 if args.cpu else 2)',
      'Here: accelerator="gpu" if not (args.cpu) else "cpu", devices=2 if not (args.cpu) else 1 (gpus=0 and None meant the CPU).',
    ],
    [
      'pl.Trainer(gpus=int(os.environ["GPUS"]))',
      'Here: accelerator="gpu", devices=int(os.environ["GPUS"]), if int(os.environ["GPUS"]) is never 0 or None (those meant the CPU: accelerator="cpu").',
    ],
    [
      'pl.Trainer(checkpoint_callback=ModelCheckpoint(), callbacks=cbs)',
      'Here: drop it and pass the callback with the others, callbacks=[*cbs, ModelCheckpoint()] if cbs is a list (enable_checkpointing=<a callback> would add a default ModelCheckpoint and ignore yours).',
    ],
    [
      'pl.Trainer(checkpoint_callback=bool(args.ckpt))',
      "'bool(args.ckpt)' is not a True/False literal nor a callback built above: if it is a ModelCheckpoint, pass it in callbacks=[...] (enable_checkpointing=<a callback> would add a default ModelCheckpoint and ignore yours); if it is a bool, rename the keyword to enable_checkpointing.",
    ],
    [
      'pl.Trainer(checkpoint_callback=args.ckpt)',
      "'args.ckpt' is not a True/False literal nor a callback built above: if it is a ModelCheckpoint, pass it in callbacks=[...] (enable_checkpointing=<a callback> would add a default ModelCheckpoint and ignore yours); if it is a bool, rename the keyword to enable_checkpointing.",
    ],
  ];
  for (const [call, hint] of cases) {
    it(call, () => {
      const [d, ...rest] = check(
        `import os\nimport torch\nimport pytorch_lightning as pl\nfrom pytorch_lightning.callbacks import ModelCheckpoint\n\ndef f(args, cbs):\n    return ${call}\n`,
      );
      assert.equal(rest.length, 0);
      assert.deepEqual(fixesOf(d), []);
      assert.ok(d.message.endsWith(` ${hint}`), d.message);
    });
  }
});
