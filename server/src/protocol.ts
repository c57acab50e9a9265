/**
 * The contract between the VS Code client and the language server, defined once (as vscode-eslint does).
 * Plain names and types only: both sides import this file, so it must not pull in either side's runtime.
 */

/** The `finetune` settings section, as package.json's `contributes.configuration` declares it. */
export interface FinetuneSettings {
  validation: {
    enable: boolean;
    /** Debounce after a change, in milliseconds. */
    delay: number;
    maxFileSizeKB: number;
    /** FT001/FT002/FT006 of YAML files: "leaveToRedHatYaml" leaves out those yaml-language-server reports too
     *  (the VS Code client turns the setting's "auto" into one of these two). */
    yamlSyntax: 'show' | 'leaveToRedHatYaml';
  };
  /** glob -> format id. */
  formatAssociations: Record<string, string>;
  /** GPUs the user trains on ("RTX 3060 12GB", or a GPU of their own with its memory), for hardware rules and
   *  VRAM hints. Empty: the GPUs nvidia-smi reports on this machine. */
  gpus: GpuSetting[];
  /** Models the catalog does not know, with their dimensions (as config.json has them). */
  models: ModelSetting[];
  vram: {
    /** The "≈ 21.3 GiB · RTX 3090 ✓" lens at the top of configs. */
    codeLens: boolean;
    /** The total after the micro batch and sequence length values. */
    inlayHints: boolean;
  };
  /** Diagnostic code -> off | error | warning | information | hint. */
  rules: Record<string, string>;
  /** pip package -> release the project uses, overriding its pins. */
  versions: Record<string, string>;
}

export type GpuSetting = string | { name: string; memoryMiB: number; computeCapability?: number };

export interface ModelSetting {
  id: string;
  parameters?: number;
  hiddenSize: number;
  layers: number;
  attentionHeads: number;
  kvHeads?: number;
  headDim?: number;
  intermediateSize: number;
  vocabSize: number;
  tiedEmbeddings?: boolean;
  mlp?: 'gated' | 'plain';
}

export const DEFAULT_FINETUNE_SETTINGS: FinetuneSettings = {
  validation: { enable: true, delay: 200, maxFileSizeKB: 1024, yamlSyntax: 'show' },
  formatAssociations: {},
  gpus: [],
  models: [],
  vram: { codeLens: true, inlayHints: true },
  rules: {},
  versions: {},
};

export interface InitializationOptions {
  /** uri -> format chosen by the user in the status bar switcher (remembered per file by the client). */
  formatOverrides?: Record<string, string>;
  /** Ask nvidia-smi for this machine's GPUs (default true; VS Code's client sends false in Restricted Mode). */
  probeGpus?: boolean;
  /** Client commands the client has (VS Code's client: `finetune.showVramBreakdown`): the VRAM lens then carries
   *  codicons, which other editors would print as text. */
  clientCommands?: string[];
  /** The client answers `finetune/readFiles` (the web client: the worker has no disk and asks it for the files a
   *  config names). Only the web worker's server asks; the desktop server reads the disk. */
  readFiles?: boolean;
}

/**
 * Server -> client request of the web worker (server/src/web/clientFiles.ts): the files an analysis wanted and the
 * worker did not have, read by the client (client/src/web/readFiles.ts, `vscode.workspace.fs`). One answer per item,
 * in order.
 */
export const READ_FILES = 'finetune/readFiles';
export interface ReadFilesParams {
  /** A file to read (`list` false) or a folder to list (`list` true), by URI. */
  items: Array<{ uri: string; list: boolean }>;
  /** Larger files are not sent, only their size (the desktop reader's cap: 1 MiB). */
  maxBytes: number;
}
/**
 * A file's bytes (base64), the size of a file over `maxBytes`, a path that exists but is not a file (neither file nor
 * folder, e.g. a FIFO), a folder's entries as `vscode.workspace.fs.readDirectory` gives them (name and
 * `vscode.FileType` bits: 1 file, 2 folder, 64 symbolic link, 0 unknown), or null: missing, a folder where a file
 * was asked (or the other way round), or unreadable.
 */
