import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { ensemble } from '../../server/src/core/generate';
import { planLaunch, torchtuneRecipe, trlCommand } from '../../server/src/core/jobs/command';
import { commentText, shellJoin, shellQuote, shellVarName, yamlBlock, yamlKey, yamlQuote } from '../../server/src/core/jobs/quote';
import type { LaunchPlan, LaunchRequest } from '../../server/src/core/jobs/types';

// A config's name, its folder, its arguments and the settings are written into the sbatch script and the SkyPilot
// task. Each hostile value below is fed through every launcher; the results are read back by the programs that
// read them (bash, a YAML parser, PyYAML where it is installed) and must give back exactly the words and values
// we meant, with no PWNED file anywhere afterwards.
const HOSTILE = [
  'x\ntouch PWNED\n#.yml',
  'x\nsetup: touch PWNED\n#.yml',
  "x'; touch PWNED; '.yml",
  '$(touch PWNED).yml',
  '`touch PWNED`.yml',
  'x\rtouch PWNED\r#.yml',
  'x\u2028setup: touch PWNED\u2028#.yml',
  'x\u0085run: touch PWNED\u2029#.yml',
  "x'--rdzv-id=$(touch PWNED)'.yml",
  'x"\\$HOME\t\u001b[2J\u0007.yml',
  '#!x: {y: [z]} &a *b | > %.yml',
  'x\u007f\ufeff\ufffe😀.yml',
];

const root = mkdtempSync(join(tmpdir(), 'ftw-hostile-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Programs that record their argv (NUL-separated, one record per call) instead of running anything. */
const stubs = join(root, 'bin');
mkdirSync(stubs);
for (const program of ['srun', 'torchrun', 'axolotl', 'tune', 'trl', 'llamafactory-cli', 'python3', 'accelerate', 'deepspeed']) {
  writeFileSync(join(stubs, program), '#!/bin/bash\nprintf \'%s\\0\' "${0##*/}" "$@" >> "$FTW_ARGV"\nprintf \'\\0\' >> "$FTW_ARGV"\n');
  chmodSync(join(stubs, program), 0o755);
}
writeFileSync(join(stubs, 'scontrol'), '#!/bin/bash\necho node7\n');
chmodSync(join(stubs, 'scontrol'), 0o755);

function pwned(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => basename(f) === 'PWNED');
}

/** Runs a bash script with the stub programs; returns the argv each stub received (no word here is empty). */
function runWithStubs(script: string, cwd: string, env: Record<string, string> = {}): string[][] {
  const out = join(root, `argv-${Math.random().toString(36).slice(2)}`);
  writeFileSync(out, '');
  const r = spawnSync('bash', ['-c', script], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: `${stubs}:/usr/bin:/bin`,
      FTW_ARGV: out,
      SLURM_JOB_NODELIST: 'node7',
      SLURM_JOB_ID: '42',
      SKYPILOT_NODE_IPS: '10.0.0.1\n10.0.0.2',
      SKYPILOT_NODE_RANK: '1',
      ...env,
    },
  });
  assert.equal(r.status, 0, `bash failed: ${r.stderr}\n${script}`);
  // Each call: its words, each ended by a NUL, then one more NUL.
  return readFileSync(out, 'utf8')
    .split('\0\0')
    .filter(Boolean)
    .map((rec) => rec.split('\0'));
}

/** The argv the plan means once our rendezvous variables have expanded on the node. */
function expanded(argv: string[], vars: Record<string, string>): string[] {
  return argv.map((w) => (/^--(?:rdzv-endpoint|rdzv-id|node-rank)=\$/.test(w) ? w.replace(/\$(\w+)/g, (_, v: string) => vars[v] ?? '') : w));
}

/** What each node runs, written out per format (config-formats §3.4-§6.4): the plain command on one GPU, else
 *  torchrun with the rendezvous (`tune run` takes torchrun's flags itself). */
