import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { seededRandom } from '../bench/fixtures';
import { REPO, TestClient } from './client';
import type { MemoryUsageResult } from '../../server/src/protocol';
import { updateDocument } from '../../server/src/textDocuments';

/**
 * Drives the built server over stdio with seeded random edits and requests, as an editor would while someone types
 * (and pastes junk), and checks what must hold whatever the text: no crash and no error logged, every request
 * answered within `deadlineMs`, the diagnostics after the edits equal to those of a fresh open of the same text,
 * and nothing kept once the documents are closed, the heap back near where it started.
 */

export interface FuzzFile {
  /** Workspace-relative path: its name and folder take part in detection. */
  path: string;
  text: string;
}

export interface FuzzOptions {
  seed: number;
  /** Edits in all (a typed word may run a few over); files are taken in turn, shuffled by the seed, until they are spent. */
  edits: number;
  editsPerFile: number;
  /** Requests after each edit, on average. */
  requestsPerEdit: number;
  deadlineMs: number;
  files: FuzzFile[];
  /** Where to write the text of a file whose diagnostics differ (for reproducing). */
  failureDir?: string;
}

export interface FuzzReport {
  edits: number;
  requests: number;
  documents: number;
  slowest: { method: string; ms: number; file: string };
  /** Files whose diagnostics after the edits differ from a fresh open (with where the texts were written). */
  mismatches: string[];
  /** Requests not answered in time, failed requests, errors the server logged, what it wrote to stderr. */
  failures: string[];
  memory: { start: MemoryUsageResult; end: MemoryUsageResult };
  ms: number;
}

/** The fixtures of test/lsp/fuzz (configs written for these tests), then the shared corpus when there is one. */
export function fuzzFiles(withCorpus: boolean): FuzzFile[] {
  const own = join(REPO, 'test', 'lsp', 'fuzz');
  const files = readdirSync(own)
    .sort()
    .map((f) => ({ path: f, text: readFileSync(join(own, f), 'utf8') }));
  const corpus = corpusDir();
  if (!withCorpus || !corpus) return files;
  for (const folder of [
    'configs/axolotl',
    'configs/deepspeed',
    'configs/llamafactory',
    'configs/trl',
    'configs/torchtune',
    'configs/lightning-cli',
    'configs/accelerate',
    'lightning',
    'unrelated',
  ]) {
    const dir = join(corpus, folder);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort())
      if (/\.(ya?ml|json|py)$/.test(f)) files.push({ path: `corpus/${folder}/${f}`, text: readFileSync(join(dir, f), 'utf8') });
  }
  return files;
}

/** FTW_CORPUS, else ../shared/corpus beside the repository; undefined when neither exists. */
export function corpusDir(): string | undefined {
  const dir = process.env['FTW_CORPUS'] ?? join(REPO, '..', 'shared', 'corpus');
  return existsSync(dir) ? dir : undefined;
}

/** What people type and paste into configs, the characters that matter to YAML and JSON, and hostile input. */
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ': ',
  ',',
  '-',
  '- ',
  '#',
  '"',
  "'",
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\\',
  '|',
  '>',
  '? ',
  '!',
  '%',
  '@',
  '`',
  '&a ',
  '*a',
  '<<: *a',
  '&b {x: 1}',
  '!!python/object/apply:os.system ["x"] ',
  '!Ref ',
  '!!str ',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  'yes',
  'no',
  'on',
  'null',
  '~',
  '1e-4',
  '2.0e-5',
  '0.1',
  '-1',
  '8',
  'true',
  'auto',
  '"auto"',
  'é',
  '😀',
  '\u2028',
  '\ufeff',
  '\u0000',
  'base_model: NousResearch/Llama-3.2-1B\n',
  'micro_batch_size: 2\n',
  'lora_r: 8\n',
  'lora_dropuot: 0.1\n',
  'deepspeed: ds_config.json\n',
  'datasets:\n  - path: x\n    type: alpaca\n',
  '{oops:\n',
  '"zero_optimization": {"stage": 3},',
  '"train_micro_batch_size_per_gpu": 2,',
  'trainer:\n  gpus: 2\n',
  '  - class_path: x\n    init_args:\n',
  'model:\n  _component_: torchtune.models.llama3_2.lora_llama3_2_1b\n',
  'trainer = pl.Trainer(gpus=2, accelerator="ddp")\n',
  '    def validation_epoch_end(self, outputs):\n        pass\n',
  'from pytorch_lightning import Trainer\n',
  'import lightning.pytorch as pl\n',
  'class M(pl.LightningModule):\n',
  'self.log("x", 1, sync_dist_op="mean")',
  '(',
  ')',
  'precision=16',
  '"""',
];
/** Keys typed one character at a time (each keystroke an edit, as in an editor). */
const TYPED = [
  'gradient_checkpointing: true',
  'learning_rate: 0.0001',
  'sample_packing: true',
  '"gradient_clipping": 1.0',
  'resume_from_checkpoint=True',
  'optimizer: adamw_bnb_8bit',
];

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** One random edit of `text` (never inside a surrogate pair, as an editor would not split one). */
function randomEdits(text: string, rnd: () => number): Edit[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const at = (): number => {
    let o = Math.floor(rnd() * (text.length + 1));
    if (o > 0 && o < text.length && /[\udc00-\udfff]/.test(text[o])) o--;
    return o;
  };
  const lineBounds = (o: number): [number, number] => {
    const s = text.lastIndexOf('\n', o - 1) + 1;
    const e = text.indexOf('\n', o);
    return [s, e < 0 ? text.length : e + 1];
  };
  const r = rnd();
  if (r < 0.35) {
    const o = at();
    return [{ start: o, end: o, text: pick(TOKENS) }];
  }
  if (r < 0.5) {
    const o = at();
    const end = Math.min(text.length, o + 1 + Math.floor(rnd() * 20));
    return [{ start: o, end: end < text.length && /[\udc00-\udfff]/.test(text[end]) ? end + 1 : end, text: '' }];
  }
  if (r < 0.6) {
    const o = at();
    const end = Math.min(text.length, o + 1 + Math.floor(rnd() * 8));
    return [{ start: o, end: end < text.length && /[\udc00-\udfff]/.test(text[end]) ? end + 1 : end, text: pick(TOKENS) }];
  }
  if (r < 0.7) {
    const [s, e] = lineBounds(at());
    return [
      rnd() < 0.5 ? { start: s, end: e, text: '' } : { start: e, end: e, text: text.slice(s, e).endsWith('\n') ? text.slice(s, e) : `\n${text.slice(s, e)}` },
    ];
  }
  if (r < 0.8) {
    const [s] = lineBounds(at());
    return [rnd() < 0.5 ? { start: s, end: s, text: '  ' } : { start: s, end: Math.min(text.length, s + (text.startsWith('  ', s) ? 2 : 0)), text: '' }];
  }
  // Typing a key at the start of a line, one keystroke per edit.
  const [s] = lineBounds(at());
  const word = `${pick(TYPED)}\n`;
  return [...word].map((ch, i) => ({ start: s + i, end: s + i, text: ch }));
}

