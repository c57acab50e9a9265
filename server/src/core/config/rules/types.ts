import type { Document } from 'yaml';
import type { EditSpec, Finding } from '../../common/findings';
import type { FileAccess } from '../../common/host';
import type { FormatId } from '../../common/formats';
import type { GpuInfo } from '../../gpus';
import type { JsonSchema } from '../schema';
import type { ToolVersion } from '../../common/versions';
import type { PythonParser } from '../../common/python';

export type { EditSpec, FileAccess, Finding };

export interface RuleContext {
  format: FormatId;
  /** The loaded config (a mapping). */
  value: Record<string, unknown>;
  doc: Document;
  /** The file's text (comments included: torchtune configs name their recipe in a `tune run` comment). */
  text?: string;
  /** Absolute path of the config, for resolving the files it names. */
  path: string;
  /** Workspace folders (absolute paths): tools resolve relative paths from where they are launched. */
  roots: string[];
  /** The GPUs the user trains on (setting `finetune.gpus`, or `ftw check --gpu`). */
  gpus: GpuInfo[];
  files?: FileAccess;
  /** The format's schema (rules read tables it carries, e.g. torchtune's components). */
  schema: JsonSchema | null;
  /** The tokenizer_config.json of a model in the local Hugging Face cache, when there is one (never the network). */
  tokenizerConfig?: (modelId: string) => Record<string, unknown> | undefined;
  /** The release of the format's tool the project uses (setting, pins, or the schema's newest). */
  version?: ToolVersion;
  /** Parses Python: LightningCLI's `class_path` naming a class of the workspace is checked against its `__init__`. */
  python?: PythonParser;
}

export interface Rule {
  /** The codes this rule emits (for docs and settings). */
  codes: string[];
  formats: FormatId[];
  check(ctx: RuleContext): Finding[];
}
