import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  WorkDoneProgress,
} from 'vscode-languageserver-protocol/node';

export const REPO = join(__dirname, '..', '..', '..');
/** Where the servers the LSP tests start keep their V8 code cache. */
export const TEST_CODE_CACHE_DIR = join(REPO, 'out', 'test-code-cache');

export interface ServerSettings {
  validation: { enable: boolean; delay: number; maxFileSizeKB: number };
  formatAssociations: Record<string, string>;
  gpus?: unknown[];
  vram?: { codeLens: boolean; inlayHints: boolean };
}

/** A real LSP client over stdio for the built server (dist/server.js), as any editor would run it. */
export class TestClient {
  readonly connection: ProtocolConnection;
  private readonly process: ChildProcess;
  private readonly waiters: Array<{ uri: string; predicate: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }> = [];
  readonly published = new Map<string, Diagnostic[]>();
  /** How many times diagnostics were published per document. */
  readonly publishCount = new Map<string, number>();
  readonly formats = new Map<string, { format: string }>();
  /** Work-done progress the server sent ($/progress), in order, and the tokens it asked to create. */
  readonly progress: Array<{
    token: string | number;
    value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number; cancellable?: boolean };
  }> = [];
  readonly createdProgress: Array<string | number> = [];
  settings: ServerSettings = { validation: { enable: true, delay: 0, maxFileSizeKB: 1024 }, formatAssociations: {} };
  stderr = '';
  /** window/logMessage messages, in order. */
  readonly logs: string[] = [];

  constructor(command: string[] = [process.execPath, join(REPO, 'dist', 'server.js'), '--stdio'], env: NodeJS.ProcessEnv = {}) {
    // No GPU unless a test gives one: nvidia-smi is replaced by a program that fails.
    // The servers of a test run share a code cache of their own (server/src/codeCache.ts), not the user's.
    const codeCache = { FTW_CODE_CACHE_DIR: TEST_CODE_CACHE_DIR };
    this.process = spawn(command[0], command.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, FTW_NVIDIA_SMI: '/bin/false', ...codeCache, ...env },
    });
    this.process.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.set(p.uri, p.diagnostics);
      this.publishCount.set(p.uri, (this.publishCount.get(p.uri) ?? 0) + 1);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.predicate(p.diagnostics)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    this.connection.onNotification('finetune/documentFormat', (p: { uri: string; format: string }) => this.formats.set(p.uri, p));
    this.connection.onNotification('window/logMessage', (p: { message: string }) => this.logs.push(p.message));
    this.connection.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      this.createdProgress.push(p.token);
      this.watchProgress(p.token);
      return null;
    });
    this.connection.listen();
  }

  /** `workDoneProgress`: declare window.workDoneProgress, as VS Code does (the server then reports progress). */
  async initialize(rootUri = 'file:///work/project', options: { workDoneProgress?: boolean } = {}): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'project' }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true } },
        ...(options.workDoneProgress ? { window: { workDoneProgress: true } } : {}),
      },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Records the $/progress of a token (one the server created is watched already). */
  watchProgress(token: string | number): void {
    this.connection.onProgress(WorkDoneProgress.type, token, (value) => this.progress.push({ token, value }));
  }

  /** The next publishDiagnostics for `uri` that satisfies `predicate`; rejects after `ms` (a hang guard). */
  diagnostics(uri: string, predicate: (d: Diagnostic[]) => boolean = () => true, ms = 5000): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching diagnostics for ${uri} within ${ms} ms; last: ${JSON.stringify(this.published.get(uri))}`)),
        ms,
      );
      this.waiters.push({
        uri,
        predicate,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  }

  open(uri: string, text: string, languageId = 'yaml', version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** A request that must be answered within `ms`: no request may hang, whatever the input. */
  async request<R>(method: string, params: unknown, ms = 1000): Promise<{ result: R; ms: number }> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${method} not answered within ${ms} ms`)), ms);
    });
    try {
      const result = await Promise.race([this.connection.sendRequest<R>(method, params), timeout]);
      return { result, ms: performance.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  async shutdown(): Promise<number | null> {
    try {
      await this.request('shutdown', null, 2000);
      await this.connection.sendNotification('exit');
    } catch {
      /* the process is killed below */
    }
    const code = await new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) return resolve(this.process.exitCode);
      const timer = setTimeout(() => {
        this.process.kill('SIGKILL');
        resolve(null);
      }, 2000);
      this.process.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    this.connection.dispose();
    return code;
  }

  get alive(): boolean {
    return this.process.exitCode === null && !this.process.killed;
  }
}
