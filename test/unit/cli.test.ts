import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AXOLOTL_BASE, FTW, REPO, workspace } from './helpers';

function ftw(args: string[], cwd: string) {
  // The JSON of the many-files test passes spawnSync's default 1 MiB, after which the child is killed.
  const r = spawnSync(process.execPath, [FTW, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ftw check', () => {
  it('exit 0 and a summary when there are no errors', () => {
    const dir = workspace({ 'qlora.yml': AXOLOTL_BASE });
    const r = ftw(['check', '.'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'No problems in 1 config file (1 file read).\n');
  });

  it('exit 1 with file:line:col lines when there are errors', () => {
    const dir = workspace({ 'configs/qlora.yml': `${AXOLOTL_BASE}\nwarmup_steps: 0.1\nlora_dropuot: 0.1`, 'docker-compose.yml': 'services: {}' });
    const r = ftw(['check'], dir);
    assert.equal(r.status, 1);
    assert.equal(
      r.stdout,
      [
        "configs/qlora.yml:9:15: error FT102 'warmup_steps' must be an integer, not 0.1: Axolotl refuses this value at startup.",
        "configs/qlora.yml:10:1: warning FT101 Unknown key 'lora_dropuot': Axolotl ignores it silently. Did you mean 'lora_dropout'? [fixable]",
        '',
        '1 error, 1 warning in 1 config file (2 files read); 1 fixable with a quick fix.',
        '',
      ].join('\n'),
    );
  });

  it('--format json prints the documented items', () => {
    const dir = workspace({ 'a.yml': `${AXOLOTL_BASE}\nlora_dropuot: 0.1` });
    const r = ftw(['check', 'a.yml', '--format', 'json'], dir);
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), [
      {
        file: 'a.yml',
        range: { start: { line: 8, character: 0 }, end: { line: 8, character: 12 } },
        severity: 'warning',
        code: 'FT101',
        source: 'finetune',
        message: "Unknown key 'lora_dropuot': Axolotl ignores it silently. Did you mean 'lora_dropout'?",
        fixable: true,
      },
    ]);
  });

  it('--format sarif prints SARIF 2.1.0 with rules and 1-based regions', () => {
    const dir = workspace({ 'ds/zero3.json': '{\n  "zero_optimization": {"stage": 5},\n  "train_micro_batch_size_per_gpu": 1\n}' });
    const r = ftw(['check', '--format=sarif'], dir);
    assert.equal(r.status, 1);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ level: string; locations: Array<{ physicalLocation: unknown }> }> }>;
    };
    assert.equal(sarif.version, '2.1.0');
    assert.deepEqual(
      sarif.runs[0].tool.driver.rules.map((x) => x.id),
      ['FT103'],
    );
    assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation, {
      artifactLocation: { uri: 'ds/zero3.json' },
      region: { startLine: 2, startColumn: 34, endLine: 2, endColumn: 35 },
    });
    assert.equal(sarif.runs[0].results[0].level, 'error');
  });

  it('skips node_modules, .git and virtual environments', () => {
    const bad = `${AXOLOTL_BASE}\nwarmup_steps: 0.1`;
    const dir = workspace({ 'node_modules/x/a.yml': bad, '.venv/a.yml': bad, '.git/a.yml': bad, 'ok.yml': AXOLOTL_BASE });
    assert.equal(ftw(['check'], dir).status, 0);
  });

  it('follows `deepspeed:` links to configs that content alone does not reveal', () => {
    const dir = workspace({ 'train.yml': `${AXOLOTL_BASE}\ndeepspeed: ds/custom.json`, 'ds/custom.json': '{"zero_optimizaton": {"stage": 2}}' });
    const r = ftw(['check', '--format', 'json'], dir);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Array<{ file: string; code: string }>).map((p) => `${p.file} ${p.code}`),
      ['ds/custom.json FT101'],
    );
  });

  it('bad usage and unreadable input exit 2 with a clear message', () => {
    const dir = workspace({});
    assert.equal(ftw(['check', '--format', 'xml'], dir).status, 2);
    assert.match(ftw(['check', '--format', 'xml'], dir).stderr, /--format must be one of text, json, sarif, github, not 'xml'/);
    assert.equal(ftw(['frobnicate'], dir).status, 2);
    const missing = ftw(['check', 'nope.yml'], dir);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.yml: no such file/);
  });

  it('binary files are skipped and invalid UTF-8 in a config is reported at its position', () => {
    const dir = workspace({
      'blob.json': Buffer.from([0x7b, 0x00, 0x01, 0x02, 0x7d]),
      'bad.yml': Buffer.concat([Buffer.from('base_model: caf'), Buffer.from([0xe9]), Buffer.from('\nmicro_batch_size: 1\nlearning_rate: 0.1\ndatasets: []\n')]),
    });
    const r = ftw(['check', 'blob.json', 'bad.yml', '--format', 'json'], dir);
    assert.match(r.stderr, /blob\.json: binary file/);
    const problems = JSON.parse(r.stdout) as Array<{ code: string; range: { start: unknown }; message: string }>;
    assert.equal(problems[0].code, 'FT001');
    assert.deepEqual(problems[0].range.start, { line: 0, character: 15 });
    assert.match(problems[0].message, /Invalid UTF-8 at byte 15/);
  });
});

