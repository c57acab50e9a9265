import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planLaunch, torchtuneRecipe, trlCommand } from '../../server/src/core/jobs/command';
import { shellJoin, shellQuote } from '../../server/src/core/jobs/quote';
import { LaunchError, type LaunchRequest } from '../../server/src/core/jobs/types';

const CWD = '/work/proj';
const req = (r: Partial<LaunchRequest> & Pick<LaunchRequest, 'format' | 'file'>): LaunchRequest => ({ launcher: 'local', cwd: CWD, ...r });

describe('jobs: the command per format and launcher (golden argv)', () => {
  const cfg = '/work/proj/configs/qlora.yml';
  const rows: Array<[string, Parameters<typeof req>[0], string[], Record<string, string>?]> = [
    ['axolotl local', { format: 'axolotl', file: cfg }, ['axolotl', 'train', cfg]],
    [
      'axolotl torchrun ×2',
      { format: 'axolotl', file: cfg, launcher: 'torchrun', gpus: 2 },
      ['axolotl', 'train', cfg, '--launcher', 'torchrun', '--', '--nproc_per_node=2', '--nnodes=1'],
    ],
    [
      'axolotl accelerate ×4 with a config file',
      { format: 'axolotl', file: cfg, launcher: 'accelerate', gpus: 4, accelerateConfig: 'acc.yml' },
      ['axolotl', 'train', cfg, '--launcher', 'accelerate', '--', '--num_processes=4', '--num_machines=1', '--config_file=acc.yml'],
    ],
    [
      'axolotl deepspeed ×8',
      { format: 'axolotl', file: cfg, launcher: 'deepspeed', gpus: 8 },
      ['deepspeed', '--num_gpus', '8', '--module', 'axolotl.cli.train', cfg],
    ],
    ['llamafactory local', { format: 'llamafactory', file: cfg }, ['llamafactory-cli', 'train', cfg]],
    [
      'llamafactory torchrun ×2 (FORCE_TORCHRUN)',
      { format: 'llamafactory', file: cfg, launcher: 'torchrun', gpus: 2 },
      ['llamafactory-cli', 'train', cfg],
      { FORCE_TORCHRUN: '1', NPROC_PER_NODE: '2', NNODES: '1' },
    ],
    [
      'llamafactory accelerate ×2',
      { format: 'llamafactory', file: cfg, launcher: 'accelerate', gpus: 2 },
      ['accelerate', 'launch', '--num_processes', '2', '-m', 'llamafactory.launcher', cfg],
    ],
    ['trl sft local', { format: 'trl', file: '/work/proj/sft.yaml' }, ['trl', 'sft', '--config', '/work/proj/sft.yaml']],
    [
      'trl dpo (from the file name) accelerate ×4',
      { format: 'trl', file: '/work/proj/dpo_zephyr.yaml', launcher: 'accelerate', gpus: 4 },
      ['trl', 'dpo', '--config', '/work/proj/dpo_zephyr.yaml', '--num_processes', '4'],
    ],
    [
      'trl grpo (from its keys) torchrun ×2',
      { format: 'trl', file: '/work/proj/config.yaml', launcher: 'torchrun', gpus: 2, value: { num_generations: 8 } },
      ['torchrun', '--nproc-per-node=2', '-m', 'trl.scripts.grpo', '--config', '/work/proj/config.yaml'],
    ],
    [
      'torchtune single device',
      { format: 'torchtune', file: '/work/proj/8B_qlora_single_device.yaml' },
      ['tune', 'run', 'lora_finetune_single_device', '--config', '/work/proj/8B_qlora_single_device.yaml'],
    ],
    [
      'torchtune distributed ×4',
      { format: 'torchtune', file: '/work/proj/70B_full.yaml', launcher: 'torchrun', gpus: 4 },
      ['tune', 'run', '--nproc_per_node=4', 'full_finetune_distributed', '--config', '/work/proj/70B_full.yaml'],
    ],
    [
      'torchtune with a named recipe',
      { format: 'torchtune', file: '/work/proj/my.yaml', recipe: 'lora_dpo_single_device' },
      ['tune', 'run', 'lora_dpo_single_device', '--config', '/work/proj/my.yaml'],
    ],
    [
      'lightning-cli local',
      { format: 'lightning-cli', file: '/work/proj/cfg.yaml', script: '/work/proj/main.py' },
      ['python3', '/work/proj/main.py', 'fit', '--config', '/work/proj/cfg.yaml'],
    ],
    [
      'lightning-cli torchrun ×2',
      { format: 'lightning-cli', file: '/work/proj/cfg.yaml', script: '/work/proj/main.py', launcher: 'torchrun', gpus: 2 },
      ['torchrun', '--nproc-per-node=2', '/work/proj/main.py', 'fit', '--config', '/work/proj/cfg.yaml'],
    ],
    [
      'hf-args with its script',
      { format: 'hf-args', file: '/work/proj/args.json', script: '/work/proj/run_clm.py', python: '/venv/bin/python' },
      ['/venv/bin/python', '/work/proj/run_clm.py', '/work/proj/args.json'],
    ],
    [
      'a Python script, local, extra args',
      { format: 'python', file: '/work/proj/train.py', args: ['--lr', '1e-4'] },
      ['python3', '/work/proj/train.py', '--lr', '1e-4'],
    ],
    [
      'a Python script with accelerate ×2',
      { format: 'python', file: '/work/proj/train.py', launcher: 'accelerate', gpus: 2 },
      ['accelerate', 'launch', '--num_processes', '2', '/work/proj/train.py'],
    ],
    [
      'a Python script with deepspeed ×2',
      { format: 'python', file: '/work/proj/train.py', launcher: 'deepspeed', gpus: 2 },
      ['deepspeed', '--num_gpus', '2', '/work/proj/train.py'],
    ],
  ];
  for (const [name, r, expected, env] of rows) {
    it(name, () => {
      const plan = planLaunch(req(r));
      assert.deepEqual(plan.argv, expected);
      assert.deepEqual(plan.env, env ?? {});
      assert.equal(plan.kind, 'process');
      assert.equal(plan.cwd, CWD);
    });
  }

  it('programs beside the selected interpreter win over PATH', () => {
    const plan = planLaunch(req({ format: 'axolotl', file: '/c.yml', python: '/venv/bin/python' }), (p) => p === '/venv/bin/axolotl');
    assert.deepEqual(plan.argv.slice(0, 2), ['/venv/bin/axolotl', 'train']);
    assert.equal(plan.program, '/venv/bin/axolotl');
  });

  it('each plan says what to install when its program is missing', () => {
    assert.match(planLaunch(req({ format: 'torchtune', file: '/c.yaml' })).install, /pip install torchtune/);
    assert.match(planLaunch(req({ format: 'axolotl', file: '/c.yml' })).install, /pip install axolotl/);
  });

  it('refusals say why and what to use instead', () => {
    const cases: Array<[Parameters<typeof req>[0], RegExp]> = [
      [{ format: 'torchtune', file: '/c.yaml', launcher: 'accelerate' }, /torchtune launches through torchrun/],
      [{ format: 'torchtune', file: '/c.yaml', launcher: 'deepspeed' }, /FSDP, not DeepSpeed/],
      [{ format: 'lightning-cli', file: '/c.yaml' }, /name the training script/],
      [{ format: 'deepspeed', file: '/ds.json' }, /not launched on their own/],
      [{ format: 'axolotl', file: '/c.yml', nodes: 2 }, /2 nodes need a cluster launcher/],
      [{ format: 'axolotl', file: '/c.yml', gpus: 0 }, /GPU count must be a whole number ≥ 1/],
    ];
    for (const [r, message] of cases)
      assert.throws(
        () => planLaunch(req(r)),
        (e: unknown) => e instanceof LaunchError && message.test(e.message),
      );
  });
});