type Request = { method: string; params: unknown };

function randomRequest(doc: TextDocument, diagnostics: Diagnostic[], rnd: () => number): Request {
  const line = Math.floor(rnd() * doc.lineCount);
  const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, '');
  const position = { line, character: Math.floor(rnd() * (lineText.length + 1)) };
  const textDocument = { uri: doc.uri };
  const r = rnd();
  if (r < 0.3) return { method: 'textDocument/completion', params: { textDocument, position } };
  if (r < 0.55) return { method: 'textDocument/hover', params: { textDocument, position } };
  if (r < 0.65) return { method: 'textDocument/documentSymbol', params: { textDocument } };
  if (r < 0.8) {
    const only = [undefined, ['quickfix'], ['source.fixAll'], ['source']][Math.floor(rnd() * 4)];
    const near = diagnostics.filter((d) => d.range.start.line <= line && d.range.end.line >= line);
    return {
      method: 'textDocument/codeAction',
      params: { textDocument, range: { start: position, end: position }, context: { diagnostics: near, ...(only ? { only } : {}) } },
    };
  }
  if (r < 0.87) return { method: 'textDocument/codeLens', params: { textDocument } };
  if (r < 0.94)
    return {
      method: 'textDocument/inlayHint',
      params: { textDocument, range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) } },
    };
  if (r < 0.97) return { method: 'finetune/launchInfo', params: { uri: doc.uri } };
  return { method: 'finetune/vramBreakdown', params: { uri: doc.uri } };
}