function clusterInner(r: LaunchRequest): string[] {
  const gpus = r.gpus ?? 1;
  const nodes = r.nodes ?? 1;
  const args = r.args ?? [];
  const rdzv =
    r.launcher === 'slurm'
      ? ['--rdzv-backend=c10d', '--rdzv-endpoint=$MASTER_ADDR:$MASTER_PORT', '--rdzv-id=$SLURM_JOB_ID']
      : ['--rdzv-backend=c10d', '--rdzv-endpoint=$MASTER_ADDR:$MASTER_PORT', '--node-rank=$SKYPILOT_NODE_RANK'];
  const single = gpus * nodes === 1;
  const torchrun = (run: string[]) => ['torchrun', `--nproc-per-node=${gpus}`, `--nnodes=${nodes}`, ...rdzv, ...run];
  switch (r.format) {
    case 'axolotl':
      return single ? ['axolotl', 'train', r.file, ...args] : torchrun(['-m', 'axolotl.cli.train', r.file, ...args]);
    case 'torchtune':
      return single
        ? ['tune', 'run', torchtuneRecipe(r.file, false), '--config', r.file, ...args]
        : [
            'tune',
            'run',
            ...rdzv,
            `--nproc_per_node=${gpus}`,
            ...(nodes > 1 ? [`--nnodes=${nodes}`] : []),
            torchtuneRecipe(r.file, true),
            '--config',
            r.file,
            ...args,
          ];
    case 'trl':
      return single
        ? ['trl', trlCommand(r.file), '--config', r.file, ...args]
        : torchrun(['-m', `trl.scripts.${trlCommand(r.file)}`, '--config', r.file, ...args]);
    default:
      return single ? ['python3', r.file, ...args] : torchrun([r.file, ...args]);
  }
}

const FORMATS: Array<Pick<LaunchRequest, 'format'> & Partial<LaunchRequest>> = [
  { format: 'axolotl' },
  { format: 'torchtune' },
  { format: 'trl' },
  { format: 'python' },
];

