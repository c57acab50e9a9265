import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS } from '../../server/src/core/config';
import {
  createDocumentService as createConfigService,
  type Analysis,
  type DocumentContext,
  type DocumentService as ConfigService,
} from '../../server/src/core/document';
import { loadSchemas } from '../../server/src/schemaFiles';

export const REPO = join(__dirname, '..', '..', '..');
/** The CLI as a user runs it. */
export const FTW = join(REPO, 'bin', 'ftw');

/** A new temporary folder holding `files` (paths relative to it; folders are made as needed). */
export function workspace(files: Record<string, string | Buffer>, prefix = 'ftw-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

let shared: ConfigService | undefined;
export function service(): ConfigService {
  shared ??= createConfigService(loadSchemas(join(REPO, 'schemas')));
  return shared;
}

export function doc(text: string, path = '/work/project/config.yml', languageId?: string): TextDocument {
  const lang = languageId ?? (/\.jsonc?$/.test(path) ? 'json' : 'yaml');
  return TextDocument.create(`file://${path}`, lang, 1, text);
}

export function analyze(text: string, path = '/work/project/config.yml', ctx: Partial<DocumentContext> = {}): Analysis {
  return service().analyze(doc(text, path), { settings: DEFAULT_SETTINGS, ...ctx });
}

/** A small valid Axolotl config to build cases on. */
export const AXOLOTL_BASE = [
  'base_model: NousResearch/Llama-3.2-1B',
  'datasets:',
  '  - path: mhenrichsen/alpaca_2k_test',
  '    type: alpaca',
  'micro_batch_size: 2',
  'gradient_accumulation_steps: 4',
  'learning_rate: 0.0002',
  'output_dir: ./outputs/lora-out',
].join('\n');

/** Diagnostics reduced to what the tests compare: `line:char-line:char code severity message`. */
export function summary(a: Analysis): string[] {
  return a.diagnostics.map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.code} ${['', 'error', 'warning', 'information', 'hint'][d.severity ?? 1]} ${d.message}`,
  );
}
