/**
 * The command line of a training job, per format and launcher (DESIGN §7). Always argv: the config path and every
 * user-given word travel as one argument each, so a path with spaces, quotes, `;` or `$(...)` reaches the program
 * unchanged and nothing else runs. Facts: ../shared/research/config-formats.md §3.4, §4.4, §5.4, §6.4, §7.3.
 */
import { basename, dirname, isAbsolute, join, relative } from '../common/paths';
import { FORMATS } from '../common/formats';
import { commentText, shellJoin, shellQuote, shellVarName, yamlBlock, yamlKey, yamlQuote } from './quote';
import { LaunchError, type LaunchPlan, type LaunchRequest } from './types';

/** pip packages that provide each program. */
const INSTALL: Record<string, string> = {
  axolotl: 'pip install axolotl (https://docs.axolotl.ai/docs/installation.html)',
  'llamafactory-cli': 'pip install llamafactory (or pip install -e . in a LLaMA-Factory checkout)',
  trl: 'pip install trl',
  tune: 'pip install torchtune',
  torchrun: 'pip install torch (torchrun comes with PyTorch)',
  accelerate: 'pip install accelerate',
  deepspeed: 'pip install deepspeed',
  python: 'a Python 3 interpreter (select one with "Python: Select Interpreter", or set finetune.python)',
  python3: 'a Python 3 interpreter (select one with "Python: Select Interpreter", or set finetune.python)',
  sbatch: 'the Slurm client tools (apt-get install slurm-client), on a machine that can reach the cluster',
  sky: 'pip install "skypilot[aws,gcp,kubernetes]" (then sky check)',
};

export function installHint(program: string): string {
  return INSTALL[basename(program)] ?? `${basename(program)} on the PATH`;
}

/** TRL's CLI subcommand for a config: its file name first, then keys only one trainer has. */
export function trlCommand(file: string, value: Record<string, unknown> = {}): string {
  const name = basename(file).toLowerCase();
  for (const cmd of ['grpo', 'dpo', 'kto', 'rloo', 'reward', 'distillation']) if (name.includes(cmd)) return cmd;
  if (/\bkd\b|distil/.test(name)) return 'distillation';
  if ('num_generations' in value || 'reward_funcs' in value) return 'grpo';
  if ('teacher_model_name_or_path' in value) return 'distillation';
  if ('desirable_weight' in value || 'undesirable_weight' in value) return 'kto';
  if ('beta' in value && ('loss_type' in value || 'ref_model' in value || 'precompute_ref_log_probs' in value)) return 'dpo';
  if ('center_rewards_coefficient' in value) return 'reward';
  return 'sft';
}

/** torchtune's recipe for a config, from its file name as torchtune names its own configs (8B_qlora_single_device.yaml). */
export function torchtuneRecipe(file: string, distributed: boolean): string {
  const name = basename(file).toLowerCase();
  const where = distributed ? 'distributed' : name.includes('distributed') ? 'distributed' : 'single_device';
  if (/knowledge_distillation|(^|_)kd(_|\.)/.test(name)) return `knowledge_distillation_${where}`;
  if (/dpo/.test(name)) return name.includes('lora') || name.includes('qlora') ? `lora_dpo_${where}` : `full_dpo_${where}`;
  if (/ppo/.test(name)) return 'ppo_full_finetune_single_device';
  if (/lora/.test(name)) return `lora_finetune_${where}`;
  return `full_finetune_${where}`;
}

/** A program beside the selected interpreter (its virtual environment's bin/) when it is there, else from PATH. */
function program(req: LaunchRequest, name: string, exists: (path: string) => boolean): string {
  if (req.python && isAbsolute(req.python)) {
    const beside = join(dirname(req.python), name);
    if (exists(beside)) return beside;
  }
  return name;
}

function positive(n: number | undefined, what: string): number {
  if (n === undefined) return 1;
  if (!Number.isInteger(n) || n < 1) throw new LaunchError(`${what} must be a whole number ≥ 1, not ${n}`);
  return n;
}