describe('ftw detect and ftw schema', () => {
  it('detect prints path<TAB>format per file', () => {
    const dir = workspace({
      'a.yml': AXOLOTL_BASE,
      'ds_config.json': '{"zero_optimization": {"stage": 1}, "fp16": {"enabled": true}}',
      'ci.yml': 'on: push',
      'train.py': 'import pytorch_lightning as pl',
    });
    const r = ftw(['detect', 'a.yml', 'ds_config.json', 'ci.yml', 'train.py'], dir);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'a.yml\taxolotl\nds_config.json\tdeepspeed\nci.yml\tnone\ntrain.py\tpython-lightning\n');
  });

  it('schema prints the bundled JSON Schema; formats without one exit 2', () => {
    const r = ftw(['schema', 'axolotl'], REPO);
    assert.equal(r.status, 0);
    assert.equal((JSON.parse(r.stdout) as { title: string }).title, 'Axolotl training config');
    assert.equal((JSON.parse(ftw(['schema', 'trl'], REPO).stdout) as { title: string }).title, 'TRL CLI config');
    assert.equal(ftw(['schema', 'python-lightning'], REPO).status, 2);
    assert.equal(ftw(['schema', 'nonsense'], REPO).status, 2);
  });
});

describe('ftw fix', () => {
  it('applies the safe fixes in place, config and Lightning alike; --dry-run only prints the diff', () => {
    const py = 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(gpus=2, precision=16)\n';
    const dir = workspace({ 'qlora.yml': `${AXOLOTL_BASE}\nlora_dropuot: 0.1\nevaluation_strategy: steps`, 'train.py': py });
    const dry = ftw(['fix', '--dry-run'], dir);
    assert.equal(dry.status, 0);
    assert.match(dry.stdout, /^-trainer = pl\.Trainer\(gpus=2, precision=16\)$/m);
    assert.match(dry.stdout, /^\+trainer = pl\.Trainer\(accelerator="gpu", devices=2, precision="16-mixed"\)$/m);
    assert.equal(readFileSync(join(dir, 'train.py'), 'utf8'), py, '--dry-run writes nothing');
    const r = ftw(['fix'], dir);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Fixed 4 problems/);
    assert.equal(
      readFileSync(join(dir, 'train.py'), 'utf8'),
      'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(accelerator="gpu", devices=2, precision="16-mixed")\n',
    );
    assert.match(readFileSync(join(dir, 'qlora.yml'), 'utf8'), /lora_dropout: 0\.1\neval_strategy: steps$/);
    assert.match(ftw(['fix'], dir).stdout, /Fixed 0 problems/, 'a second run finds nothing');
  });
});

describe('ftw check on many Python files', () => {
  it('checks them on worker threads with the same result as on one thread', () => {
    const golden = join(REPO, 'test', 'golden', 'lightning');
    const files = ['epoch_end.py', 'hooks_precision.py', 'step_end.py', 'toggle.py', 'tuner.py'].map((f) => readFileSync(join(golden, f), 'utf8'));
    const modules: Record<string, string> = {};
    // Over 256 KiB in all, so `ftw check` spreads the files over threads.
    for (let i = 0; i < 8; i++)
      modules[`m${i}.py`] = Array.from({ length: 32 }, (_, k) => files[(i + k) % files.length].replace(/^class (\w+)/gm, `class $1_${i}_${k}`)).join('\n');
    assert.ok(Object.values(modules).join('').length > 256 * 1024, 'enough Python for worker threads');
    const dir = workspace(modules);
    const many = ftw(['check', '.', '--format', 'json'], dir);
    const one = spawnSync(process.execPath, [FTW, 'check', '.', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FTW_THREADS: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(many.status, 1);
    assert.ok((JSON.parse(many.stdout) as unknown[]).length > 100);
    assert.equal(many.stdout, one.stdout);
  });
});

describe('ftw COMMAND --help', () => {
  for (const command of ['check', 'fix', 'vram', 'launch', 'new', 'ensemble', 'detect', 'schema', 'lsp']) {
    it(`ftw ${command} --help and -h print that command's usage and exit 0`, () => {
      for (const flag of ['--help', '-h']) {
        const r = ftw([command, flag], REPO);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^Usage:\\n  ftw ${command}\\b`));
        assert.equal(r.stdout.match(/^ {2}ftw /gm)?.length, 1, `only that command:\n${r.stdout}`);
        assert.equal(r.stderr, '');
      }
    });
  }
  it('ftw help new is ftw new --help; after -- a --help belongs to the training program', () => {
    assert.equal(ftw(['help', 'new'], REPO).stdout, ftw(['new', '--help'], REPO).stdout);
    assert.match(ftw(['new', '--approach', 'classifier', '--help'], REPO).stdout, /--format axolotl\|llamafactory\|trl\|torchtune\|hf-args\|script/);
    const r = ftw(['launch', 'missing.yml', '--dry-run', '--', '--help'], REPO);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /missing\.yml: no such file/);
  });
});
