import type { Document } from 'yaml';
import type { ValuePath } from '../ast';
import type { Fix } from '../diagnostics';
import type { FormatId } from '../formats';
import type { GpuInfo } from '../../gpus/catalog';
import type { JsonSchema } from '../schema';
import type { ToolVersion } from '../versions';
import type { PythonParser } from '../../lightning/python';

/** Reading other files (a config's `deepspeed:` JSON): injected, so the core does no I/O of its own. */
export interface FileAccess {
  /** The text of the file, or undefined when it does not exist or cannot be read. */
  read(path: string): string | undefined;
  /** Why a path that exists was not read: not a file at all (a FIFO, a device, a socket: a tool would block on it
   *  or read it without end), or larger than the reader takes; undefined when it was read or is missing. */
  problem?(path: string): { kind: 'notAFile' | 'tooLarge'; reason: string } | undefined;
  /** The entries of a folder (not following links), or undefined when it cannot be listed. */
  list?(dir: string): Array<{ name: string; dir: boolean }> | undefined;
}

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

/** A rule's finding: placed on a key or value by its path; the service turns it into a diagnostic. */
export interface Finding {
  code: string;
  path: ValuePath;
  /** Underline the key (default) or the value. */
  on?: 'key' | 'value';
  severity: 'error' | 'warning' | 'information';
  message: string;
  fixes?: Array<Omit<Fix, 'edits'> & { edits: EditSpec[] }>;
}

/** Edits rules ask for, in terms of the config rather than text positions (the service places them). */
export type EditSpec =
  /** Replace the value at the path; a missing top-level key is added at the end of the file. */
  | { kind: 'set'; path: ValuePath; text: string }
  | { kind: 'addKey'; key: string; text: string }
  /** Rename the key at the path, keeping its value. */
  | { kind: 'renameKey'; path: ValuePath; to: string }
  | { kind: 'createFile'; file: string; content: string };

export interface Rule {
  /** The codes this rule emits (for docs and settings). */
  codes: string[];
  formats: FormatId[];
  check(ctx: RuleContext): Finding[];
}