interface Inner {
  /** For the local launcher: the full command. */
  local: string[];
  /** What the generic launchers run: a module (-m) or a script, with its arguments. */
  target?: { module: string; args: string[] } | { script: string; args: string[] };
  /** Launchers the tool does its own way (env or flags); returns argv or throws. */
  own?: Partial<Record<'torchrun' | 'accelerate' | 'deepspeed', (gpus: number, nodes: number) => { argv: string[]; env?: Record<string, string> }>>;
  /** Launchers it cannot use, with why. */
  refuse?: Partial<Record<'torchrun' | 'accelerate' | 'deepspeed', string>>;
}

function innerCommand(req: LaunchRequest, exists: (path: string) => boolean): Inner {
  const cfg = req.file;
  const extra = req.args ?? [];
  const python = req.python ?? 'python3';
  const needScript = (what: string) => {
    if (!req.script) throw new LaunchError(`${what}: name the training script that reads this config (the task's "script", or ftw launch --script).`);
    return req.script;
  };
  switch (req.format) {
    case 'axolotl':
      return {
        local: [program(req, 'axolotl', exists), 'train', cfg, ...extra],
        own: {
          torchrun: (g, n) => ({
            argv: [program(req, 'axolotl', exists), 'train', cfg, ...extra, '--launcher', 'torchrun', '--', `--nproc_per_node=${g}`, `--nnodes=${n}`],
          }),
          accelerate: (g, n) => ({
            argv: [
              program(req, 'axolotl', exists),
              'train',
              cfg,
              ...extra,
              '--launcher',
              'accelerate',
              '--',
              `--num_processes=${g * n}`,
              `--num_machines=${n}`,
              ...(req.accelerateConfig ? [`--config_file=${req.accelerateConfig}`] : []),
            ],
          }),
        },
        target: { module: 'axolotl.cli.train', args: [cfg, ...extra] },
      };
    case 'llamafactory':
      return {
        local: [program(req, 'llamafactory-cli', exists), 'train', cfg, ...extra],
        // llamafactory-cli re-launches itself through torchrun when FORCE_TORCHRUN is set (config-formats §4.4).
        own: {
          torchrun: (g, n) => ({
            argv: [program(req, 'llamafactory-cli', exists), 'train', cfg, ...extra],
            env: { FORCE_TORCHRUN: '1', NPROC_PER_NODE: String(g), NNODES: String(n) },
          }),
        },
        target: { module: 'llamafactory.launcher', args: [cfg, ...extra] },
      };
    case 'trl': {
      const cmd = trlCommand(cfg, req.value);
      return {
        local: [program(req, 'trl', exists), cmd, '--config', cfg, ...extra],
        // The trl CLI wraps `accelerate launch` and takes its flags (config-formats §5.4).
        own: {
          accelerate: (g, n) => ({
            argv: [
              program(req, 'trl', exists),
              cmd,
              '--config',
              cfg,
              ...extra,
              '--num_processes',
              String(g * n),
              ...(n > 1 ? ['--num_machines', String(n)] : []),
              ...(req.accelerateConfig ? ['--accelerate_config', req.accelerateConfig] : []),
            ],
          }),
        },
        target: { module: `trl.scripts.${cmd}`, args: ['--config', cfg, ...extra] },
      };
    }
    case 'torchtune': {
      const tune = program(req, 'tune', exists);
      return {
        local: [tune, 'run', req.recipe ?? torchtuneRecipe(cfg, false), '--config', cfg, ...extra],
        // `tune run` takes torchrun's flags before the recipe (config-formats §6.4).
        own: {
          torchrun: (g, n) => ({
            argv: [
              tune,
              'run',
              `--nproc_per_node=${g}`,
              ...(n > 1 ? [`--nnodes=${n}`] : []),
              req.recipe ?? torchtuneRecipe(cfg, true),
              '--config',
              cfg,
              ...extra,
            ],
          }),
        },
        refuse: {
          accelerate: 'torchtune launches through torchrun (`tune run --nproc_per_node N`); use the torchrun launcher',
          deepspeed: 'torchtune shards with FSDP, not DeepSpeed; use the torchrun launcher',
        },
      };
    }
    case 'lightning-cli': {
      const script = needScript('A LightningCLI config');
      return {
        local: [python, script, 'fit', '--config', cfg, ...extra],
        target: { script, args: ['fit', '--config', cfg, ...extra] },
        refuse: {
          accelerate: 'Lightning starts its own processes from trainer.devices and trainer.strategy; use local or torchrun',
          deepspeed: 'set trainer.strategy: deepspeed_stage_2 (or 3) in the config and use the local launcher',
        },
      };
    }
    case 'hf-args': {
      const script = needScript('A TrainingArguments file');
      return { local: [python, script, cfg, ...extra], target: { script, args: [cfg, ...extra] } };
    }
    case 'python':
      return { local: [python, cfg, ...extra], target: { script: cfg, args: extra } };
    default:
      throw new LaunchError(`${FORMATS[req.format].label} files are not launched on their own: launch the training config that uses this one.`);
  }
}