/** A test title that shows every character of the name in ASCII. */
const label = (name: string) => JSON.stringify(name).replace(/[^\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);

describe('hostile names through every launcher', () => {
  HOSTILE.forEach((name, n) => {
    // The workspace folder is hostile too: the script cds into it, SkyPilot uploads it.
    const cwd = join(root, `w${n}-${name.replace(/\//g, '_')}`);
    mkdirSync(cwd, { recursive: true });
    const file = join(cwd, name);
    const request = (r: Partial<LaunchRequest>): LaunchRequest => ({
      format: 'axolotl',
      file,
      cwd,
      launcher: 'local',
      args: ['--note', name],
      env: { NOTE: name, [name]: '1', yes: 'y' },
      ...r,
    });

    it(`${label(name)}: local, torchrun, accelerate and deepspeed print one bash word per argument`, () => {
      const plans: LaunchPlan[] = [];
      for (const f of FORMATS) {
        for (const launcher of ['local', 'torchrun', 'accelerate', 'deepspeed'] as const) {
          try {
            plans.push(planLaunch(request({ ...f, launcher, gpus: 2 })));
          } catch {
            /* a refused combination (torchtune with deepspeed) */
          }
        }
      }
      const script = plans.map((p) => `printf '%s\\0' ${shellJoin(p.argv)} >> "$FTW_ARGV"; printf '\\0' >> "$FTW_ARGV"`).join('\n');
      assert.deepEqual(
        runWithStubs(script, cwd),
        plans.map((p) => p.argv),
      );
      assert.deepEqual(pwned(root), []);
    });

    it(`${label(name)}: the sbatch script passes bash -n, keeps its structure and runs exactly the planned command`, () => {
      for (const f of FORMATS) {
        for (const [gpus, nodes] of [
          [1, 1],
          [2, 2],
        ] as const) {
          const r = request({
            ...f,
            launcher: 'slurm',
            gpus,
            nodes,
            slurm: { partition: name, time: name, account: name, jobName: name, extra: [name, '--qos=high'], logDir: join(cwd, name) },
          });
          const script = planLaunch(r).files[0].content;
          assert.equal(spawnSync('bash', ['-n'], { input: script }).status, 0, script);
          // Nothing but our lines: the shebang, comments and #SBATCH lines, then set, cd, the exports and srun.
          const commands = script.split('\n').filter((l) => l && !l.startsWith('#'));
          assert.deepEqual(
            commands.map((l) => /^(?:set -euo pipefail$|cd |export [A-Za-z_]\w*=|srun )/.exec(l)?.[0] ?? l),
            ['set -euo pipefail', 'cd ', 'export NOTE=', `export ${shellVarName(name)}=`, 'export yes=', 'export MASTER_ADDR=', 'export MASTER_PORT=', 'srun '],
          );
          assert.ok(
            script
              .split('\n')
              .filter((l) => l.startsWith('#SBATCH '))
              .every((l) => /^#SBATCH --[\w-]+(=[\w:,.@+-]*)?$/.test(l)),
            script,
          );
          const [srun] = runWithStubs(script, cwd);
          assert.deepEqual(srun, [
            'srun',
            `--nodes=${nodes}`,
            '--ntasks-per-node=1',
            ...expanded(clusterInner(r), { MASTER_ADDR: 'node7', MASTER_PORT: '29500', SLURM_JOB_ID: '42' }),
          ]);
        }
      }
      assert.deepEqual(pwned(root), []);
    });

    it(`${label(name)}: the SkyPilot task loads (YAML 1.1 and PyYAML) to exactly our keys and values, and its run script runs the planned command`, () => {
      const loaded: Array<{ task: string; value: unknown }> = [];
      for (const f of FORMATS) {
        for (const [gpus, nodes] of [
          [1, 1],
          [2, 2],
        ] as const) {
          const r = request({ ...f, launcher: 'skypilot', gpus, nodes, skypilot: { accelerator: name, cloud: name, setup: `pip install x\n${name}` } });
          const task = planLaunch(r).files[0].content;
          const doc = parseDocument(task, { version: '1.1' });
          assert.deepEqual(doc.errors, []);
          const value = doc.toJS() as Record<string, unknown>;
          assert.deepEqual(Object.keys(value), ['name', 'resources', 'num_nodes', 'workdir', 'envs', 'setup', 'run']);
          assert.deepEqual(
            [value['name'], value['resources'], value['num_nodes'], value['workdir'], value['setup']],
            [`ftw-${name.replace(/\.[^.]*$/, '')}`, { accelerators: `${name}:${gpus}`, cloud: name }, nodes, cwd, `pip install x\n${name}\n`],
          );
          assert.deepEqual(value['envs'], { NOTE: name, [shellVarName(name)]: '1', yes: 'y' });
          loaded.push({ task, value });
          const [ran] = runWithStubs(value['run'] as string, cwd);
          const rel = (w: string) => (w.startsWith(`${cwd}/`) ? w.slice(cwd.length + 1) : w);
          assert.deepEqual(ran, expanded(clusterInner(r).map(rel), { MASTER_ADDR: '10.0.0.1', MASTER_PORT: '29500', SKYPILOT_NODE_RANK: '1' }));
        }
      }
      const pyyaml = loadWithPyYaml(loaded.map((l) => l.task));
      if (pyyaml)
        assert.deepEqual(
          pyyaml,
          loaded.map((l) => l.value),
        );
      assert.deepEqual(pwned(root), []);
    });
  });
});

let pyyamlState: 'unknown' | 'yes' | 'no' = 'unknown';
/** The tasks as SkyPilot reads them (PyYAML safe_load), when python3 with PyYAML is on this machine; else undefined. */
function loadWithPyYaml(texts: string[]): unknown[] | undefined {
  if (pyyamlState === 'no') return undefined;
  const r = spawnSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps([yaml.safe_load(t) for t in json.load(sys.stdin)]))'], {
    input: JSON.stringify(texts),
    encoding: 'utf8',
  });
  if (pyyamlState === 'unknown') {
    pyyamlState = r.status === 0 ? 'yes' : 'no';
    if (pyyamlState === 'no') console.log('# PyYAML is not installed: the SkyPilot tasks are checked with the yaml package only');
  }
  if (pyyamlState === 'no') return undefined;
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

