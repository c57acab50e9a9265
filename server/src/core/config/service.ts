import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionList, Diagnostic, DocumentSymbol, Hover, Position, Range, TextEdit } from 'vscode-languageserver-types';
import { codeActionsFor } from './actions';
import { CODES } from '../common/codes';
import { completeAt } from './complete';
import { capDiagnostics, MAX_DIAGNOSTICS } from './cap';
import { dataMapReason, detectFormat, isLlamaFactoryV1, yamlDataMapReason, type Detection } from './detect';
import { makeDiagnostic, offsetRange } from '../common/diagnostics';
import { FORMATS, type FormatId } from '../common/formats';
import { pathOfUri } from '../common/uris';

export { pathOfUri, uriOfPath } from '../common/uris';
import { hoverAt } from './hover';
import { IncrementalYamlParser } from './incremental';
import { parseConfig, type ParsedConfig, type Syntax } from './parse';
import type { JsonSchema } from './schema';
import { own } from './own';
import { proveSafeFixes } from './safeFixes';
import { ScriptArgsIndex } from './scriptArgs';
import { scriptKeysNote, scriptOnlyKeys } from './scriptKeys';
import { checkStructure } from './structure';
import { documentSymbols } from './symbols';
import { SchemaValidator, validateAgainstSchema } from './validate';
import { findGpu, type GpuInfo } from '../gpus';
import { resolveVersion, type ToolVersion } from '../common/versions';
import { runRules, type FileAccess } from './rules';
import { applyUserSettings, findingToDiagnostic } from './findings';
import type { Finding } from '../common/findings';
import type { PythonParser } from '../common/python';
import { callableTable, checkHydra, trainingView, type TrainingView } from './hydra';

export type RuleSetting = 'off' | 'error' | 'warning' | 'information' | 'hint';

export interface ConfigSettings {
  validation: { enable: boolean; maxFileSizeKB: number };
  /** glob -> format, see `finetune.formatAssociations`. */
  formatAssociations: Record<string, string>;
  /** The GPUs the user trains on, by name ("RTX 3060 12GB"), for hardware rules. */
  gpus?: string[];
  /** Per diagnostic code: turn it off or change its severity (`finetune.rules`). */
  rules?: Record<string, RuleSetting>;
  /** pip package -> release, overriding the project's pins (`finetune.versions`). */
  versions?: Record<string, string>;
}

export const DEFAULT_SETTINGS: ConfigSettings = {
  validation: { enable: true, maxFileSizeKB: 1024 },
  formatAssociations: {},
};

export interface DocumentContext {
  settings: ConfigSettings;
  /** The user's format choice for this file, if any. */
  override?: FormatId | null;
  /** Workspace-relative path, for glob settings. */
  relativePath?: string;
  /** Set when another config references this file (`deepspeed: ds.json`). */
  linkedAs?: FormatId | null;
  /** Reads the files a config names (its DeepSpeed JSON); without it, cross-file rules are skipped. */
  files?: FileAccess;
  /** Workspace folders (file system paths), where tools resolve relative paths from. */
  roots?: string[];
  /** The project's pinned releases (from requirements*.txt, pyproject.toml, ...), by package key. */
  pins?: Map<string, { version: string; file: string }>;
  /** Reads a model's tokenizer_config.json from the local Hugging Face cache (see server/src/hfCache.ts). */
  tokenizerConfig?: (modelId: string) => Record<string, unknown> | undefined;
  /** Parses Python: a Hydra `_target_` or a LightningCLI `class_path` naming a class of the workspace is checked
   *  against its `__init__`. */
  python?: PythonParser;
}

/** What the config's own checks hand an extension (core/document.ts adds the VRAM and OOM findings this way). */
export interface ExtensionInput {
  format: FormatId;
  /** The loaded config (a mapping). */
  value: Record<string, unknown>;
  path: string;
  roots: string[];
  files?: FileAccess;
  /** The GPUs the config's rules judged against. */
  gpus: GpuInfo[];
  /** A Hydra config's TrainingArguments (or TRL config) block seen as a flat file, when it has one. */
  trainingView(): TrainingView | undefined;
}

/**
 * Findings another part of the core adds to a config's analysis, composed outside the config feature so that it
 * imports none of them. `gpus` supplies the GPUs the rules judge against when the settings name none; `analyze` runs
 * after the rules, and its findings join theirs (same placement, settings, order and cap); `extra` is spread into
 * the analysis. Texts checked only to prove a fix safe are analysed without the extension.
 */