/** argv with the rendezvous words spliced in at `at`; `expand` says where they are (they expand on the node). */
function withRendezvous(argv: string[], at: number, rdzv: string[] | undefined): { argv: string[]; env: Record<string, string>; expand: number[] } {
  if (!rdzv) return { argv, env: {}, expand: [] };
  return { argv: [...argv.slice(0, at), ...rdzv, ...argv.slice(at)], env: {}, expand: rdzv.map((_, i) => at + i) };
}

/** The command for a launcher on this machine (not Slurm/SkyPilot, which wrap this). */
function processArgv(
  req: LaunchRequest,
  launcher: 'local' | 'torchrun' | 'accelerate' | 'deepspeed',
  gpus: number,
  nodes: number,
  exists: (path: string) => boolean,
  rdzv?: string[],
): { argv: string[]; env: Record<string, string>; expand: number[] } {
  const inner = innerCommand(req, exists);
  if (launcher === 'local') return { argv: inner.local, env: {}, expand: [] };
  const refused = inner.refuse?.[launcher];
  if (refused) throw new LaunchError(refused);
  const own = inner.own?.[launcher];
  // On a cluster (rdzv) each node runs torchrun itself; only `tune run` takes torchrun's flags directly.
  if (own && (!rdzv || req.format === 'torchtune')) {
    const r = own(gpus, nodes);
    return { ...withRendezvous(r.argv, 2, launcher === 'torchrun' && req.format === 'torchtune' ? rdzv : undefined), env: r.env ?? {} };
  }
  const target = inner.target;
  if (!target) throw new LaunchError(`the ${launcher} launcher cannot run this format`);
  const run = 'module' in target ? ['-m', target.module, ...target.args] : [target.script, ...target.args];
  if (launcher === 'torchrun') {
    const head = [program(req, 'torchrun', exists), `--nproc-per-node=${gpus}`, ...(nodes > 1 || rdzv ? [`--nnodes=${nodes}`] : [])];
    return withRendezvous([...head, ...run], head.length, rdzv);
  }
  if (launcher === 'accelerate') {
    return {
      argv: [
        program(req, 'accelerate', exists),
        'launch',
        ...(req.accelerateConfig ? ['--config_file', req.accelerateConfig] : []),
        '--num_processes',
        String(gpus * nodes),
        ...(nodes > 1 ? ['--num_machines', String(nodes)] : []),
        ...run,
      ],
      env: {},
      expand: [],
    };
  }
  return {
    argv: [
      program(req, 'deepspeed', exists),
      '--num_gpus',
      String(gpus),
      ...(nodes > 1 ? ['--num_nodes', String(nodes)] : []),
      ...('module' in target ? ['--module', target.module, ...target.args] : run),
    ],
    env: {},
    expand: [],
  };
}

function describe(req: LaunchRequest, argv: string[], gpus: number, nodes: number): string {
  const upTo = argv.indexOf(req.file);
  const words = (upTo >= 0 ? argv.slice(0, upTo + 1) : argv.slice(0, 3)).map((a, i) => (i === 0 || a === req.file ? basename(a) : a));
  const scale = nodes > 1 ? `${nodes} nodes × ${gpus} GPUs` : `${gpus} GPU${gpus === 1 ? '' : 's'}`;
  return `${words.join(' ')} · ${req.launcher} · ${scale}`;
}