export type ReadFileAnswer = { base64: string } | { size: number } | { notAFile: true } | { entries: Array<[string, number]> } | null;

/** Client -> server notification: the user chose a format for a file (null = detect automatically). */
export const SET_FORMAT_OVERRIDE = 'finetune/setFormatOverride';
export interface SetFormatOverrideParams {
  uri: string;
  format: string | null;
}

/** Server -> client notification after each analysis: what the file was detected as, for the status bar. */
export const DOCUMENT_FORMAT = 'finetune/documentFormat';
export interface DocumentFormatParams {
  uri: string;
  format: string;
  label: string;
  /** Why: "It has a top-level `base_model` with Axolotl keys." */
  reason: string;
  /** How it was decided: override, modeline, setting, link, content, path, none. */
  source: string;
  /** Whether a schema validates this format in this version. */
  validated: boolean;
  /** The tool release the checks assume ("0.19.1") and where it comes from ("requirements.txt", "setting", "newest"). */
  toolVersion?: string;
  versionSource?: string;
  errors: number;
  warnings: number;
}

/** Client -> server request: the format list for the switcher. */
export const LIST_FORMATS = 'finetune/listFormats';
export interface FormatChoice {
  id: string;
  label: string;
  validated: boolean;
}

/** Client -> server request: every safe Lightning 1.x -> 2.x fix in the workspace's Python files, as one edit. */
export const MIGRATE_WORKSPACE = 'finetune/migrateWorkspace';
export interface MigrateWorkspaceResult {
  /** A WorkspaceEdit whose changes carry a needsConfirmation annotation, so the editor previews them. */
  edit: unknown;
  files: number;
  fixes: number;
  /** Problems that need a decision (no safe fix), by file. */
  remaining: number;
  /** Stopped by the user before every file was read: the edit covers the files read so far. */
  cancelled?: boolean;
}

/** The request's parameters: a client-created work-done token, to follow its progress ($/progress). */
export interface MigrateWorkspaceParams {
  workDoneToken?: string | number;
}

/** Client -> server request: the VRAM breakdown of a config, as Markdown (the lens command shows it). */
export const VRAM_BREAKDOWN = 'finetune/vramBreakdown';
export interface VramBreakdownParams {
  uri: string;
}
export interface VramBreakdownResult {
  markdown: string;
}

/** Formats a job can be launched from (a .py file launches as "python"). */
export const LAUNCHABLE_FORMATS = ['axolotl', 'llamafactory', 'trl', 'torchtune', 'lightning-cli', 'hf-args', 'python'] as const;
/** Formats whose config is read by the user's own script: the launch needs it (task definition's `script`). */
export const SCRIPT_FORMATS = ['lightning-cli', 'hf-args'] as const;

/** The client command that launches a config (its title-bar button passes the file's URI). */
export const LAUNCH_COMMAND = 'finetune.launch';

/** Client -> server request: what a file is, whether it can be launched, and what pre-flight needs to know. */
export const LAUNCH_INFO = 'finetune/launchInfo';
export interface LaunchInfoParams {
  uri: string;
}
export interface LaunchInfoResult {
  uri: string;
  /** A format id, "python" for a .py file. */
  format: string;
  label: string;
  launchable: boolean;
  /** Why it cannot be launched. */
  reason?: string;
  /** The config's own problems now (open editor text, else the file on disk). */
  problems: { errors: number; warnings: number; firstError?: string };
  /** The VRAM estimate (peak + CUDA context) and whether it fits the GPUs the user trains on (undefined: unknown). */
  vram?: { estimateGiB: number; fits?: boolean; message?: string };
  /** The loaded config (the TRL subcommand and torchtune recipe depend on it; output_dir for the loss chart). */
  value?: Record<string, unknown>;
}

/** Client -> server request: the workspace's launchable configs (YAML/JSON of a training format). */
export const LIST_CONFIGS = 'finetune/listConfigs';
export interface ConfigEntry {
  uri: string;
  format: string;
  label: string;
  /** Workspace-relative path, for the quick pick. */
  relativePath: string;
}

