import type { Fix } from './diagnostics';
import type { ValuePath } from './valuePath';

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