describe('hostile names in the configs `ftw ensemble` writes', () => {
  const config =
    'base_model: NousResearch/Llama-3.2-1B\nadapter: lora\nsequence_len: 2048\nmicro_batch_size: 2\ndatasets:\n  - path: x\n    type: alpaca\noutput_dir: ./out\n';
  const keysOf = (text: string) => Object.keys(parseDocument(text, { version: '1.1' }).toJS() as object);
  const plainKeys = ensemble(config, 'axolotl', join(root, 'plain.yml'), [512, 1024]).variants.map((v) => keysOf(v.text));
  HOSTILE.forEach((name) => {
    it(`${label(name)}: each variant loads to the keys a plain name gives; the name stays in the header comment`, () => {
      const { variants } = ensemble(config, 'axolotl', join(root, name), [512, 1024]);
      const texts = variants.map((v) => v.text);
      texts.forEach((text, i) => {
        assert.deepEqual(parseDocument(text, { version: '1.1' }).errors, []);
        assert.deepEqual(keysOf(text), plainKeys[i]);
        assert.ok(text.includes(`from ${commentText(name)} (ftw ensemble)`), 'the name, escaped, in the header comment');
      });
      const pyyaml = loadWithPyYaml(texts);
      if (pyyaml)
        assert.deepEqual(
          pyyaml,
          texts.map((t): unknown => parseDocument(t, { version: '1.1' }).toJS()),
        );
    });
  });
});

describe('the quoting functions', () => {
  const rows: Array<[string, string, string]> = [
    ['shellQuote: plain words stay bare', shellQuote('a/b-1.yml'), 'a/b-1.yml'],
    ['shellQuote: quotes close and reopen', shellQuote("it's"), `'it'\\''s'`],
    ['shellQuote: control characters become ANSI-C escapes', shellQuote("a\nb'\u001b\\"), `$'a\\x0ab\\'\\x1b\\\\'`],
    [
      'shellJoin: our expanding words are double-quoted, the rest single-quoted',
      shellJoin(['--rdzv-endpoint=$MASTER_ADDR:$MASTER_PORT', '$(x)'], [0]),
      `"--rdzv-endpoint=$MASTER_ADDR:$MASTER_PORT" '$(x)'`,
    ],
    [
      'commentText: line breaks of bash and PyYAML and controls are escaped',
      commentText('a\nb\rc\u0085d\u2028e\u2029f\tg\\h\u001b'),
      'a\\nb\\rc\\x85d\\u2028e\\u2029f\\tg\\\\h\\x1b',
    ],
    ['yamlQuote: quotes, backslashes, breaks and the BOM are escaped', yamlQuote('a"b\\c\nd\u2028e\ufefff\u0000😀'), '"a\\"b\\\\c\\nd\\u2028e\\ufefff\\x00😀"'],
    ['yamlKey: identifiers stay plain', yamlKey('WANDB_PROJECT'), 'WANDB_PROJECT'],
    ['yamlKey: YAML 1.1 booleans and odd keys are quoted', `${yamlKey('on')} ${yamlKey('a b')}`, '"on" "a b"'],
    ['yamlBlock: a readable script is a literal block', yamlBlock('set -e\nrun x\n', '  '), '|\n  set -e\n  run x'],
    ['yamlBlock: a script with a carriage return is one quoted line', yamlBlock('a\rb\n', '  '), '"a\\x0db\\n"'],
  ];
  for (const [name, actual, expected] of rows) it(name, () => assert.equal(actual, expected));
});