describe('jobs: hostile paths and arguments travel as single argv words', () => {
  const nasty = ["/work/proj/my configs/it's $(rm -rf ~); `id` & echo.yml", '/work/proj/semi;colon|pipe>file.yml', '/work/proj/new\nline.yml'];
  for (const file of nasty) {
    it(JSON.stringify(file), () => {
      const plan = planLaunch(req({ format: 'axolotl', file, args: ['--note', '$(whoami)'] }));
      assert.deepEqual(plan.argv, ['axolotl', 'train', file, '--note', '$(whoami)']);
    });
  }
  it('shell quoting for the sbatch script keeps each word intact', () => {
    assert.equal(shellQuote("it's $(x)"), `'it'\\''s $(x)'`);
    assert.equal(shellQuote('plain/path-1.yml'), 'plain/path-1.yml');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellJoin(['a b', 'c']), "'a b' c");
  });
});

describe('jobs: Slurm and SkyPilot', () => {
  const cfg = "/work/proj/configs/lora 7b's.yml";
  it('an sbatch script with nodes, GPUs per node, partition, time, output, and srun + torchrun rendezvous', () => {
    const plan = planLaunch(
      req({
        format: 'axolotl',
        file: cfg,
        launcher: 'slurm',
        gpus: 4,
        nodes: 2,
        slurm: { partition: 'gpu', time: '04:00:00', account: 'proj1', cpusPerTask: 16 },
      }),
    );
    assert.equal(plan.kind, 'slurm');
    assert.deepEqual(plan.argv, ['sbatch', '--parsable', '--output=/work/proj/.ftw/slurm/%x-%j.out', '/work/proj/.ftw/slurm/ftw-lora_7b_s.sbatch']);
    assert.equal(plan.logPattern, '/work/proj/.ftw/slurm/ftw-lora_7b_s-%j.out');
    const script = plan.files[0].content;
    assert.equal(plan.files[0].path, '/work/proj/.ftw/slurm/ftw-lora_7b_s.sbatch');
    for (const line of [
      '#SBATCH --job-name=ftw-lora_7b_s',
      '#SBATCH --nodes=2',
      '#SBATCH --ntasks-per-node=1',
      '#SBATCH --gpus-per-node=4',
      '#SBATCH --cpus-per-task=16',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=04:00:00',
      '#SBATCH --account=proj1',
      'cd /work/proj',
    ]) {
      assert.ok(script.split('\n').includes(line), `missing "${line}" in\n${script}`);
    }
    assert.ok(
      script.includes(
        `srun --nodes=2 --ntasks-per-node=1 torchrun --nproc-per-node=4 --nnodes=2 --rdzv-backend=c10d "--rdzv-endpoint=$MASTER_ADDR:$MASTER_PORT" "--rdzv-id=$SLURM_JOB_ID" -m axolotl.cli.train '/work/proj/configs/lora 7b'\\''s.yml'`,
      ),
      script,
    );
    assert.match(script, /^export MASTER_ADDR="\$\(scontrol show hostnames "\$SLURM_JOB_NODELIST" \| head -n 1\)"$/m);
  });
  it('one GPU on Slurm runs the plain command under srun', () => {
    const script = planLaunch(req({ format: 'trl', file: '/work/proj/sft.yaml', launcher: 'slurm' })).files[0].content;
    assert.match(script, /^srun --nodes=1 --ntasks-per-node=1 trl sft --config \/work\/proj\/sft\.yaml$/m);
  });
  it('environment variables and settings that would break the script are quoted or dropped', () => {
    const script = planLaunch(
      req({
        format: 'python',
        file: '/work/proj/t.py',
        launcher: 'slurm',
        env: { WANDB_PROJECT: "a'b $(x)" },
        slurm: { partition: 'gpu; rm -rf /', extra: ['--qos=high', '--comment=$(evil)'] },
      }),
    ).files[0].content;
    assert.match(script, /^export WANDB_PROJECT='a'\\''b \$\(x\)'$/m);
    assert.match(script, /^#SBATCH --partition=gpurm-rf$/m);
    assert.match(script, /^#SBATCH --qos=high$/m);
    assert.doesNotMatch(script, /evil/);
  });
  it('a SkyPilot task: accelerators, nodes, workdir, run with the rendezvous on the first node', () => {
    const plan = planLaunch(
      req({
        format: 'llamafactory',
        file: '/work/proj/cfg/sft.yaml',
        launcher: 'skypilot',
        gpus: 8,
        nodes: 2,
        skypilot: { accelerator: 'H100', setup: 'pip install llamafactory' },
      }),
    );
    assert.deepEqual(plan.argv, ['sky', 'launch', '--yes', '-c', 'ftw-sft', '/work/proj/.ftw/sky/sft.sky.yaml']);
    const task = plan.files[0].content;
    assert.match(task, /^resources:\n {2}accelerators: "H100:8"$/m);
    assert.match(task, /^num_nodes: 2$/m);
    assert.match(task, /^workdir: "\/work\/proj"$/m);
    assert.match(task, /^setup: \|\n {2}pip install llamafactory$/m);
    assert.match(task, /^ {2}export MASTER_ADDR=\$\(echo "\$SKYPILOT_NODE_IPS" \| head -n1\)$/m);
    assert.match(
      task,
      /^ {2}torchrun --nproc-per-node=8 --nnodes=2 --rdzv-backend=c10d "--rdzv-endpoint=\$MASTER_ADDR:\$MASTER_PORT" "--node-rank=\$SKYPILOT_NODE_RANK" -m llamafactory\.launcher cfg\/sft\.yaml$/m,
    );
  });
});

describe('jobs: picking the TRL command and the torchtune recipe', () => {
  it('TRL commands', () => {
    assert.equal(trlCommand('/p/sft.yaml'), 'sft');
    assert.equal(trlCommand('/p/zephyr-dpo.yaml'), 'dpo');
    assert.equal(trlCommand('/p/config_demo.yaml', { reward_funcs: ['accuracy'] }), 'grpo');
    assert.equal(trlCommand('/p/c.yaml', { beta: 0.1, loss_type: 'sigmoid' }), 'dpo');
    assert.equal(trlCommand('/p/c.yaml', { teacher_model_name_or_path: 'x' }), 'distillation');
  });
  it('torchtune recipes from the config name', () => {
    assert.equal(torchtuneRecipe('/p/8B_lora_single_device.yaml', false), 'lora_finetune_single_device');
    assert.equal(torchtuneRecipe('/p/70B_lora.yaml', true), 'lora_finetune_distributed');
    assert.equal(torchtuneRecipe('/p/8B_full.yaml', false), 'full_finetune_single_device');
    assert.equal(torchtuneRecipe('/p/8B_to_1B_KD_lora_distributed.yaml', true), 'knowledge_distillation_distributed');
    assert.equal(torchtuneRecipe('/p/8B_lora_dpo_single_device.yaml', false), 'lora_dpo_single_device');
  });
});
