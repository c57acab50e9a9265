/** `ftw`: the same checks as the editor, for the terminal and CI (DESIGN §6.1). */
import { basename, dirname, resolve } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CODES, CONFIG_FORMAT_IDS, DEFAULT_SETTINGS, FORMATS, isFormatId, proveFixes, type FormatId } from '../core/config';
import { createDocumentService, type Analysis, type DocumentService, type VramContext } from '../core/document';
import { makeDiagnostic, offsetRange } from '../core/common/diagnostics';
import { preferredEdits, unifiedDiff } from './fix';
import { findGpu, GPUS, type GpuInfo } from '../core/gpus';
import type { FileAccess } from '../core/common/host';
import { readWorkspacePins } from '../pins';
import { hfModelDimsReader, hfTokenizerConfigReader } from '../hfCache';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { ToolVersion } from '../core/common/versions';
import { planLaunch, commentText, shellJoin, shellQuote, shellVarName, LAUNCHERS, LaunchError, type Launcher, type LaunchPlan } from '../core/jobs';
import { findProgram, JobRunner } from '../jobs/runner';
import { ensembleCommand, GENERATE_USAGE, newCommand } from './generate';
import { resolveVersion } from '../core/common/versions';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../core/lightning';
import { loadPythonParser } from '../pythonParser';
import type { PythonParser } from '../core/common/python';
import { loadSchemas } from '../schemaFiles';
import { diskFiles, expandPaths, readConfigFile } from '../workspaceFiles';
import { applyEditsToBytes, decodeText, writeRegularFile, type DecodedText } from '../fileText';
import { createProgress, type Progress } from './progress';
import { formatGithub, formatSarif, formatText, toJsonProblems, type FileReport } from './report';
import {
  estimate,
  type Estimate,
  UnknownModelError,
  planFit,
  planLines,
  type FitPlan,
  estimateJson,
  estimateText,
  shortGpuName,
  resolveSetup,
  SETUP_FIELDS,
  SetupError,
} from '../core/vram';
import { queryLocalGpus, REPRESENTATIVE_GPUS } from '../localGpus';
import { setPathStyle } from '../core/common/paths';

const VERSION = '0.1.0';

const USAGE = `Fine-Tune Workbench ${VERSION}: checks fine-tuning configs, estimates their GPU memory, migrates Lightning code.

Usage:
  ftw check [PATH...] [--format text|json|sarif|github] [--gpu NAME]...
                                                   validate files and folders (default: .); --gpu names a GPU
                                                   you train on, for hardware checks ("RTX 3060", "T4", "A100 80GB");
                                                   github: GitHub Actions annotations (::error file=...)
  ftw fix [PATH...] [--dry-run]                    apply every safe fix in place (or print the diff)
  ftw vram (CONFIG | SETUP.json) [--gpu NAME]... [--gpus N] [--json]
                                                   estimated peak GPU memory of a training config or a
                                                   TrainingSetup JSON, and whether it fits each GPU (default:
                                                   this machine's, by nvidia-smi, else RTX 3060/3090, A100 80GB);
                                                   --gpus N: GPUs the launcher uses; exit 1 if a --gpu is too small
  ftw launch CONFIG [--launcher local|torchrun|accelerate|deepspeed|slurm|skypilot] [--gpus N] [--nodes N]
            [--script FILE] [--recipe NAME] [--partition P] [--time T] [--dry-run] [--force] [-- ARGS...]
                                                   run the training job of a config (or a .py script); checks
                                                   the config first (errors stop it unless --force); --dry-run
                                                   prints the command and the files it would write; exit status
                                                   is the job's
${GENERATE_USAGE}
  ftw detect PATH...                               print "<path>\\t<format>" per file
  ftw schema FORMAT [--modeline]                   print the JSON Schema of a format (${CONFIG_FORMAT_IDS.filter((f) => FORMATS[f].schema).join(', ')});
                                                   --modeline: the "# yaml-language-server: $schema=URL" line that
                                                   points other YAML editors at it
  ftw lsp --stdio                                  run the language server (for Neovim and other LSP editors)

Exit status: 0 no errors, 1 errors found (vram: a named GPU too small; launch: the job's own status), 2 bad
usage or unreadable input.
Folders are walked for *.yml, *.yaml, *.json and *.py (Lightning 1.x APIs removed in 2.x); node_modules, .git
and virtual environments are skipped.`;