function directive(name: string, value: string | undefined): string[] {
  return value ? [`#SBATCH --${name}=${value}`] : [];
}

/**
 * The sbatch script: one task per node, each running the torchrun (or plain) command; output to logDir. Words go
 * through shellQuote and comments through commentText (quote.ts); `expand` are the indexes of our rendezvous words.
 */
export function sbatchScript(
  req: LaunchRequest,
  inner: string[],
  env: Record<string, string>,
  gpus: number,
  nodes: number,
  logDir: string,
  expand: number[] = [],
): string {
  const s = req.slurm ?? {};
  const name = (s.jobName ?? `ftw-${basename(req.file).replace(/\.[^.]*$/, '')}`).replace(/[^\w.-]/g, '_');
  const lines = [
    '#!/bin/bash',
    `# Written by Fine-Tune Workbench for ${commentText(basename(req.file))}: ${nodes} node(s) × ${gpus} GPU(s).`,
    `#SBATCH --job-name=${name}`,
    `#SBATCH --nodes=${nodes}`,
    '#SBATCH --ntasks-per-node=1',
    ...(s.gpuFlag === 'none' ? [] : s.gpuFlag === 'gres' ? [`#SBATCH --gres=gpu:${gpus}`] : [`#SBATCH --gpus-per-node=${gpus}`]),
    ...(s.cpusPerTask ? [`#SBATCH --cpus-per-task=${s.cpusPerTask}`] : []),
    // Settings are reduced to the characters their values can hold; what is left empty is not written.
    ...directive('partition', s.partition?.replace(/[^\w,.-]/g, '')),
    ...directive('time', s.time?.replace(/[^\d:-]/g, '')),
    ...directive('account', s.account?.replace(/[^\w.-]/g, '')),
    `# Output: ${commentText(join(logDir, '%x-%j.out'))} (given to sbatch on its command line: a path may hold spaces).`,
    ...(s.extra ?? []).filter((x) => /^--[\w-]+(=[\w:,.\/@+-]*)?$/.test(x)).map((x) => `#SBATCH ${x}`),
    '',
    'set -euo pipefail',
    `cd ${shellQuote(req.cwd)}`,
    ...Object.entries(env).map(([k, v]) => `export ${shellVarName(k)}=${shellQuote(v)}`),
    '# The first node of the allocation hosts the rendezvous.',
    'export MASTER_ADDR="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)"',
    'export MASTER_PORT="${MASTER_PORT:-29500}"',
    `srun --nodes=${nodes} --ntasks-per-node=1 ${shellJoin(inner, expand)}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * The SkyPilot task YAML: resources, nodes, the workspace as workdir, and the run command. Values go through
 * yamlQuote/yamlKey/yamlBlock, the words of the run script through shellQuote (quote.ts).
 */
export function skypilotTask(req: LaunchRequest, inner: string[], env: Record<string, string>, gpus: number, nodes: number, expand: number[] = []): string {
  const o = req.skypilot ?? {};
  const rel = (p: string) => (isAbsolute(p) && p.startsWith(`${req.cwd}/`) ? relative(req.cwd, p) : p);
  const run = [
    'set -e',
    ...(nodes > 1 ? ['export MASTER_ADDR=$(echo "$SKYPILOT_NODE_IPS" | head -n1)', 'export MASTER_PORT=29500'] : []),
    shellJoin(inner.map(rel), expand),
  ].join('\n');
  const out = [
    `# Written by Fine-Tune Workbench for ${commentText(basename(req.file))}. Launch: sky launch -c <cluster> this-file.yaml`,
    `name: ${yamlQuote(`ftw-${basename(req.file).replace(/\.[^.]*$/, '')}`)}`,
    'resources:',
    `  accelerators: ${yamlQuote(`${o.accelerator ?? 'A100'}:${gpus}`)}`,
    ...(o.cloud ? [`  cloud: ${yamlQuote(o.cloud)}`] : []),
    `num_nodes: ${nodes}`,
    `workdir: ${yamlQuote(req.cwd)}`,
    ...(Object.keys(env).length ? ['envs:', ...Object.entries(env).map(([k, v]) => `  ${yamlKey(shellVarName(k))}: ${yamlQuote(v)}`)] : []),
    ...(o.setup ? [`setup: ${yamlBlock(o.setup.endsWith('\n') ? o.setup : `${o.setup}\n`, '  ')}`] : []),
    `run: ${yamlBlock(`${run}\n`, '  ')}`,
    '',
  ];
  return out.join('\n');
}