/** Runs the fuzz session; the caller asserts on the report. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const rnd = seededRandom(options.seed);
  const client = new TestClient([process.execPath, '--expose-gc', join(REPO, 'dist', 'server.js'), '--stdio']);
  const failures: string[] = [];
  const mismatches: string[] = [];
  // Our own bookkeeping of what the server publishes: the latest diagnostics per document and version.
  const latest = new Map<string, { version: number | undefined; diagnostics: Diagnostic[] }>();
  const waiters: Array<{ uri: string; version: number; resolve: (d: Diagnostic[]) => void }> = [];
  client.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    latest.set(p.uri, { version: p.version, diagnostics: p.diagnostics });
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.version === p.version) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  client.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => {
    if (p.type === 1 || /could not (?:analyze|check)/.test(p.message)) failures.push(`server log: ${p.message.slice(0, 2000)}`);
  });
  const published = (uri: string, version: number): Promise<Diagnostic[]> => {
    const now = latest.get(uri);
    if (now && now.version === version) return Promise.resolve(now.diagnostics);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} version ${version} within ${options.deadlineMs} ms`)), options.deadlineMs);
      waiters.push({
        uri,
        version,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  };

  const root = 'file:///fuzz/workspace';
  await client.initialize(root);
  const slowest = { method: '', ms: 0, file: '' };
  let requests = 0;
  const ask = async (request: Request, file: string): Promise<void> => {
    requests++;
    try {
      const { ms } = await client.request(request.method, request.params, options.deadlineMs);
      if (ms > slowest.ms) Object.assign(slowest, { method: request.method, ms: Math.round(ms), file });
    } catch (e) {
      failures.push(`${file}: ${request.method} ${JSON.stringify(request.params).slice(0, 300)}: ${(e as Error).message}`);
    }
  };
  const languageOf = (path: string) => (path.endsWith('.py') ? 'python' : path.endsWith('.json') ? 'json' : 'yaml');

  // Warm up (schemas compiled, tree-sitter loaded), then the baseline.
  for (const [i, f] of options.files.slice(0, 12).entries()) {
    const uri = `${root}/warm/${i}/${f.path}`;
    await client.open(uri, f.text, languageOf(f.path), 1);
    await published(uri, 1).catch((e: Error) => failures.push(e.message));
    await client.close(uri);
  }
  const start = (await client.request<MemoryUsageResult>('finetune/memoryUsage', null, 10_000)).result;

  // Our fixtures first (so that a short session covers every format), then the corpus; each group shuffled.
  const shuffled = (files: FuzzFile[]) =>
    files
      .map((f) => ({ f, k: rnd() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.f);
  const order = [
    ...shuffled(options.files.filter((f) => !f.path.startsWith('corpus/'))),
    ...shuffled(options.files.filter((f) => f.path.startsWith('corpus/'))),
  ];
  let edits = 0;
  let documents = 0;
  for (let n = 0; edits < options.edits; n++) {
    const file = order[n % order.length];
    const uri = `${root}/${n}/${file.path}`;
    const languageId = languageOf(file.path);
    let doc = TextDocument.create(uri, languageId, 1, file.text);
    documents++;
    await client.open(uri, doc.getText(), languageId, 1);
    for (let k = 0; k < options.editsPerFile && edits < options.edits; ) {
      for (const e of randomEdits(doc.getText(), rnd)) {
        k++;
        const range = { start: doc.positionAt(e.start), end: doc.positionAt(e.end) };
        // As the server keeps it, and as an editor's own model counts lines (see server/src/textDocuments.ts).
        doc = updateDocument(doc, [{ range, text: e.text }], doc.version + 1);
        if (process.env['FTW_FUZZ_TRACE']) writeFileSync(join(process.env['FTW_FUZZ_TRACE'], `${n}-${String(doc.version).padStart(4, '0')}`), doc.getText());
        await client.connection.sendNotification('textDocument/didChange', {
          textDocument: { uri, version: doc.version },
          contentChanges: [{ range, text: e.text }],
        });
        edits++;
        const count = Math.floor(rnd() * options.requestsPerEdit * 2 + 0.5);
        for (let q = 0; q < count; q++) await ask(randomRequest(doc, latest.get(uri)?.diagnostics ?? [], rnd), file.path);
      }
    }
    // The oracle: what the edits led to must be what a fresh open of the same text gives.
    let afterEdits: Diagnostic[] | undefined;
    try {
      afterEdits = await published(uri, doc.version);
    } catch (e) {
      failures.push(`${file.path}: ${(e as Error).message}`);
    }
    await client.close(uri);
    const freshVersion = 1_000_000 + n;
    await client.open(uri, doc.getText(), languageId, freshVersion);
    try {
      const fresh = await published(uri, freshVersion);
      if (afterEdits && JSON.stringify(afterEdits) !== JSON.stringify(fresh))
        mismatches.push(recordMismatch(options, n, file, doc.getText(), afterEdits, fresh));
    } catch (e) {
      failures.push(`${file.path} (fresh open): ${(e as Error).message}`);
    }
    await client.close(uri);
  }

  const end = (await client.request<MemoryUsageResult>('finetune/memoryUsage', null, 10_000)).result;
  const code = await client.shutdown();
  if (code !== 0) failures.push(`the server exited with ${code}`);
  if (client.stderr.trim()) failures.push(`the server wrote to stderr: ${client.stderr.slice(0, 2000)}`);
  // The same failure on every keystroke is one failure.
  const counted = [...failures.reduce((m, f) => m.set(f, (m.get(f) ?? 0) + 1), new Map<string, number>())].map(([f, k]) => (k > 1 ? `${f} (×${k})` : f));
  return { edits, requests, documents, slowest, mismatches, failures: counted, memory: { start, end }, ms: Math.round(performance.now() - started) };
}

function recordMismatch(options: FuzzOptions, n: number, file: FuzzFile, text: string, afterEdits: Diagnostic[], fresh: Diagnostic[]): string {
  const brief = (d: Diagnostic[]) =>
    d.map((x) => `${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character} ${x.code} ${x.message.slice(0, 80)}`);
  let where = '';
  if (options.failureDir) {
    mkdirSync(options.failureDir, { recursive: true });
    const name = join(options.failureDir, `seed${options.seed}-${n}-${basename(file.path)}`);
    writeFileSync(name, text);
    writeFileSync(`${name}.diagnostics.json`, JSON.stringify({ afterEdits, fresh }, null, 2));
    where = ` (text: ${name})`;
  }
  return `${file.path} after edits #${n}${where}: after edits ${JSON.stringify(brief(afterEdits))}, fresh open ${JSON.stringify(brief(fresh))}`;
}