/** Client -> server notification: how the last run of a config ended (a CUDA OOM becomes FT403), or a new run began. */
export const JOB_OUTCOME = 'finetune/jobOutcome';
export interface JobOutcomeParams {
  uri: string;
  oom?: { message: string; triedGiB?: number; totalGiB?: number };
  /** A new run started: forget the last one. */
  clear?: boolean;
}

/**
 * Client -> server request: the server's heap (after a garbage collection when the process allows one,
 * `--expose-gc`) and how many documents it keeps state for. For "memory after closing documents" checks (as
 * rust-analyzer's memoryUsage); a closed document must leave nothing behind.
 */
export const MEMORY_USAGE = 'finetune/memoryUsage';
export interface MemoryUsageResult {
  heapUsedBytes: number;
  rssBytes: number;
  /** Whether a full garbage collection ran first. */
  collected: boolean;
  /** Documents with state kept: analyses, incremental YAML parses, Python trees, timers, job outcomes, settings. */
  kept: Record<string, number>;
}

/*
 * The wizard's engine, ensembles and launch plans over the protocol (issue 17): VS Code's client asks these, and every
 * one is also a `workspace/executeCommand` command (EXECUTE_COMMANDS), so Neovim and other LSP clients get the same
 * answers. Bad parameters are answered with an InvalidParams error whose message names the field.
 */

/** The tools a config can be generated for (core/generate's GEN_FORMATS; a unit test keeps the two equal). */
export const GENERATED_FORMATS = ['axolotl', 'llamafactory', 'trl', 'torchtune', 'hf-args', 'script'] as const;
/** Launchers (core/jobs/types's LAUNCHERS; a unit test keeps the two equal). */
export const LAUNCHERS = ['local', 'torchrun', 'accelerate', 'deepspeed', 'slurm', 'skypilot'] as const;
export type LauncherId = (typeof LAUNCHERS)[number];

/** Client -> server request: what "New Training Config" offers (approaches, methods, formats, models, GPUs). */
export const NEW_CONFIG_CHOICES = 'finetune/newConfigChoices';
export interface NewConfigChoicesParams {
  /** The settings scope (finetune.gpus, finetune.models): a file or folder URI; default the first workspace folder. */
  uri?: string;
}
export interface FormatSupport {
  supported: boolean;
  /** One line: what the format does with this method. */
  summary: string;
  /** How it is expressed (supported) or why it cannot be (not supported). */
  why: string;
}
export interface ModelChoice {
  id: string;
  /** Absent for a model of the local cache (its config.json is read when it is chosen). */
  parameters?: number;
  /** setting: finetune.models; cache: the local Hugging Face cache; catalog: the built-in catalog. */
  source: 'setting' | 'cache' | 'catalog';
  aliases?: string[];
  /** An encoder (BERT): offered first for a classifier. */
  encoder?: boolean;
}
export interface GpuChoice {
  /** The GPU's full name ("NVIDIA GeForce RTX 3090"); send `gpu` back in NewConfigParams. */
  name: string;
  shortName: string;
  /** "23.6 GiB" as the estimator counts it (nvidia-smi's total less the driver's share). */
  usable: string;
  computeCapability: number;
  /** From the setting finetune.gpus (listed first). */
  fromSetting: boolean;
  gpu: GpuSetting;
}
export interface NewConfigChoices {
  approaches: Array<{ id: string; label: string }>;
  methods: Array<{ id: string; label: string }>;
  formats: Array<{ id: string; label: string }>;
  /** approach -> method -> format -> what the format can do. */
  support: Record<string, Record<string, Record<string, FormatSupport>>>;
  models: ModelChoice[];
  gpus: GpuChoice[];
}