export interface AnalysisExtension<C extends DocumentContext, E extends object> {
  gpus(ctx: C): GpuInfo[] | undefined;
  analyze(input: ExtensionInput, ctx: C): { findings: Finding[]; extra?: Partial<E> };
}

/** Everything known about one version of a document; hover, completion and symbols reuse it. */
export interface Analysis {
  uri: string;
  version: number;
  detection: Detection;
  syntax: Syntax;
  parsed: ParsedConfig | null;
  schema: JsonSchema | null;
  /** The release of the format's tool the checks assumed, and where that came from. */
  toolVersion?: ToolVersion;
  diagnostics: Diagnostic[];
}

/** Schemas by name (`axolotl`, `deepspeed`), loaded by the host: the core does no I/O. */
export type SchemaSet = Record<string, JsonSchema>;

export function syntaxOf(path: string, languageId?: string): Syntax {
  if (languageId === 'json' || languageId === 'jsonc') return 'json';
  if (languageId === 'yaml') return 'yaml';
  return /\.(json|jsonc|hjson)$/i.test(path) ? 'json' : 'yaml';
}

/** For text that cannot be loaded safely (too large, too deep, an alias bomb): what its first lines say it is. */
function guessFromHead(head: string): FormatId {
  if (/^base_model\s*:/m.test(head)) return 'axolotl';
  if (/^\s*"?(?:zero_optimization|train_micro_batch_size_per_gpu)"?\s*:/m.test(head)) return 'deepspeed';
  return 'none';
}

/** Fixes are proven safe (safeFixes.ts) in files up to this size; real configs are a few KiB (the corpus's largest: 10.5 KiB). */
const MAX_PROVEN_CHARS = 32 * 1024;

/** Above this size, a JSON file is first read with JSON.parse to tell a map of data from a config. */
const FAST_DATA_CHARS = 64 * 1024;

/** Documents whose parse is kept for incremental re-parsing (the editor's open files). */
const MAX_INCREMENTAL_DOCUMENTS = 32;

/** The safe-fix proofs not yet run, per analysis (ConfigService.analyze). */
const pendingProofs = new WeakMap<Analysis, () => void>();

/**
 * Proves the analysis's preferred fixes safe (safeFixes.ts), once: a fix whose fixed text gains a diagnostic is no
 * longer preferred. Returns the analysis.
 */
export function proveFixes(analysis: Analysis): Analysis {
  const prove = pendingProofs.get(analysis);
  if (prove) {
    pendingProofs.delete(analysis);
    prove();
  }
  return analysis;
}

export class ConfigService<C extends DocumentContext = DocumentContext, E extends object = object> {
  private readonly validator = new SchemaValidator();
  private readonly parsers = new Map<string, IncrementalYamlParser>();

  constructor(
    private readonly schemas: SchemaSet,
    private readonly extension?: AnalysisExtension<C, E>,
  ) {}

  /** Compiles the validators ahead of the first validation: one schema by id, or all of them. */
  warmUp(id?: string): void {
    for (const [key, schema] of Object.entries(this.schemas)) if (id === undefined || id === key) this.validator.validatorFor(schema);
  }

  /** The ids of the bundled schemas (axolotl, deepspeed, ...). */
  schemaIds(): string[] {
    return Object.keys(this.schemas);
  }

  /** Workspace recipe scripts, read when a TRL config has keys TRL does not declare. */
  private readonly scriptArgs = new ScriptArgsIndex();

  /** A Python file of the workspace changed: its recipe scripts are read again at the next check. */
  forgetWorkspacePython(): void {
    this.scriptArgs.invalidate();
  }

  /** Drops what is kept for a closed document. */
  forget(uri: string): void {
    this.parsers.delete(uri);
  }

  /** How many documents have a parse kept (see forget). */
  get keptDocuments(): number {
    return this.parsers.size;
  }

  private parse(uri: string, text: string, syntax: Syntax): ParsedConfig {
    if (syntax !== 'yaml') return parseConfig(text, syntax);
    let parser = this.parsers.get(uri);
    if (parser) this.parsers.delete(uri);
    else parser = new IncrementalYamlParser();
    this.parsers.set(uri, parser); // most recently used last
    if (this.parsers.size > MAX_INCREMENTAL_DOCUMENTS) this.parsers.delete(this.parsers.keys().next().value!);
    return parser.parse(text);
  }

  schemaFor(format: FormatId): JsonSchema | null {
    const name = FORMATS[format].schema;
    return name ? (this.schemas[name] ?? null) : null;
  }