class UsageError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  color: boolean;
  /** stdout and stderr are a terminal: `ftw check` may draw a progress line on stderr (never when piped). */
  terminal?: { columns: number };
}

/** The lines of USAGE that describe one command ("  ftw new ..." up to the next command), or undefined. */
export function commandUsage(command: string): string | undefined {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ftw ${command} `) || l === `  ftw ${command}`);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith('   ') && !lines[end].startsWith('  ftw ')) end++;
  return `Usage:\n${lines.slice(start, end).join('\n')}`;
}

/** `--help` or `-h` among a command's own options (not after `--`, where they belong to the training program). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    const help = command === 'help' && rest[0] ? commandUsage(rest[0]) : command && asksForHelp(rest) ? commandUsage(command) : undefined;
    if (help) {
      io.out(`${help}\n`);
      return 0;
    }
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'fix':
        return await fix(rest, io);
      case 'vram':
        return await vram(rest, io);
      case 'launch':
        return await launch(rest, io);
      case 'new':
        return await newCommand(rest, io);
      case 'ensemble':
        return await ensembleCommand(rest, io);
      case 'detect':
        return detect(rest, io);
      case 'schema':
        return schema(rest, io);
      case 'lsp': {
        // From the bundle (dist/cli.js): dist/server.js, the same server as `node dist/server.js`, loaded through its
        // V8 code cache (server/src/codeCache.ts). Loaded here so that `check` does not start the LSP machinery.
        const boot = resolve(__dirname, 'server.js');
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        if (basename(__dirname) === 'dist' && existsSync(boot)) require(boot);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        else (require('../server') as typeof import('../server')).startServer();
        return -1;
      }
      case '--version':
      case '-v':
        io.out(`${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ftw: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

function parseOptions(args: string[], allowed: Record<string, string[] | null>): { paths: string[]; options: Record<string, string>; gpus: string[] } {
  const paths: string[] = [];
  const options: Record<string, string> = {};
  const gpus: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      paths.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      paths.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!(name in allowed)) throw new UsageError(`unknown option '--${name}'`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option '--${name}' needs a value`);
    const choices = allowed[name];
    if (choices && !choices.includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not '${value}'`);
    if (name === 'gpu') gpus.push(value);
    else options[name] = value;
  }
  return { paths, options, gpus };
}

interface Checked {
  file: string;
  analysis: Analysis | null;
  error?: string;
  explicit: boolean;
  linkedAs?: FormatId | null;
}

const DISK: FileAccess = diskFiles();

/** Python files that use Lightning: removed 1.x APIs, judged for the pinned Lightning release. */
async function checkPython(results: Checked[], cwd: string): Promise<void> {
  const python = results.filter((r) => r.analysis?.detection.format === 'python-lightning');
  if (!python.length) return;
  const version = resolveVersion('lightning', undefined, readWorkspacePins([cwd]), LIGHTNING_NEWEST);
  const work = python.map((r) => ({ file: r.file, path: resolve(cwd, r.file) }));
  // Many or large files: parse them on every core (tree-sitter's WASM parse is most of the time, one file per
  // thread). The bundle is its own worker script (see the end of this file).
  const bytes = work.reduce((n, w) => n + (existsSync(w.path) ? statSync(w.path).size : 0), 0);
  const cap = Number(process.env['FTW_THREADS']) || availableParallelism();
  const threads = Math.min(cap, work.length);
  const diagnostics =
    threads > 1 && bytes > 256 * 1024 && /\.js$/.test(__filename) ? await checkInWorkers(work, version, threads) : await checkHere(work, version);
  for (const r of python) {
    const d = diagnostics.get(r.file);
    if (d) r.analysis!.diagnostics = d;
  }
}

type PythonWork = Array<{ file: string; path: string }>;

async function checkHere(work: PythonWork, version: ToolVersion): Promise<Map<string, Diagnostic[]>> {
  const parser = await loadPythonParser();
  const out = new Map<string, Diagnostic[]>();
  for (const w of work) {
    const text = readConfigFile(w.file);
    if (!text.ok) continue;
    const doc = TextDocument.create(`file://${encodeURI(w.path)}`, 'python', 1, text.text);
    out.set(w.file, lightningDiagnostics(doc, { parser, path: w.path, files: DISK, version }));
  }
  return out;
}