/** Client -> server request: a new config (the engine of "New Training Config" and `ftw new`). Writes nothing. */
export const NEW_CONFIG = 'finetune/newConfig';
export interface NewConfigParams {
  approach: string;
  method: string;
  /** A model id: the catalog, finetune.models or the local Hugging Face cache. */
  model: string;
  /** A GPU name as people write it ("RTX 3090", "A100 80GB") or a GPU of one's own ({name, memoryMiB}). */
  gpu: GpuSetting;
  format: string;
  /** Distillation: the teacher's model id (default: one picked for the student). */
  teacher?: string;
  /** Where the file will be saved (a path): the run name and the file's own references follow it. */
  saveAs?: string;
  /** The workspace folder (a path) that references are relative to. */
  workspaceFolder?: string;
  /** The settings scope (finetune.models): a file or folder URI. */
  uri?: string;
}
/** What the wizard can do about a failure: another method, another model, another GPU. */
export type NewConfigRemedy =
  | { kind: 'method'; method: string }
  | { kind: 'model'; model: string }
  | { kind: 'gpu'; name: string; shortName: string; gpu: GpuSetting };
export type NewConfigAnswer =
  | {
      ok: true;
      /** The YAML (or JSON) config. */
      text: string;
      /** format "script": the Python training script; `text` is its YAML, saved at `configPath`. */
      script?: string;
      suggestedFileName: string;
      /** Where the config goes when `saveAs` was given (beside the script for format "script"). */
      configPath?: string;
      /** "≈ 5.3 GiB (4.9–6.0 GiB) of 23.6 GiB on the RTX 3090". */
      summary: string;
    }
  | {
      ok: false;
      /** does-not-fit, unknown-model, unsupported, ... */
      kind: string;
      message: string;
      suggestions: string[];
      remedies: NewConfigRemedy[];
    };

/** Client -> server request: one variant of a config per sequence-length bucket, and the tasks that train them. */
export const ENSEMBLE = 'finetune/ensemble';
export interface EnsembleParams {
  uri: string;
  /** Sequence lengths in tokens, each at least 16, all different. */
  buckets: number[];
  /** The config's text as the editor has it (default: the open document, else the file). */
  text?: string;
  /** Folder (a path) the variants go to (default: beside the config). */
  outDir?: string;
  /** Folder (a path) the tasks' paths are relative to (default: the parent of outDir). */
  workspace?: string;
}
export interface EnsembleVariantInfo {
  name: string;
  sequenceLength: number;
  /** Where to write it (a path) and what. */
  path: string;
  text: string;
  /** "≈ 9.1 GiB (8.5–9.9 GiB) ✓", "≈ 30 GiB … ✗ does not fit" or "no estimate". */
  vram: string;
}
/** A config the ensemble writer cannot split (a format it does not write, a config without a model, ...) is
 *  answered with `{ ok: false, message }`; malformed parameters with an InvalidParams error. */
export type EnsembleAnswer = EnsembleResult | { ok: false; message: string };
export interface EnsembleResult {
  ok: true;
  format: string;
  variants: EnsembleVariantInfo[];
  /** A tasks.json fragment: one `finetune` task per bucket and a compound task that runs them in sequence. */
  tasks: { version: '2.0.0'; tasks: Array<{ label: string; [key: string]: unknown }> };
  /** The GPU the variants were judged against ("RTX 3090 (23.6 GiB)"). */
  gpu?: string;
}

/** Client -> server request: the command line of a job (argv, env, files), built per format and launcher. Runs nothing. */
export const LAUNCH_PLAN = 'finetune/launchPlan';
export type { LaunchRequest as LaunchPlanParams, LaunchPlan } from './core/jobs';
/** A plan, or why this launch cannot be made (`{ ok: false, message }`: "2 nodes need a cluster launcher ..."). */
export type LaunchPlanResult = { ok: true; plan: import('./core/jobs/types').LaunchPlan } | { ok: false; message: string };

/** `workspace/executeCommand` names (the server's executeCommandProvider); each takes one argument, the request's params. */
export const EXECUTE_COMMANDS = {
  'ftw.newConfigChoices': NEW_CONFIG_CHOICES,
  'ftw.newConfig': NEW_CONFIG,
  'ftw.ensemble': ENSEMBLE,
  'ftw.vramBreakdown': VRAM_BREAKDOWN,
  'ftw.launchInfo': LAUNCH_INFO,
  'ftw.launchPlan': LAUNCH_PLAN,
  'ftw.listConfigs': LIST_CONFIGS,
} as const;
