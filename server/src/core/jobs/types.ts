import type { FormatId } from '../common/formats';

export type Launcher = 'local' | 'torchrun' | 'accelerate' | 'deepspeed' | 'slurm' | 'skypilot';
export const LAUNCHERS: readonly Launcher[] = ['local', 'torchrun', 'accelerate', 'deepspeed', 'slurm', 'skypilot'];

/** What to launch: a config (or a Python script) and how. Everything a task definition or `ftw launch` can say. */
export interface LaunchRequest {
  /** Absolute path of the config or script. */
  file: string;
  /** The file's format; "python" for a training script. */
  format: FormatId | 'python';
  launcher: Launcher;
  /** GPUs per node (processes per node). Default 1. */
  gpus?: number;
  /** Nodes. Default 1. */
  nodes?: number;
  /** The Python interpreter (from the Python extension or the setting); programs are looked up beside it first. */
  python?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Extra arguments for the training program (after the config). */
  args?: string[];
  /** Working directory: the workspace folder (tools resolve the config's relative paths from there). */
  cwd: string;
  /** The loaded config, to pick the TRL command or the torchtune recipe. */
  value?: Record<string, unknown>;
  /** torchtune recipe (default: from the config's file name). */
  recipe?: string;
  /** The LightningCLI or HfArgumentParser script that reads this config. */
  script?: string;
  /** Accelerate config file (`accelerate launch --config_file`). */
  accelerateConfig?: string;
  slurm?: SlurmOptions;
  skypilot?: SkyPilotOptions;
}

export interface SlurmOptions {
  partition?: string;
  /** Wall time, as sbatch takes it ("04:00:00", "1-00:00:00"). */
  time?: string;
  account?: string;
  jobName?: string;
  /** CPUs per task. */
  cpusPerTask?: number;
  /** Where the job's output goes: a folder (default: <cwd>/.ftw/slurm). */
  logDir?: string;
  /** Extra #SBATCH lines, e.g. "--qos=high". */
  extra?: string[];
  /** How the cluster takes a GPU request: `--gpus-per-node=N` (default), `--gres=gpu:N`, or none (CPU partitions). */
  gpuFlag?: 'gpus-per-node' | 'gres' | 'none';
}

export interface SkyPilotOptions {
  /** GPU type for resources.accelerators ("A100", "H100", "L4"); the count is `gpus`. */
  accelerator?: string;
  cluster?: string;
  cloud?: string;
  /** Commands to run once on each node before the job (pip install ...). */
  setup?: string;
}

/** The command to run, as argv (never a shell string), and the files to write first. */
export interface LaunchPlan {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Files to write before running (the sbatch script, the SkyPilot task). */
  files: Array<{ path: string; content: string }>;
  /** The program that must exist (argv[0]), and how to install it when it does not. */
  program: string;
  install: string;
  /** "axolotl train qlora.yml · torchrun · 2 GPUs". */
  description: string;
  kind: 'process' | 'slurm' | 'skypilot';
  /** Slurm: where the job's output file will be (with %j for the job id). */
  logPattern?: string;
}

export class LaunchError extends Error {}
