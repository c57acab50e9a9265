import type { Steps } from './workProgress';
import type { FileArg } from './workspaceFiles';

export interface ConfigTree {
  root: string;
  files: FileArg[];
}
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { pathToFileURL } from 'node:url';
import { TextDocument as TextDocumentImpl } from 'vscode-languageserver-textdocument';
import { diskFiles, expandPaths, readConfigFile, readTextFile } from './workspaceFiles';
import { readRegularFile } from './fileText';
import {
  detectFormat,
  fixAllEdits,
  FORMATS,
  isFormatId,
  parseWithRecovery,
  pathOfUri,
  uriOfPath,
  proveFixes,
  syntaxOf,
  type ConfigSettings,
  type FormatId,
} from './core/config';
import type { Analysis, DocumentService, VramContext } from './core/document';
import { type OomReport, type CatalogModel, completeDims } from './core/vram';
import type { FileAccess } from './core/common/host';
import { PIN_FILE_LIMIT, readWorkspacePins, type PinFiles } from './pins';
import { ClientFiles } from './web/clientFiles';
import { hfModelDimsReader, hfTokenizerConfigReader } from './hfCache';
import { gpuFromSetting, REPRESENTATIVE_GPUS } from './localGpus';
import { findGpu, type GpuInfo } from './core/gpus';
import { resolveVersion } from './core/common/versions';
import { resolve as resolvePath } from './core/common/paths';
import { lightningDiagnostics, LIGHTNING_NEWEST, IncrementalPython } from './core/lightning';
import { loadPythonParser } from './pythonParser';
import { CODES } from './core/common/codes';
import { withoutYamlLanguageServerOverlap } from './yamlExtensionOverlap';
import {
  DEFAULT_FINETUNE_SETTINGS,
  LAUNCHABLE_FORMATS,
  type ConfigEntry,
  type DocumentFormatParams,
  type FinetuneSettings,
  type LaunchInfoResult,
  type ReadFilesParams,
} from './protocol';

const DISK = diskFiles();
/** Configs that may name the workspace's own Python: Hydra and LightningCLI classes, TRL recipes for a script. */
const WORKSPACE_PYTHON = /(?:_target_|class_path)\s*:|^(?:model_name_or_path|dataset_name|dataset_mixture|dataset_mixer)\s*:/m;

/** Why analysisOfFile could not read a workspace file (it reads with the same cap). */
function unreadable(path: string): string {
  const file = readRegularFile(path, 4 * 1024 * 1024);
  return file.ok ? 'unknown' : file.reason;
}

/** Fix-all passes at most (each one re-checks the text the last one produced). */
const MAX_FIX_PASSES = 8;

/** One edit of `doc` that turns `before` into `after`: from the first to the last character that differ. */
function changedSpan(doc: TextDocument, before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { range: { start: doc.positionAt(start), end: doc.positionAt(before.length - end) }, newText: after.slice(start, after.length - end) };
}

function realPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** What the document state needs from the outside world; server.ts passes the LSP connection's functions in. */
export interface DocumentHost {
  getSettings(uri: string): Promise<FinetuneSettings>;
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
  notifyFormat(params: DocumentFormatParams): void;
  workspaceFolders(): string[];
  log(message: string): void;
}

/** How long a check in the web worker waits for the files it missed, per round, and how many rounds (validateNow). */
const CLIENT_FILE_WAIT_MS = 1000;
const CLIENT_FILE_ROUNDS = 3;

/** True when `promise` settles within `ms`; false when the time runs out first. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}

/**
 * Per-document state: the latest analysis, the user's format choices, links between configs, and debounced
 * validation. Everything the LSP handlers need goes through here, so server.ts only routes requests.
 */
export class ConfigDocuments {
  private readonly analyses = new Map<string, Analysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Bumped on every schedule: only the latest request for a document may start a validation. */
  private readonly generations = new Map<string, number>();
  private readonly overrides = new Map<string, FormatId>();
  /** File path -> format, from keys such as `deepspeed: ds.json` in open configs. */
  private readonly links = new Map<string, FormatId>();
  private readonly tokenizerConfig = hfTokenizerConfigReader();
  private readonly modelDims = hfModelDimsReader(process.env, () => this.host.workspaceFolders().map((f) => pathOfUri(f)));
  /** The GPUs nvidia-smi reported on this machine (set once the query returns). */
  private localGpus: GpuInfo[] = [];
  /** uri -> the CUDA OOM of the last run launched from the editor (FT403), until the next run starts. */
  private readonly outcomes = new Map<string, OomReport>();

