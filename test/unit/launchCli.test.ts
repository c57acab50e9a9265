import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { AXOLOTL_BASE, FTW, workspace } from './helpers';

function ftw(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [FTW, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FTW_NVIDIA_SMI: '/bin/false', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ftw launch', () => {
  it('--dry-run prints the command, quoted as a shell would need it, and changes nothing', () => {
    const dir = workspace({ 'my configs/qlora 1b.yml': AXOLOTL_BASE });
    const r = ftw(['launch', 'my configs/qlora 1b.yml', '--launcher', 'torchrun', '--gpus', '2', '--dry-run'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `# axolotl train qlora 1b.yml · torchrun · 2 GPUs\naxolotl train '${dir}/my configs/qlora 1b.yml' --launcher torchrun -- --nproc_per_node=2 --nnodes=1\n`,
    );
  });

  it('--dry-run with slurm prints the sbatch command and the script it would write', () => {
    const dir = workspace({ 'train.yml': AXOLOTL_BASE });
    const r = ftw(['launch', 'train.yml', '--launcher', 'slurm', '--gpus', '4', '--nodes', '2', '--partition', 'gpu', '--time', '02:00:00', '--dry-run'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], '# axolotl train train.yml · slurm · 2 nodes × 4 GPUs');
    assert.equal(r.stdout.split('\n')[1], `sbatch --parsable --output=${dir}/.ftw/slurm/%x-%j.out ${dir}/.ftw/slurm/ftw-train.sbatch`);
    assert.match(r.stdout, /^#SBATCH --nodes=2$/m);
    assert.match(r.stdout, /^#SBATCH --partition=gpu$/m);
    assert.match(r.stdout, /^srun --nodes=2 --ntasks-per-node=1 torchrun --nproc-per-node=4 --nnodes=2 /m);
  });

  it('errors in the config stop the launch (exit 1) unless --force', () => {
    const dir = workspace({ 'bad.yml': `${AXOLOTL_BASE}\nwarmup_steps: 0.1`, 'train.py': 'print("never")\n' });
    const r = ftw(['launch', 'bad.yml', '--dry-run'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.yml:9:15: error FT102 'warmup_steps' must be an integer/);
    assert.match(r.stderr, /1 error would stop the run; fix it|1 error would stop the run; fix them, or launch anyway with --force/);
    assert.equal(ftw(['launch', 'bad.yml', '--dry-run', '--force'], dir).status, 0);
  });

  it('a missing launcher program: exit 2 with what to install', () => {
    const dir = workspace({ 'train.yml': AXOLOTL_BASE });
    const r = ftw(['launch', 'train.yml'], dir, { PATH: '/nonexistent' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /'axolotl' was not found on the PATH\. Install: pip install axolotl/);
  });

  it("runs a script: its output streams through, its exit code is ftw's, hostile arguments arrive intact", () => {
    const dir = workspace({
      'train.py': "import sys, json\nprint(json.dumps(sys.argv[1:]))\nprint({'loss': 1.0, 'learning_rate': 1e-05, 'epoch': 1.0})\nsys.exit(3)\n",
    });
    const r = ftw(['launch', 'train.py', '--', 'a b', '$(id)', ';ls'], dir);
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.split('\n')[0]), ['a b', '$(id)', ';ls']);
    assert.match(r.stderr, /ftw: finished with exit code 3/);
  });

  it('bad usage: exit 2 with a clear message', () => {
    const dir = workspace({
      'train.yml': AXOLOTL_BASE,
      'ds.json': '{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 1}',
      'compose.yml': 'services:\n  web:\n    image: nginx\n',
    });
    const cases: Array<[string[], RegExp]> = [
      [['launch'], /launch needs exactly one CONFIG/],
      [['launch', 'train.yml', '--launcher', 'kubernetes'], /--launcher must be one of local, torchrun, accelerate, deepspeed, slurm, skypilot/],
      [['launch', 'train.yml', '--gpus', '0'], /--gpus must be a whole number ≥ 1/],
      [['launch', 'train.yml', '--nodes', '2', '--dry-run'], /2 nodes need a cluster launcher/],
      [['launch', 'ds.json', '--dry-run'], /DeepSpeed files are not launched on their own/],
      [['launch', 'compose.yml'], /not a training config this tool knows/],
      [['launch', 'missing.yml'], /missing\.yml: /],
    ];
    for (const [args, message] of cases) {
      const r = ftw(args, dir);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });
});