/** Splits the files over `threads` workers (largest first, each to the least loaded) and merges their results. */
async function checkInWorkers(work: PythonWork, version: ToolVersion, threads: number): Promise<Map<string, Diagnostic[]>> {
  const sized = work.map((w) => ({ ...w, size: existsSync(w.path) ? statSync(w.path).size : 0 })).sort((a, b) => b.size - a.size);
  const shares: Array<{ load: number; work: PythonWork }> = Array.from({ length: threads }, () => ({ load: 0, work: [] }));
  for (const w of sized) {
    const least = shares.reduce((a, b) => (b.load < a.load ? b : a));
    least.load += w.size;
    least.work.push({ file: w.file, path: w.path });
  }
  const parts = await Promise.all(
    shares
      .filter((s) => s.work.length)
      .map(
        (share) =>
          new Promise<Array<[string, Diagnostic[]]>>((done, fail) => {
            const worker = new Worker(__filename, { workerData: { role: WORKER_ROLE, work: share.work, version } });
            worker.once('message', (m: Array<[string, Diagnostic[]]>) => done(m));
            worker.once('error', fail);
          }),
      ),
  );
  return new Map(parts.flat());
}

const WORKER_ROLE = 'ftw-lightning-check';

/** Checks one config's text as `ftw check` does; `ftw fix` calls it again on the fixed text. */
type Diagnose = (file: string, text: string, linkedAs: FormatId | null) => Analysis;

function configDiagnoser(service: DocumentService, cwd: string, gpus: string[] = [], python?: PythonParser): Diagnose {
  const pins = readWorkspacePins([cwd]);
  const tokenizerConfig = hfTokenizerConfigReader();
  // With --gpu, each training config's VRAM estimate is checked against those GPUs (FT401).
  const targets = gpus.map((g) => findGpu(g)).filter((g): g is GpuInfo => Boolean(g));
  const vram: VramContext | undefined = targets.length
    ? { targets, targetsAreReal: true, lookup: { hfCache: hfModelDimsReader(process.env, () => [cwd]) } }
    : undefined;
  return (file, text, linkedAs) => {
    const doc = TextDocument.create(
      `file://${encodeURI(resolve(cwd, file))}`,
      /\.jsonc?$/i.test(file) ? 'json' : /\.py$/i.test(file) ? 'python' : 'yaml',
      1,
      text,
    );
    // `ftw check` reports which problems are fixable and `ftw fix` applies them: both need the fixes proven.
    return proveFixes(
      service.analyze(doc, {
        settings: { ...DEFAULT_SETTINGS, gpus },
        relativePath: file,
        linkedAs,
        files: DISK,
        roots: [cwd],
        pins,
        tokenizerConfig,
        ...(vram ? { vram } : {}),
        ...(python ? { python } : {}),
      }),
    );
  };
}

/** What reading the file tells beyond its text: malformed UTF-8 or UTF-16, which Python's UTF-8 reading refuses. */
function encodingProblem(read: DecodedText, analysis: Analysis): Diagnostic | null {
  if (analysis.detection.format === 'none') return null;
  const doc = TextDocument.create('file:///encoding', 'plaintext', 1, read.text);
  if (read.encoding !== 'utf-8') {
    return makeDiagnostic({
      range: offsetRange(doc, 0, Math.min(1, read.text.length)),
      code: CODES.syntax,
      severity: 'error',
      message: `This file is ${read.encoding.toUpperCase()}${read.bomBytes ? ' (with a byte order mark)' : ''}: Python reads config files as UTF-8 and stops with a UnicodeDecodeError. Save it as UTF-8.`,
    });
  }
  if (read.invalidUtf8At === null) return null;
  const charOffset = read.invalidUtf8Char ?? 0;
  return makeDiagnostic({
    range: offsetRange(doc, charOffset, charOffset + 1),
    code: CODES.syntax,
    severity: 'error',
    message: `Invalid UTF-8 at byte ${read.invalidUtf8At}: Python reads config files as UTF-8 and stops with a UnicodeDecodeError.`,
  });
}

