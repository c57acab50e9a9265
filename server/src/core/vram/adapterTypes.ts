import type { ValuePath } from '../common/valuePath';
import type { FormatId } from '../common/formats';
import type { FileAccess } from '../common/host';
import type { TrainingSetupInput } from './setup';

/** What an adapter needs: the loaded config and a way to read the files it names (DeepSpeed JSON, Accelerate YAML). */
export interface AdapterContext {
  format: FormatId;
  /** The loaded config (a mapping), as the config service parsed it. */
  value: Record<string, unknown>;
  /** Absolute path of the config, for resolving the files it names. */
  path: string;
  /** Workspace folders (absolute paths). */
  roots: string[];
  files?: FileAccess;
  /** GPU count from the launcher when known (e.g. a task's `gpus`), overriding what the config implies. */
  launcherGpus?: number;
}

/** Setup fields an adapter can trace back to a key in the config. */
export type SetupField =
  | 'model'
  | 'method'
  | 'trainableLayers'
  | 'lora.rank'
  | 'lora.targets'
  | 'lora.trainEmbeddings'
  | 'adapter'
  | 'prefix'
  | 'teacher'
  | 'quantization'
  | 'doubleQuant'
  | 'precision'
  | 'optimizer'
  | 'microBatchSize'
  | 'evalMicroBatchSize'
  | 'sequenceLength'
  | 'gradientCheckpointing'
  | 'checkpointing'
  | 'packed'
  | 'loss'
  | 'attention'
  | 'gpus'
  | 'sharding'
  | 'offload'
  | 'gradientAccumulation';

export interface AdaptedSetup {
  setup: TrainingSetupInput;
  /** Where each field came from: the key's path in this config (for hover, inlay hints and quick fixes). */
  sources: Partial<Record<SetupField, ValuePath>>;
  /** Gradient accumulation steps, when the config sets them (the "half batch, double accumulation" fix). */
  gradientAccumulation?: { value: number; path: ValuePath };
  /** The DeepSpeed JSON the config references, when it has one: the absolute path found and the key naming it. */
  deepspeedFile?: { path: string; keyPath: ValuePath };
  /** Assumptions the adapter made, in plain words ("precision: bf16 weights, as Axolotl loads them with bf16: true"). */
  notes: string[];
}

/** Why a config has no estimate (no model named, or a format without training settings). */
export interface NoSetup {
  reason: string;
}