  /** The schema a loaded config is checked against: LLaMA-Factory v1 configs have their own (detect.ts). */
  schemaForConfig(format: FormatId, value: unknown): JsonSchema | null {
    if (format === 'llamafactory' && isLlamaFactoryV1(value)) return this.schemas['llamafactory-v1'] ?? this.schemaFor(format);
    return this.schemaFor(format);
  }

  /** Whether files of this format are checked (a schema, or Hydra's table of callables). */
  validates(format: FormatId): boolean {
    return Boolean(this.schemaFor(format)) || (format === 'hydra' && Boolean(this.schemas['hydra']));
  }

  /**
   * The document's diagnostics. The fixes they carry as preferred are candidates until proveFixes(analysis) has
   * checked them: whoever applies or offers fixes (code actions, fix-all, `ftw fix`, `ftw check`'s "fixable")
   * proves them first, once per analysis, so that typing does not pay for re-checking fixed texts.
   */
  analyze(textDocument: TextDocument, ctx: C): Analysis & Partial<E> {
    const analysis = this.analyzeText(textDocument, ctx, false) as Analysis & Partial<E>;
    // A safe fix must not make the file worse: the fixed text is checked again (without VRAM or the last run).
    // Only for files of a config's size: the check parses from scratch, which on a 3,000-line file costs more
    // than the incremental check of each keystroke (docs/benchmarks.md); larger files keep their fixes unproven.
    if (analysis.parsed && textDocument.getText().length <= MAX_PROVEN_CHARS) {
      pendingProofs.set(analysis, () =>
        proveSafeFixes(
          textDocument,
          analysis.diagnostics,
          (text) => this.analyzeText(TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, text), ctx, true).diagnostics,
        ),
      );
    }
    return analysis;
  }

  private analyzeText(textDocument: TextDocument, ctx: C, proving: boolean): Analysis {
    const path = pathOfUri(textDocument.uri);
    const syntax = syntaxOf(path, textDocument.languageId);
    const text = textDocument.getText();
    const base = { uri: textDocument.uri, version: textDocument.version, syntax };

    if (text.length > ctx.settings.validation.maxFileSizeKB * 1024) return this.tooLarge(textDocument, ctx, path, text, base);

    // A Python file is never loaded as YAML: its imports decide what it is, and the host runs the Lightning checker.
    if (!ctx.override && /\.py$/i.test(path))
      return { ...base, detection: detectFormat({ path, text, value: undefined }), parsed: null, schema: null, diagnostics: [] };

    const data = text.length > FAST_DATA_CHARS ? this.largeData(path, text, syntax, ctx) : null;
    if (data) return { ...base, detection: data, parsed: null, schema: null, diagnostics: [] };

    // A text checked only to prove a fix safe is not the document's next version: the incremental parse stays as it is.
    const parsed = proving
      ? syntax === 'yaml'
        ? new IncrementalYamlParser().parse(text)
        : parseConfig(text, syntax)
      : this.parse(textDocument.uri, text, syntax);
    let detection = detectFormat({
      path,
      text,
      value: parsed.value,
      associations: ctx.settings.formatAssociations,
      relativePath: ctx.relativePath,
      override: ctx.override,
      linkedAs: ctx.linkedAs,
      unloaded: parsed.problems.some((p) => p.severity === 'error'),
      ...(ctx.files ? { files: ctx.files } : {}),
    });
    // Text that does not load (too large, too deep, an alias bomb, a syntax error in every block): what its first
    // lines say it is. A broken config must report its problem, not become "no config".
    const unloadable = parsed.value === undefined && parsed.problems.length > 0;
    if (unloadable && detection.source === 'none') {
      const guess = guessFromHead(text.slice(0, 16384));
      if (guess !== 'none') detection = { format: guess, source: 'content', reason: `Its first lines look like a ${FORMATS[guess].label} config.` };
    }
    const format = FORMATS[detection.format];
    const schema = this.schemaForConfig(detection.format, parsed.value);
    // Hydra files have no schema of their own: completion, hover and checks read the callables table.
    const shownSchema = detection.format === 'hydra' ? (this.schemas['hydra'] ?? null) : schema;
    if (detection.format === 'none' || !ctx.settings.validation.enable) return { ...base, detection, parsed, schema: shownSchema, diagnostics: [] };

    const versionOf = (pkg: string): ToolVersion => {
      const newest =
        pkg === schema?.['x-ftw-package'] ? schema['x-ftw-version'] : Object.values(this.schemas).find((s) => s['x-ftw-package'] === pkg)?.['x-ftw-version'];
      return resolveVersion(pkg, ctx.settings.versions, ctx.pins, newest ?? '0');
    };
    const version = schema?.['x-ftw-package'] ? versionOf(schema['x-ftw-package']) : undefined;
    const diagnostics: Diagnostic[] = parsed.problems.map((p) =>
      makeDiagnostic({ range: offsetRange(textDocument, p.start, p.end), code: p.code, severity: p.severity, message: p.message }),
    );
    const blocked = parsed.problems.some((p) => p.code === CODES.notValidated || p.code === CODES.aliasBomb);
    if (schema && !blocked && parsed.value !== undefined) {
      const tool = schema['x-ftw-tool'] ?? format.tool;
      if (parsed.value === null || !parsed.doc) {
        diagnostics.push(
          makeDiagnostic({
            range: offsetRange(textDocument, 0, 0),
            code: CODES.missingRequired,
            severity: 'error',
            message: `The file is empty: a ${format.label} config needs at least ${(schema.required ?? []).map((k) => `'${k}'`).join(' and ') || 'some keys'}.`,
          }),
        );
      } else {
        // TRL configs are often written for a recipe script of their own (open-r1, alignment-handbook).
        const declared = (k: string) => Boolean(own(schema.properties, k) || own(schema['x-ftw-renamed'], k));
        // A recipe script of the workspace that reads this kind of config: its argument dataclasses' fields are keys.
        const workspaceKeys = detection.format === 'trl' ? this.workspaceScriptKeys(parsed.value, declared, ctx) : undefined;
        const scriptKeys = detection.format === 'trl' ? scriptOnlyKeys((k) => declared(k) || Boolean(workspaceKeys?.has(k))) : undefined;
        diagnostics.push(
          ...validateAgainstSchema(
            this.validator,
            {
              textDocument,
              doc: parsed.doc,
              value: parsed.value,
              schema,
              tool,
              versionOf,
              ...(scriptKeys ? { scriptKeys } : {}),
              ...(workspaceKeys ? { workspaceKeys } : {}),
            },
            MAX_DIAGNOSTICS + 1,
          ),
        );
        const note = scriptKeys ? scriptKeysNote(textDocument, parsed.doc, scriptKeys, tool) : null;
        if (note) diagnostics.push(note);
      }
    }
    // A text checked only to prove a fix safe is analysed without the extension (no VRAM, no last run).
    const extension = proving ? undefined : this.extension;
    let extra: Partial<E> | undefined;
    if (parsed.doc && !blocked) diagnostics.push(...checkStructure(textDocument, parsed.doc, format, schema, parsed.value, version));
    if (detection.format === 'hydra' && parsed.doc && !blocked && isPlainObject(parsed.value)) {
      diagnostics.push(
        ...checkHydra({
          textDocument,
          doc: parsed.doc,
          value: parsed.value,
          table: callableTable(this.schemas['hydra']),
          path,
          roots: ctx.roots ?? [],
          ...(ctx.files ? { files: ctx.files } : {}),
          ...(ctx.python ? { python: ctx.python } : {}),
          versionOf,
        }),
      );
    }
    if (parsed.doc && !blocked && isPlainObject(parsed.value)) {
      let gpus = (ctx.settings.gpus ?? []).map((g) => findGpu(g)).filter((g): g is GpuInfo => Boolean(g));
      if (!gpus.length) gpus = extension?.gpus(ctx) ?? gpus;
      const findings = runRules({
        format: detection.format,
        value: parsed.value,
        doc: parsed.doc,
        text,
        path,
        roots: ctx.roots ?? [],
        gpus,
        files: ctx.files,
        schema,
        tokenizerConfig: ctx.tokenizerConfig,
        ...(version ? { version } : {}),
        ...(ctx.python ? { python: ctx.python } : {}),
      });
      if (extension) {
        const value = parsed.value;
        const added = extension.analyze(
          {
            format: detection.format,
            value,
            path,
            roots: ctx.roots ?? [],
            ...(ctx.files ? { files: ctx.files } : {}),
            gpus,
            trainingView: () => trainingView(value, callableTable(this.schemas['hydra'])),
          },
          ctx,
        );
        findings.push(...added.findings);
        extra = added.extra;
      }
      // Files are created only inside the workspace folders (or, with none open, beside the config).
      const createWithin = ctx.roots?.length ? ctx.roots : [path.slice(0, path.lastIndexOf('/') + 1) || '/'];
      diagnostics.push(...findings.map((f) => findingToDiagnostic(textDocument, parsed.doc!, f, syntax === 'json', createWithin)));
    }
    const adjusted = applyUserSettings(textDocument, diagnostics, ctx.settings.rules);
    adjusted.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return { ...base, detection, parsed, schema: shownSchema, toolVersion: version, diagnostics: capDiagnostics(adjusted), ...extra };
  }

  /**
   * A large file that is a map of data (a tokenizer's vocab.json) and that nothing else names a config (a modeline,
   * a setting, a link): recognised without building the ranges of its keys, which takes seconds for 50,000 keys.
   * JSON is read with JSON.parse; YAML by counting its top-level key lines.
   */
  /**
   * Top-level keys of the config that the argument dataclasses of a workspace recipe script declare (scriptArgs.ts).
   * The workspace is read only when the config has keys the schema does not declare.
   */
  private workspaceScriptKeys(value: unknown, declared: (key: string) => boolean, ctx: DocumentContext): ReadonlySet<string> | undefined {
    if (!ctx.python || !ctx.files?.list || !ctx.roots?.length || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const unknown = Object.keys(value).filter((k) => !declared(k));
    if (!unknown.length) return undefined;
    const found = this.scriptArgs.fields(ctx.roots, ctx.files, ctx.python);
    const keys = unknown.filter((k) => found?.fields.has(k));
    return keys.length ? new Set(keys) : undefined;
  }

  private largeData(path: string, text: string, syntax: Syntax, ctx: DocumentContext): Detection | null {
    if (ctx.override || ctx.linkedAs) return null;
    let value: unknown;
    let reason: string | null;
    if (syntax === 'json') {
      try {
        value = JSON.parse(text);
      } catch {
        return null; // a syntax error is reported by the full parse
      }
      reason = dataMapReason(value);
    } else reason = yamlDataMapReason(text);
    if (!reason) return null;
    const detection = detectFormat({ path, text, value, associations: ctx.settings.formatAssociations, relativePath: ctx.relativePath });
    if (detection.format !== 'none') return null;
    return detection.source === 'none' ? { format: 'none', source: 'none', reason } : detection;
  }

  private tooLarge(textDocument: TextDocument, ctx: DocumentContext, path: string, text: string, base: Pick<Analysis, 'uri' | 'version' | 'syntax'>): Analysis {
    // Parsing megabytes of YAML takes seconds; a real config is a few KiB. Decide from the head of the file only.
    const head = text.slice(0, 16384);
    let detection = detectFormat({
      path,
      text: head,
      value: undefined,
      associations: ctx.settings.formatAssociations,
      relativePath: ctx.relativePath,
      override: ctx.override,
      linkedAs: ctx.linkedAs,
    });
    const guess = guessFromHead(head);
    if (detection.format === 'none' && detection.source === 'none' && guess !== 'none')
      detection = { format: guess, source: 'content', reason: `Its first lines look like a ${FORMATS[guess].label} config.` };
    const looksLikeConfig = detection.format !== 'none';
    const diagnostics =
      looksLikeConfig && ctx.settings.validation.enable
        ? [
            makeDiagnostic({
              range: offsetRange(textDocument, 0, Math.min(1, text.length)),
              code: CODES.notValidated,
              severity: 'information',
              message: `This file is ${(text.length / 1048576).toFixed(1)} MB, larger than finetune.validation.maxFileSizeKB (${ctx.settings.validation.maxFileSizeKB} KiB): it was not validated.`,
            }),
          ]
        : [];
    return { ...base, detection, parsed: null, schema: null, diagnostics };
  }

  validate(textDocument: TextDocument, ctx: C): Diagnostic[] {
    return this.analyze(textDocument, ctx).diagnostics;
  }

  complete(textDocument: TextDocument, position: Position, analysis: Analysis): CompletionList {
    return completeAt(textDocument, position, analysis);
  }

  hover(textDocument: TextDocument, position: Position, analysis: Analysis): Hover | null {
    return hoverAt(textDocument, position, analysis);
  }

  symbols(textDocument: TextDocument, analysis: Analysis): DocumentSymbol[] {
    return documentSymbols(textDocument, analysis);
  }

  codeActions(textDocument: TextDocument, range: Range, diagnostics: Diagnostic[], only?: string[], analysis?: Analysis, fixAll?: TextEdit[]): CodeAction[] {
    return codeActionsFor(textDocument, range, diagnostics, only, analysis && proveFixes(analysis), fixAll);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function createConfigService(schemas: SchemaSet): ConfigService {
  return new ConfigService(schemas);
}