async function analyzeAll(
  service: DocumentService,
  paths: string[],
  cwd: string,
  gpus: string[] = [],
  progressFor?: (total: number) => Progress,
): Promise<{ results: Checked[]; diagnose: Diagnose; progress?: Progress }> {
  const files = expandPaths(paths.length ? paths : ['.'], /\.(ya?ml|jsonc?|py)$/i);
  const progress = progressFor?.(files.length);
  const results: Checked[] = [];
  const links = new Map<string, FormatId>();
  let diagnose = configDiagnoser(service, cwd, gpus);
  const analyzeOne = (file: string, explicit: boolean, linkedAs: FormatId | null): Checked => {
    const read = readConfigFile(file);
    if (!read.ok) return { file, analysis: null, error: read.reason, explicit, linkedAs };
    const analysis = diagnose(file, read.text, linkedAs);
    const encoding = encodingProblem(read.decoded, analysis);
    if (encoding) analysis.diagnostics.unshift(encoding);
    const value = analysis.parsed?.value as Record<string, unknown> | undefined;
    if (analysis.detection.format !== 'none' && typeof value?.['deepspeed'] === 'string') {
      links.set(resolve(cwd, dirname(file), value['deepspeed']), 'deepspeed');
    }
    return { file, analysis, explicit, linkedAs };
  };
  for (const f of files) {
    progress?.step(f.path);
    results.push(analyzeOne(f.path, f.explicit, null));
  }
  // Hydra `_target_` blocks and LightningCLI `class_path` entries may name classes of the workspace, checked against
  // their __init__ with tree-sitter: the parser is loaded, and those files checked again, only when there are such files.
  // So may TRL recipes with keys TRL does not declare (FT101, FT112): a recipe script of the workspace may read them.
  const readsPython = (r: Checked) => {
    const format = r.analysis?.detection.format;
    return (
      format === 'hydra' || format === 'lightning-cli' || (format === 'trl' && r.analysis!.diagnostics.some((d) => d.code === 'FT101' || d.code === 'FT112'))
    );
  };
  const hydra = results.flatMap((r, i) => (readsPython(r) ? [i] : []));
  const python = hydra.length ? await loadPythonParser().catch(() => undefined) : undefined;
  if (python) {
    diagnose = configDiagnoser(service, cwd, gpus, python);
    for (const i of hydra) results[i] = analyzeOne(results[i].file, results[i].explicit, null);
  }
  // Second pass: files that another config names as its DeepSpeed config, but that content alone did not reveal.
  return {
    diagnose,
    ...(progress ? { progress } : {}),
    results: results.map((r) => {
      const linked = links.get(resolve(cwd, r.file));
      return linked && r.analysis?.detection.format === 'none' ? analyzeOne(r.file, r.explicit, linked) : r;
    }),
  };
}

/** Reports the files given by name that could not be read; true when one of them is not merely binary. */
function reportUnreadable(results: Checked[], io: Io): boolean {
  let unreadable = false;
  for (const r of results) {
    if (r.error && r.explicit) {
      io.err(`ftw: ${r.file}: ${r.error}\n`);
      if (!/binary file/.test(r.error)) unreadable = true;
    }
  }
  return unreadable;
}

async function check(args: string[], io: Io): Promise<number> {
  const { paths, options, gpus } = parseOptions(args, { format: ['text', 'json', 'sarif', 'github'], gpu: null });
  for (const g of gpus) if (!findGpu(g)) throw new UsageError(`unknown GPU '${g}'; known: ${GPUS.map((x) => x.name).join(', ')}`);
  const service = createDocumentService(loadSchemas());
  const format = options['format'] ?? 'text';
  // The progress line: text on a terminal only (json, sarif and github are read by programs; a pipe is too).
  const terminal = format === 'text' ? io.terminal : undefined;
  const progressFor = terminal ? (total: number) => createProgress(total, { enabled: true, write: io.err, columns: terminal.columns }) : undefined;
  const { results, progress } = await analyzeAll(service, paths, io.cwd, gpus, progressFor);
  const python = results.filter((r) => r.analysis?.detection.format === 'python-lightning').length;
  if (python) progress?.note(`Lightning checks of ${python} Python file${python === 1 ? '' : 's'}`);
  await checkPython(results, io.cwd);
  progress?.done();
  const unreadable = reportUnreadable(results, io);
  const configs = results.filter((r) => r.analysis && r.analysis.detection.format !== 'none');
  const reports: FileReport[] = configs.map((r) => ({ file: r.file, diagnostics: r.analysis!.diagnostics }));
  if (format === 'json') io.out(`${JSON.stringify(toJsonProblems(reports), null, 2)}\n`);
  else if (format === 'sarif') io.out(formatSarif(reports, VERSION, io.cwd));
  else if (format === 'github') io.out(formatGithub(reports, results.filter((r) => r.analysis).length, configs.length, io.cwd));
  else io.out(formatText(reports, results.filter((r) => r.analysis).length, configs.length, io.color));
  const errors = toJsonProblems(reports).some((p) => p.severity === 'error');
  return unreadable ? 2 : errors ? 1 : 0;
}