  /** A job's outcome: an OOM adds FT403 to the config; a new run (`null`) removes it. */
  setOutcome(uri: string, oom: OomReport | null): void {
    if (oom) this.outcomes.set(uri, oom);
    else if (!this.outcomes.delete(uri)) return;
    if (this.getDocument(uri)) this.schedule(uri, 0);
  }

  /**
   * The analysis of a file, open or not (read from disk when it is not open; nothing kept). Requests act on open
   * documents and workspace files only: a file outside the workspace folders is not read (null).
   */
  async analysisOfFile(uri: string): Promise<Analysis | null> {
    const open = await this.analysis(uri);
    if (open) return open.analysis;
    if (!this.inWorkspace(uri)) return null;
    const path = pathOfUri(uri);
    const text = readTextFile(path, 4 * 1024 * 1024);
    if (text === undefined) return null;
    const languageId = /\.py$/i.test(path) ? 'python' : syntaxOf(path) === 'json' ? 'json' : 'yaml';
    const doc = TextDocumentImpl.create(uri, languageId, 0, text);
    const analysis = await this.compute(doc);
    this.analyses.delete(uri);
    this.service.forget(uri);
    return analysis;
  }

  /** A file: URI whose real path (symlinks followed) lies inside one of the workspace folders. */
  inWorkspace(uri: string): boolean {
    if (!uri.startsWith('file:')) return false;
    const real = realPath(pathOfUri(uri));
    return (
      real !== null &&
      this.host.workspaceFolders().some((folder) => {
        const root = realPath(pathOfUri(folder));
        const rel = root === null ? '..' : relative(root, real);
        return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
      })
    );
  }