/**
 * Plans a launch: argv, environment, the files to write first. `exists` says whether a path exists (to find
 * programs beside the interpreter). Throws LaunchError with a sentence for the user.
 */
export function planLaunch(req: LaunchRequest, exists: (path: string) => boolean = () => false): LaunchPlan {
  const gpus = positive(req.gpus, 'the GPU count');
  const nodes = positive(req.nodes, 'the node count');
  const env = { ...(req.env ?? {}) };
  if (req.launcher === 'slurm' || req.launcher === 'skypilot') {
    // On the cluster, one torchrun per node meets at a rendezvous on the first node (plain command for 1 GPU).
    const distributed = gpus * nodes > 1;
    const rdzv =
      req.launcher === 'slurm'
        ? ['--rdzv-backend=c10d', '--rdzv-endpoint=$MASTER_ADDR:$MASTER_PORT', '--rdzv-id=$SLURM_JOB_ID']
        : ['--rdzv-backend=c10d', '--rdzv-endpoint=$MASTER_ADDR:$MASTER_PORT', '--node-rank=$SKYPILOT_NODE_RANK'];
    const inner = processArgv(req, distributed ? 'torchrun' : 'local', gpus, nodes, () => false, distributed ? rdzv : undefined);
    Object.assign(env, inner.env);
    // Described by what it trains, not by the rendezvous flags around it.
    const what = describe(req, processArgv(req, 'local', gpus, 1, () => false).argv, gpus, nodes);
    if (req.launcher === 'slurm') {
      const logDir = req.slurm?.logDir ?? join(req.cwd, '.ftw', 'slurm');
      const name = (req.slurm?.jobName ?? `ftw-${basename(req.file).replace(/\.[^.]*$/, '')}`).replace(/[^\w.-]/g, '_');
      const scriptPath = join(logDir, `${name}.sbatch`);
      const content = sbatchScript(req, inner.argv, env, gpus, nodes, logDir, inner.expand);
      return {
        argv: ['sbatch', '--parsable', `--output=${join(logDir, '%x-%j.out')}`, scriptPath],
        env: {},
        cwd: req.cwd,
        files: [{ path: scriptPath, content }],
        program: 'sbatch',
        install: installHint('sbatch'),
        description: what,
        kind: 'slurm',
        logPattern: join(logDir, `${name}-%j.out`),
      };
    }
    const taskPath = join(req.cwd, '.ftw', 'sky', `${basename(req.file).replace(/\.[^.]*$/, '')}.sky.yaml`);
    const cluster = (req.skypilot?.cluster ?? `ftw-${basename(req.file).replace(/\.[^.]*$/, '')}`).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const content = skypilotTask(req, inner.argv, env, gpus, nodes, inner.expand);
    return {
      argv: ['sky', 'launch', '--yes', '-c', cluster, taskPath],
      env: {},
      cwd: req.cwd,
      files: [{ path: taskPath, content }],
      program: 'sky',
      install: installHint('sky'),
      description: what,
      kind: 'skypilot',
    };
  }
  if (nodes > 1)
    throw new LaunchError(`${nodes} nodes need a cluster launcher (slurm or skypilot): the ${req.launcher} launcher starts processes on this machine only`);
  const { argv, env: own } = processArgv(req, req.launcher, gpus, nodes, exists);
  return {
    argv,
    env: { ...env, ...own },
    cwd: req.cwd,
    files: [],
    program: argv[0],
    install: installHint(argv[0]),
    description: describe(req, argv, gpus, nodes),
    kind: 'process',
  };
}