/** A fix can make another one possible (two fixes of one call, an import both need): fix-all runs until nothing
 *  safe is left, at most this many times. */
const MAX_FIX_PASSES = 8;

async function fix(args: string[], io: Io): Promise<number> {
  const dryRun = args.includes('--dry-run');
  const { paths } = parseOptions(
    args.filter((a) => a !== '--dry-run'),
    {},
  );
  const service = createDocumentService(loadSchemas());
  const { results, diagnose } = await analyzeAll(service, paths, io.cwd);
  await checkPython(results, io.cwd);
  const unreadable = reportUnreadable(results, io);
  let python: ((file: string, text: string) => Diagnostic[]) | undefined;
  let fixed = 0;
  let remaining = 0;
  for (const r of results) {
    if (!r.analysis || r.analysis.detection.format === 'none' || !r.analysis.diagnostics.length) continue;
    const read = readConfigFile(r.file);
    if (!read.ok) continue;
    const isPython = r.analysis.detection.format === 'python-lightning';
    if (isPython) python ??= await pythonDiagnoser(io.cwd);
    let bytes = read.bytes;
    let decoded = read.decoded;
    let diagnostics = r.analysis.diagnostics;
    const titles: string[] = [];
    for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
      const taken = preferredEdits(diagnostics);
      if (!taken.edits.length) break;
      // Edits go onto the bytes that were read: a BOM, CRLF and malformed UTF-8 outside them are written back as they were.
      const doc = TextDocument.create('file:///fix', 'plaintext', 1, decoded.text);
      bytes = applyEditsToBytes(
        bytes,
        decoded,
        taken.edits.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText })),
      );
      decoded = decodeText(bytes)!;
      titles.push(...taken.titles);
      diagnostics = isPython ? python!(r.file, decoded.text) : diagnose(r.file, decoded.text, r.linkedAs ?? null).diagnostics;
    }
    remaining += diagnostics.length + (encodingProblem(decoded, r.analysis) ? 1 : 0);
    if (!titles.length) continue;
    fixed += titles.length;
    if (dryRun) io.out(unifiedDiff(r.file, read.text, decoded.text));
    else {
      const written = writeRegularFile(r.file, bytes);
      if (written !== true) {
        io.err(`ftw: ${r.file}: ${written}\n`);
        fixed -= titles.length;
        continue;
      }
      io.out(`${r.file}: ${titles.length} fixed\n${titles.map((t) => `  ${t}\n`).join('')}`);
    }
  }
  io.out(
    `${dryRun ? 'Would fix' : 'Fixed'} ${fixed} problem${fixed === 1 ? '' : 's'}; ${remaining} need${remaining === 1 ? 's' : ''} a decision (run ftw check).\n`,
  );
  return unreadable ? 2 : 0;
}

/** Lightning diagnostics of a Python file's text, for the passes of `ftw fix`. */
async function pythonDiagnoser(cwd: string): Promise<(file: string, text: string) => Diagnostic[]> {
  const parser = await loadPythonParser();
  const version = resolveVersion('lightning', undefined, readWorkspacePins([cwd]), LIGHTNING_NEWEST);
  return (file, text) => {
    const path = resolve(cwd, file);
    return lightningDiagnostics(TextDocument.create(`file://${encodeURI(path)}`, 'python', 1, text), { parser, path, files: DISK, version });
  };
}