  /** Pre-flight facts for the Launch command: format, problems, the VRAM verdict, the loaded config. */
  async launchInfo(uri: string): Promise<LaunchInfoResult> {
    const path = pathOfUri(uri);
    const analysis = await this.analysisOfFile(uri);
    const diagnostics = analysis?.diagnostics ?? [];
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    const problems = {
      errors: errors.length,
      warnings: diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).length,
      ...(errors[0] ? { firstError: errors[0].message } : {}),
    };
    const unread =
      this.getDocument(uri) || analysis
        ? ''
        : !this.inWorkspace(uri)
          ? 'it is not open and not inside a workspace folder'
          : `the file cannot be read: ${unreadable(path)}`;
    if (/\.py$/i.test(path))
      return { uri, format: 'python', label: 'Python script', launchable: Boolean(analysis), ...(analysis ? {} : { reason: unread }), problems };
    if (!analysis) return { uri, format: 'none', label: FORMATS.none.label, launchable: false, reason: unread, problems };
    const format = analysis.detection.format;
    const launchable = (LAUNCHABLE_FORMATS as readonly string[]).includes(format);
    const value = analysis.parsed?.value;
    const e = analysis.vram?.estimate;
    const misfit = diagnostics.find((d) => d.code === CODES.vramExceeds);
    const vram = e
      ? {
          estimateGiB: Math.round(((e.peakBytes + e.contextBytes) / 2 ** 30) * 10) / 10,
          ...(analysis.vram!.targetsAreReal ? { fits: e.gpus.every((g) => g.fits) } : {}),
          ...(misfit ? { message: misfit.message } : {}),
        }
      : undefined;
    return {
      uri,
      format,
      label: FORMATS[format].label,
      launchable,
      ...(launchable
        ? {}
        : {
            reason:
              format === 'none'
                ? 'it is not a training config'
                : format === 'hydra'
                  ? 'a Hydra config is read by the Python script that declares @hydra.main: launch that script'
                  : `${FORMATS[format].label} files are not launched on their own: launch the training config that uses this one`,
          }),
      problems,
      ...(vram ? { vram } : {}),
      ...(value && typeof value === 'object' && !Array.isArray(value) ? { value: value as Record<string, unknown> } : {}),
    };
  }

  /** The workspace's YAML/JSON files of a training format, for the Launch quick pick. */
  /** The YAML/JSON files of each workspace folder (at most 5,000 per folder): what listConfigs reads. */
  configTrees(): ConfigTree[] {
    return this.host.workspaceFolders().map((folder) => {
      const root = pathOfUri(folder).replace(/\/$/, '');
      return { root, files: expandPaths([root]).slice(0, 5000) };
    });
  }

  /** The launchable configs of the workspace; with `steps`, progress per file, and the ones found so far on cancel. */
  async listConfigs(trees: ConfigTree[] = this.configTrees(), steps?: Steps): Promise<ConfigEntry[]> {
    const settings = await this.settingsForWorkspace();
    const out: ConfigEntry[] = [];
    const launchable = LAUNCHABLE_FORMATS as readonly string[];
    let done = 0;
    for (const { root, files } of trees) {
      for (const f of files) {
        if (steps) {
          await steps.step(done++, f.path.slice(root.length + 1));
          if (steps.cancelled) return out;
        }
        const uri = pathToFileURL(f.path).toString();
        const open = this.allDocuments().find((d) => pathOfUri(d.uri) === f.path);
        let text: string;
        if (open) text = open.getText();
        else {
          const read = readConfigFile(f.path);
          if (!read.ok || read.text.length > settings.validation.maxFileSizeKB * 1024) continue;
          text = read.text;
        }
        let value: unknown;
        try {
          value = parseWithRecovery(text, syntaxOf(f.path)).value;
        } catch {
          continue;
        }
        const relativePath = f.path.startsWith(`${root}/`) ? f.path.slice(root.length + 1) : f.path;
        const detection = detectFormat({
          path: f.path,
          text,
          value,
          associations: settings.formatAssociations,
          relativePath,
          override: this.overrides.get(open?.uri ?? uri) ?? null,
          linkedAs: this.links.get(f.path) ?? null,
        });
        if (launchable.includes(detection.format)) {
          out.push({ uri: open?.uri ?? uri, format: detection.format, label: FORMATS[detection.format].label, relativePath });
        }
      }
    }
    return out;
  }

  /** GPUs found on this machine: they become the VRAM targets when the setting names none. */
  setLocalGpus(gpus: GpuInfo[]): void {
    this.localGpus = gpus;
    if (gpus.length) this.revalidateAll();
  }

  /** What the VRAM hints judge against, and where models come from. */
  vramContext(settings: FinetuneSettings): VramContext {
    const configured = settings.gpus.map((g) => gpuFromSetting(g)).filter((g): g is GpuInfo => Boolean(g));
    const targets = configured.length ? configured : this.localGpus.length ? this.localGpus : REPRESENTATIVE_GPUS.map((n) => findGpu(n)!);
    const custom: CatalogModel[] = [];
    for (const m of settings.models) {
      try {
        custom.push({ id: m.id, dims: completeDims(m, `the model '${m.id}' in finetune.models`), source: 'setting finetune.models' });
      } catch {
        /* incomplete entries are skipped; the settings UI shows the schema */
      }
    }
    return { targets, targetsAreReal: configured.length > 0 || this.localGpus.length > 0, lookup: { hfCache: this.modelDims, custom } };
  }
  /** The last syntax tree of each open Python file, for incremental re-parsing. */
  private python: IncrementalPython | undefined;
  /** The workspace's pinned releases, read from requirements*.txt, pyproject.toml, setup.cfg, environment.yml. */
  private pins: Map<string, { version: string; file: string }> | undefined;

  settingsFor(uri: string): Promise<FinetuneSettings> {
    return this.host.getSettings(uri).catch(() => DEFAULT_FINETUNE_SETTINGS);
  }

  /** The settings of the first workspace folder (for workspace-wide commands). */
  settingsForWorkspace(): Promise<FinetuneSettings> {
    return this.host.getSettings(this.host.workspaceFolders()[0] ?? '').catch(() => DEFAULT_FINETUNE_SETTINGS);
  }

  /** A Python file of the workspace changed on disk: recipe scripts are read again at the next check. */
  pythonChanged(): void {
    this.service.forgetWorkspacePython();
  }

  /** Reads the pins again (at start, and when one of those files changes). */
  reloadPins(): void {
    this.pins = this.readPins();
  }

  private workspacePins(): Map<string, { version: string; file: string }> {
    return (this.pins ??= this.readPins());
  }

  private readPins(): Map<string, { version: string; file: string }> {
    const roots = this.host.workspaceFolders().map((f) => pathOfUri(f));
    const client = this.client;
    if (!client) return readWorkspacePins(roots);
    const files: PinFiles = {
      entries: (folder) => client.entries(folder)?.map(([name, type]) => ({ name, dir: type === 2 })),
      read: (path) => client.read(path, PIN_FILE_LIMIT),
    };
    // Normalized as the pins' paths are (github.dev's //github/o/r is /github/o/r), so a subfolder's label is right.
    return readWorkspacePins(
      roots.map((r) => resolvePath(r)),
      files,
    );
  }

  /** The web worker's files, read by the client (server/src/web/clientFiles.ts); undefined on the desktop (the disk). */
  private client: ClientFiles | undefined;

  /**
   * The web worker: files a config names are asked of the client (`finetune/readFiles`) instead of read from a disk
   * the worker does not have. When an answer brings something, what was derived from the files (pins, recipe
   * scripts) is dropped and the open documents are checked again.
   */
  readFromClient(ask: (params: ReadFilesParams) => Promise<unknown>): void {
    this.client = new ClientFiles({
      ask,
      // The file system of a workspace folder or of an open document (a config outside every folder).
      uriOf: (path) => uriOfPath(path, [...this.host.workspaceFolders(), ...this.allDocuments().map((d) => d.uri)]),
      learned: () => {
        this.pins = undefined;
        this.service.forgetWorkspacePython();
        this.revalidateAll();
      },
      log: (message) => this.host.log(message),
    });
  }

  /**
   * Files changed on disk (workspace/didChangeWatchedFiles: `folders`, their folders' listings too), or an editor
   * opened or closed one: the web worker forgets what it read of them. True when something was forgotten (the open
   * documents need checking again).
   */
  filesChanged(uris: string[], folders: boolean): boolean {
    return (
      this.client?.forget(
        uris.map((u) => pathOfUri(u)),
        folders,
      ) ?? false
    );
  }

  /** An open document at this path; the web worker compares normalized paths (vscode-vfs://github/o/r gives //github/o/r). */
  private openAt(path: string): TextDocument | undefined {
    if (!this.client) return this.allDocuments().find((d) => pathOfUri(d.uri) === path);
    const target = resolvePath(path);
    return this.allDocuments().find((d) => resolvePath(pathOfUri(d.uri)) === target);
  }

  /** Files a config names: an open editor's text first (unsaved edits count), then the disk (the web worker: the client). */
  private readonly files: FileAccess = {
    read: (path: string) => {
      const open = this.openAt(path);
      return open ? open.getText() : this.client ? this.client.read(path) : readTextFile(path);
    },
    problem: (path: string) => (this.openAt(path) ? undefined : this.client ? this.client.problem(path) : DISK.problem(path)),
    list: (dir: string) => (this.client ? this.client.list(dir) : DISK.list(dir)),
  };

  constructor(
    private readonly service: DocumentService,
    private readonly host: DocumentHost,
    private readonly getDocument: (uri: string) => TextDocument | undefined,
    private readonly allDocuments: () => TextDocument[],
  ) {}

  setOverrides(overrides: Record<string, string> | undefined): void {
    for (const [uri, format] of Object.entries(overrides ?? {})) if (isFormatId(format)) this.overrides.set(uri, format);
  }

  setOverride(uri: string, format: string | null): void {
    if (format && isFormatId(format)) this.overrides.set(uri, format);
    else this.overrides.delete(uri);
    this.schedule(uri, 0);
  }

  /** Validate now (open) or after the configured delay (change). */
  schedule(uri: string, delayOverride?: number): void {
    const existing = this.timers.get(uri);
    if (existing) clearTimeout(existing);
    this.timers.delete(uri);
    const generation = (this.generations.get(uri) ?? 0) + 1;
    this.generations.set(uri, generation);
    void this.host.getSettings(uri).then((settings) => {
      if (this.generations.get(uri) !== generation) return; // a newer edit rescheduled it
      const delay = delayOverride ?? settings.validation.delay;
      const run = () => {
        this.timers.delete(uri);
        void this.validateNow(uri);
      };
      if (delay <= 0) run();
      else this.timers.set(uri, setTimeout(run, delay));
    });
  }

  revalidateAll(): void {
    for (const doc of this.allDocuments()) this.schedule(doc.uri, 0);
  }

  close(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
    this.generations.delete(uri);
    this.analyses.delete(uri);
    this.service.forget(uri);
    this.python?.forget(uri);
    this.host.publish(uri, undefined, []);
  }

  /** How many documents each kind of kept state holds (for finetune/memoryUsage). */
  kept(): Record<string, number> {
    return {
      analyses: this.analyses.size,
      parses: this.service.keptDocuments,
      pythonTrees: this.python?.size ?? 0,
      timers: this.timers.size,
      generations: this.generations.size,
      outcomes: this.outcomes.size,
    };
  }

  /** The analysis of the document's current version (computed now if the debounced one is not ready). */
  async analysis(uri: string): Promise<{ doc: TextDocument; analysis: Analysis } | null> {
    const doc = this.getDocument(uri);
    if (!doc) return null;
    const cached = this.analyses.get(uri);
    if (cached && cached.version === doc.version) return { doc, analysis: cached };
    const analysis = await this.compute(doc);
    return { doc, analysis };
  }

  private async validateNow(uri: string): Promise<void> {
    const doc = this.getDocument(uri);
    if (!doc) return;
    let analysis = await this.compute(doc);
    if (this.getDocument(uri)?.version !== analysis.version) return; // a newer edit is on its way
    // The web worker: files this check missed (a DeepSpeed JSON, pins) are on their way from the client. Wait for
    // them, a bounded time, and check again, rather than show them as "not found" for a moment. A listing can name
    // files to read next: a few rounds at most.
    for (let round = 0; round < CLIENT_FILE_ROUNDS; round++) {
      const answered = this.client?.settled();
      if (!answered || !(await settlesWithin(answered, CLIENT_FILE_WAIT_MS))) break;
      if (this.getDocument(uri)?.version !== analysis.version) return;
      analysis = await this.compute(doc);
      if (this.getDocument(uri)?.version !== analysis.version) return;
    }
    const format = FORMATS[analysis.detection.format];
    this.host.notifyFormat({
      uri,
      format: format.id,
      label: format.label,
      reason: analysis.detection.reason,
      source: analysis.detection.source,
      validated: Boolean(analysis.schema) && analysis.parsed !== null,
      toolVersion: analysis.toolVersion?.version,
      versionSource: analysis.toolVersion?.source,
      errors: analysis.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length,
      warnings: analysis.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).length,
    });
    // After the format, so that a client reacting to the diagnostics already knows what the file is.
    // Only what is shown changes with yamlSyntax: the counts above, pre-flight and `ftw check` keep every problem.
    const settings = await this.host.getSettings(uri).catch(() => DEFAULT_FINETUNE_SETTINGS);
    if (this.getDocument(uri)?.version !== analysis.version) return;
    // Red Hat YAML validates documents of the language 'yaml', never JSON or Python.
    const shown =
      doc.languageId === 'yaml' && settings.validation.yamlSyntax === 'leaveToRedHatYaml'
        ? withoutYamlLanguageServerOverlap(doc.getText(), analysis.diagnostics)
        : analysis.diagnostics;
    this.host.publish(uri, doc.version, shown);
  }

  /**
   * Fix-all to its fixed point: a fix can make the next one placeable (`pl.Trainer(gpus=2, accelerator="ddp")`),
   * so each pass checks the text the last one produced, at most MAX_FIX_PASSES times. One pass: its edits; more:
   * one edit from the first to the last changed character. Null for a document that is not open.
   */
  async fixAllEdits(uri: string): Promise<TextEdit[] | null> {
    const found = await this.analysis(uri);
    if (!found) return null;
    const original = found.doc.getText();
    const first = fixAllEdits(proveFixes(found.analysis).diagnostics);
    let text = original;
    let edits = first;
    let passes = 0;
    for (; edits.length && passes < MAX_FIX_PASSES; passes++) {
      text = TextDocumentImpl.applyEdits(TextDocumentImpl.create(uri, found.doc.languageId, 0, text), edits);
      // The same file as another document, so that nothing kept for the open one (incremental trees) is touched.
      const draft = TextDocumentImpl.create(`${uri}#fix-all`, found.doc.languageId, 0, text);
      edits = fixAllEdits(proveFixes(await this.compute(draft, uri, false)).diagnostics);
      this.service.forget(draft.uri);
    }
    if (passes <= 1) return first;
    return [changedSpan(found.doc, original, text)];
  }

  private async compute(doc: TextDocument, owner = doc.uri, keep = true): Promise<Analysis> {
    const settings = await this.host.getSettings(owner).catch(() => DEFAULT_FINETUNE_SETTINGS);
    const path = pathOfUri(doc.uri);
    if (doc.languageId === 'python' || /\.py$/i.test(path)) return this.computePython(doc, path, settings, keep);
    // A Hydra `_target_` or a LightningCLI `class_path` may name a class of the workspace, checked against its __init__,
    // and a TRL recipe may be read by a workspace script's argument dataclasses (both read with tree-sitter).
    const python = WORKSPACE_PYTHON.test(doc.getText()) ? await loadPythonParser().catch(() => undefined) : undefined;
    const started = Date.now();
    let analysis: Analysis;
    try {
      analysis = this.service.analyze(doc, {
        ...(python ? { python } : {}),
        settings: { ...settings, gpus: settings.gpus.filter((g): g is string => typeof g === 'string'), rules: settings.rules as ConfigSettings['rules'] },
        vram: this.vramContext(settings),
        files: this.files,
        roots: this.host.workspaceFolders().map((f) => pathOfUri(f)),
        pins: this.workspacePins(),
        tokenizerConfig: this.tokenizerConfig,
        override: this.overrides.get(owner) ?? null,
        relativePath: this.relativePath(path),
        linkedAs: this.links.get(path) ?? null,
        ...(this.outcomes.has(owner) ? { runtime: { oom: this.outcomes.get(owner)! } } : {}),
      });
    } catch (e) {
      // A bug of ours must not take the server down with it: report nothing for this version, and say why in the log.
      this.host.log(`Fine-Tune Workbench could not analyze ${doc.uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      analysis = {
        uri: doc.uri,
        version: doc.version,
        syntax: 'yaml',
        detection: { format: 'none', source: 'none', reason: 'Analysis failed; see the Fine-Tune Workbench log.' },
        parsed: null,
        schema: null,
        diagnostics: [],
      };
    }
    const elapsed = Date.now() - started;
    if (elapsed > 200) this.host.log(`Validating ${doc.uri} took ${elapsed} ms`);
    if (!keep) return analysis;
    this.analyses.set(doc.uri, analysis);
    this.recordLinks(path, analysis);
    return analysis;
  }

  /** Python files: Lightning 1.x APIs that 2.x removed, judged for the project's pinned Lightning. */
  private async computePython(doc: TextDocument, path: string, settings: FinetuneSettings, keep: boolean): Promise<Analysis> {
    // An edited script may declare other recipe keys (its unsaved text is what configs are checked against).
    this.service.forgetWorkspacePython();
    const base = { uri: doc.uri, version: doc.version, syntax: 'yaml' as const, parsed: null, schema: null };
    const text = doc.getText();
    const detection = detectFormat({ path, text, value: undefined });
    if (detection.format !== 'python-lightning' || !settings.validation.enable || text.length > settings.validation.maxFileSizeKB * 1024) {
      return { ...base, detection, diagnostics: [] };
    }
    let diagnostics: Diagnostic[] = [];
    const version = resolveVersion('lightning', settings.versions, this.workspacePins(), LIGHTNING_NEWEST);
    try {
      const parser = await loadPythonParser();
      this.python ??= new IncrementalPython(parser);
      diagnostics = lightningDiagnostics(doc, { parser, path, files: this.files, version, ...(keep ? { incremental: this.python } : {}) });
    } catch (e) {
      this.host.log(`Fine-Tune Workbench could not check ${doc.uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    const analysis: Analysis = { ...base, detection, toolVersion: version, diagnostics };
    if (keep) this.analyses.set(doc.uri, analysis);
    return analysis;
  }

  private relativePath(path: string): string | undefined {
    for (const folder of this.host.workspaceFolders()) {
      const root = pathOfUri(folder).replace(/\/$/, '');
      if (path.startsWith(`${root}/`)) return path.slice(root.length + 1);
    }
    return undefined;
  }

  /** `deepspeed: ds_config.json` in a config makes that file a DeepSpeed config, even with an unusual name. */
  private recordLinks(path: string, analysis: Analysis): void {
    const value = analysis.parsed?.value;
    if (analysis.detection.format === 'none' || typeof value !== 'object' || value === null) return;
    const ds = (value as Record<string, unknown>)['deepspeed'];
    if (typeof ds !== 'string' || !/\.json$/i.test(ds)) return;
    const target = resolve(dirname(path), ds);
    if (this.links.get(target) === 'deepspeed') return;
    this.links.set(target, 'deepspeed');
    for (const doc of this.allDocuments()) if (pathOfUri(doc.uri) === target) this.schedule(doc.uri, 0);
  }
}