async function launch(args: string[], io: Io): Promise<number> {
  const dashDash = args.indexOf('--');
  const extra = dashDash >= 0 ? args.slice(dashDash + 1) : [];
  const own = (dashDash >= 0 ? args.slice(0, dashDash) : args).filter((a) => a !== '--dry-run' && a !== '--force');
  const dryRun = args.slice(0, dashDash >= 0 ? dashDash : args.length).includes('--dry-run');
  const force = args.slice(0, dashDash >= 0 ? dashDash : args.length).includes('--force');
  const { paths, options } = parseOptions(own, {
    launcher: [...LAUNCHERS],
    gpus: null,
    nodes: null,
    script: null,
    recipe: null,
    partition: null,
    time: null,
    python: null,
    'accelerate-config': null,
  });
  if (paths.length !== 1) throw new UsageError('launch needs exactly one CONFIG (or .py script)');
  const count = (name: string) => {
    const v = options[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1, not '${v}'`);
    return n;
  };
  const file = resolve(io.cwd, paths[0]);
  const read = readConfigFile(paths[0]);
  if (!read.ok) {
    io.err(`ftw: ${paths[0]}: ${read.reason}\n`);
    return 2;
  }
  let format: FormatId | 'python';
  let value: Record<string, unknown> | undefined;
  if (/\.py$/i.test(file)) format = 'python';
  else {
    const service = createDocumentService(loadSchemas());
    const doc = TextDocument.create(`file://${encodeURI(file)}`, /\.jsonc?$/i.test(file) ? 'json' : 'yaml', 1, read.text);
    const gpus = count('gpus') ?? 1;
    const analysis = service.analyze(doc, {
      settings: DEFAULT_SETTINGS,
      relativePath: paths[0],
      files: DISK,
      roots: [io.cwd],
      vram: {
        targets: await queryLocalGpus(),
        targetsAreReal: true,
        lookup: { hfCache: hfModelDimsReader(process.env, () => [io.cwd]) },
        launcherGpus: gpus * (count('nodes') ?? 1),
      },
    });
    if (analysis.detection.format === 'none') {
      io.err(`ftw: ${paths[0]}: not a training config this tool knows (see ftw detect); give a .py script to run a script\n`);
      return 2;
    }
    format = analysis.detection.format;
    value = analysis.parsed?.value as Record<string, unknown> | undefined;
    const errors = analysis.diagnostics.filter((d) => d.severity === 1);
    const oom = analysis.diagnostics.find((d) => d.code === 'FT401');
    if (oom) io.err(`ftw: warning: ${oom.message}\n`);
    if (errors.length && !force) {
      io.err(formatText([{ file: paths[0], diagnostics: errors }], 1, 1, false));
      io.err(`ftw: ${paths[0]}: ${errors.length} error${errors.length === 1 ? '' : 's'} would stop the run; fix them, or launch anyway with --force\n`);
      return 1;
    }
  }
  let plan: LaunchPlan;
  try {
    plan = planLaunch(
      {
        file,
        format,
        launcher: (options['launcher'] as Launcher | undefined) ?? 'local',
        ...(count('gpus') ? { gpus: count('gpus')! } : {}),
        ...(count('nodes') ? { nodes: count('nodes')! } : {}),
        cwd: io.cwd,
        args: extra,
        ...(value ? { value } : {}),
        ...(options['script'] ? { script: resolve(io.cwd, options['script']) } : {}),
        ...(options['recipe'] ? { recipe: options['recipe'] } : {}),
        ...(options['python'] ? { python: options['python'] } : {}),
        ...(options['accelerate-config'] ? { accelerateConfig: options['accelerate-config'] } : {}),
        slurm: { ...(options['partition'] ? { partition: options['partition'] } : {}), ...(options['time'] ? { time: options['time'] } : {}) },
      },
      existsSync,
    );
  } catch (e) {
    if (e instanceof LaunchError) {
      io.err(`ftw: ${paths[0]}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (dryRun) {
    const envs = Object.entries(plan.env)
      .map(([k, v]) => `${shellVarName(k)}=${shellQuote(v)} `)
      .join('');
    io.out(`# ${commentText(plan.description)}\n${envs}${shellJoin(plan.argv)}\n`);
    for (const f of plan.files) io.out(`\n# ${commentText(f.path)}\n${f.content}`);
    return 0;
  }
  if (!findProgram(plan.program)) {
    io.err(`ftw: '${plan.program}' was not found on the PATH. Install: ${plan.install}\n`);
    return 2;
  }
  io.err(`ftw: ${commentText(plan.description)}\nftw: ${shellJoin(plan.argv)}\n`);
  const runner = new JobRunner(plan, { output: (t) => io.out(t), status: (t) => io.err(`ftw: ${t}\n`) });
  const stop = () => runner.stop();
  process.once('SIGINT', stop);
  const result = await runner.start();
  process.removeListener('SIGINT', stop);
  io.err(`ftw: finished with exit code ${result.exitCode ?? `none (${result.signal ?? result.state ?? 'unknown'})`}\n`);
  return result.exitCode ?? 1;
}

/** A TrainingSetup JSON rather than a config: a JSON object with `model` and only setup fields. */
function looksLikeSetup(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.includes('model') && keys.every((k) => SETUP_FIELDS.has(k));
}

async function vram(args: string[], io: Io): Promise<number> {
  const json = args.includes('--json');
  const {
    paths,
    options,
    gpus: gpuNames,
  } = parseOptions(
    args.filter((a) => a !== '--json'),
    { gpu: null, gpus: null },
  );
  if (paths.length !== 1) throw new UsageError('vram needs exactly one CONFIG or SETUP.json');
  const launcherGpus = options['gpus'] !== undefined ? Number(options['gpus']) : undefined;
  if (launcherGpus !== undefined && !(Number.isInteger(launcherGpus) && launcherGpus >= 1))
    throw new UsageError(`--gpus must be a whole number ≥ 1, not '${options['gpus']}'`);
  const named = gpuNames.map((g) => {
    const found = findGpu(g);
    if (!found) throw new UsageError(`unknown GPU '${g}'; known: ${GPUS.map((x) => x.name).join(', ')}`);
    return found;
  });
  const local = named.length ? [] : await queryLocalGpus();
  const targets = named.length ? named : local.length ? local : REPRESENTATIVE_GPUS.map((n) => findGpu(n)!);
  const file = paths[0];
  const read = readConfigFile(file);
  if (!read.ok) {
    io.err(`ftw: ${file}: ${read.reason}\n`);
    return 2;
  }
  const lookup = { hfCache: hfModelDimsReader(process.env, () => [io.cwd]) };
  let result: Estimate;
  let fixes: string[] = [];
  let plan: FitPlan | undefined;
  try {
    let parsedJson: unknown;
    if (/\.json$/i.test(file)) {
      try {
        parsedJson = JSON.parse(read.text);
      } catch (e) {
        io.err(`ftw: ${file}: not valid JSON: ${(e as Error).message}\n`);
        return 2;
      }
    }
    if (looksLikeSetup(parsedJson)) {
      const raw = parsedJson as Record<string, unknown>;
      const setup = resolveSetup(launcherGpus ? { ...raw, gpus: launcherGpus } : raw);
      result = estimate(setup, { ...lookup, gpus: targets });
      if (result.gpus[0] && result.gpus[0].verdict !== 'fits') plan = planFit(setup, targets[0], lookup);
    } else {
      const service = createDocumentService(loadSchemas());
      const doc = TextDocument.create(`file://${encodeURI(resolve(io.cwd, file))}`, /\.jsonc?$/i.test(file) ? 'json' : 'yaml', 1, read.text);
      const analysis = service.analyze(doc, {
        settings: DEFAULT_SETTINGS,
        relativePath: file,
        files: DISK,
        roots: [io.cwd],
        vram: { targets, targetsAreReal: true, lookup, ...(launcherGpus ? { launcherGpus } : {}) },
      });
      const v = analysis.vram;
      if (analysis.detection.format === 'none') {
        io.err(`ftw: ${file}: neither a training config nor a TrainingSetup JSON (a setup needs "model"; see docs/vram.md)\n`);
        return 2;
      }
      if (!v?.estimate) {
        io.err(`ftw: ${file}: no estimate for this ${FORMATS[analysis.detection.format].label} file: ${v?.unavailable?.reason ?? 'it has no model'}\n`);
        return 2;
      }
      result = v.estimate;
      plan = v.plan;
      fixes = v.options.map((o) => `  ${o.fits ? '✓' : '✗'} ${o.title}${o.also ? ` — ${o.also}` : ''}`);
    }
  } catch (e) {
    if (e instanceof SetupError || e instanceof UnknownModelError) {
      io.err(`ftw: ${file}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (json) io.out(`${JSON.stringify(estimateJson(result), null, 2)}\n`);
  else {
    io.out(`${file}: ${estimateText(result)}`);
    if (plan)
      io.out(
        `\n${plan.verdict === 'tight' ? 'What buys margin on' : 'What would make it fit'} the ${shortGpuName(plan.target.name)}:\n${planLines(plan).join('\n')}\n`,
      );
    if (fixes.length) io.out(`\nOne change at a time:\n${fixes.join('\n')}\n`);
    if (!named.length && !local.length) io.out(`\n(GPUs: a representative set; name yours with --gpu "RTX 3090")\n`);
  }
  return named.length && result.gpus.some((g) => g.verdict === 'no') ? 1 : 0;
}

function detect(args: string[], io: Io): number {
  const { paths } = parseOptions(args, {});
  if (!paths.length) throw new UsageError('detect needs at least one PATH');
  const service = createDocumentService(loadSchemas());
  const files = expandPaths(paths, /\.(ya?ml|jsonc?|py)$/i);
  let status = 0;
  for (const f of files) {
    const read = readConfigFile(f.path);
    if (!read.ok) {
      io.err(`ftw: ${f.path}: ${read.reason}\n`);
      io.out(`${f.path}\tnone\n`);
      if (f.explicit && !/binary file/.test(read.reason)) status = 2;
      continue;
    }
    const doc = TextDocument.create(
      `file://${encodeURI(resolve(io.cwd, f.path))}`,
      /\.jsonc?$/i.test(f.path) ? 'json' : /\.py$/i.test(f.path) ? 'python' : 'yaml',
      1,
      read.text,
    );
    // Files: a Hydra `defaults:` list is recognised by the config-group files next to it.
    const analysis = service.analyze(doc, {
      settings: { ...DEFAULT_SETTINGS, validation: { ...DEFAULT_SETTINGS.validation, enable: false } },
      relativePath: f.path,
      files: DISK,
    });
    io.out(`${f.path}\t${analysis.detection.format}\n`);
  }
  return status;
}

/** Where a released schema can be fetched by editors that know nothing of ftw (yaml-language-server, JetBrains):
 *  the file as committed at this version's tag, so a modeline written today keeps meaning the same schema. */
export function schemaUrl(file: string, version = VERSION): string {
  return `https://raw.githubusercontent.com/finetune-workbench/finetune-workbench/v${version}/schemas/${file}.schema.json`;
}

function schema(args: string[], io: Io): number {
  const modeline = args.includes('--modeline');
  const { paths } = parseOptions(
    args.filter((a) => a !== '--modeline'),
    {},
  );
  const [name] = paths;
  if (!name || paths.length > 1) throw new UsageError('schema needs exactly one FORMAT');
  if (!isFormatId(name)) throw new UsageError(`unknown format '${name}'; formats: ${CONFIG_FORMAT_IDS.join(', ')}`);
  const file = FORMATS[name].schema;
  const schemas = loadSchemas();
  if (!file || !schemas[file]) {
    io.err(`ftw: no bundled schema for ${FORMATS[name].label} in this version (schemas: ${Object.keys(schemas).join(', ')})\n`);
    return 2;
  }
  if (modeline) {
    if (name === 'deepspeed') {
      io.err(
        `ftw: a modeline is a YAML comment and DeepSpeed configs are JSON: map the schema in your editor instead (VS Code: "json.schemas": [{"fileMatch": ["ds_config*.json"], "url": "${schemaUrl(file)}"}]; see docs/integrations.md)\n`,
      );
      return 2;
    }
    io.out(`# yaml-language-server: $schema=${schemaUrl(file)}\n`);
    return 0;
  }
  io.out(`${JSON.stringify(schemas[file], null, 2)}\n`);
  return 0;
}

/** Process entry: bin/ftw calls this. */
export async function run(): Promise<void> {
  const code = await main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    cwd: process.cwd(),
    color: Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'],
    ...(process.stdout.isTTY && process.stderr.isTTY ? { terminal: { columns: process.stderr.columns || 80 } } : {}),
  });
  if (code >= 0) process.exitCode = code;
}

// The core's paths follow this machine's, as node:path does (win32 on Windows).
setPathStyle(process.platform === 'win32' ? 'win32' : 'posix');

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  const { work, version } = workerData as { work: PythonWork; version: ToolVersion };
  void checkHere(work, version).then((out) => parentPort!.postMessage([...out]));
} else if (require.main === module) void run();
