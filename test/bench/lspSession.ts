// A minimal LSP client over stdio for the benchmarks: spawns a server, answers the requests a server makes of
// its client (workspace/configuration above all), and turns publishDiagnostics into awaitable events with
// receive timestamps.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  ConfigurationParams,
  ConfigurationRequest,
  createProtocolConnection,
  Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeParams,
  InitializeRequest,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

export interface ServerSpec {
  /** Label used in tables. */
  name: string;
  /** Executable and arguments, e.g. process.execPath and [script, '--stdio']. */
  command: string;
  args: string[];
  /** The settings tree the client serves, e.g. `{ finetune: {...} }` or `{ yaml: {...}, http: {...} }`. */
  settings: Record<string, unknown>;
  /** Milliseconds the server waits after a change before validating (its debounce), as far as we know. */
  debounceMs: number;
  /** Diagnostics that count as schema validation (not merely YAML syntax); used to check a comparison is real. */
  isSchemaDiagnostic(d: Diagnostic): boolean;
  /** Environment added for each process, asked anew at every spawn (e.g. a fresh, empty code cache folder). */
  env?: () => NodeJS.ProcessEnv;
}

export interface DiagnosticsEvent {
  params: PublishDiagnosticsParams;
  /** performance.now() when the notification was read. */
  at: number;
}

interface Waiter {
  uri: string;
  minVersion?: number;
  resolve(e: DiagnosticsEvent): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Looks a section up in a settings tree: exact key first ("[yaml]"), then as a dotted path ("finetune.validation"). */
export function lookupSection(tree: Record<string, unknown>, section: string | undefined): unknown {
  if (section === undefined || section === '') return tree;
  if (section in tree) return tree[section];
  let node: unknown = tree;
  for (const part of section.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return null;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** USER_HZ: /proc reports CPU times in these ticks; Linux fixes it at 100 for user space (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

export class LspSession {
  readonly log: string[] = [];
  /** How many workspace/configuration requests the server made, and when the last was answered. */
  configurationRequests = 0;
  lastConfigurationAt = 0;
  /** publishDiagnostics that arrived while nobody waited for them (a second publish per change, late stragglers). */
  unexpectedPublishes = 0;
  private readonly waiters: Waiter[] = [];
  private exited = false;

  private constructor(
    readonly spec: ServerSpec,
    private readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
    private readonly rootUri: string,
  ) {}

  /** Spawns the server and sends initialize; `initializeMs` is spawn → initialize result. */
  static async start(spec: ServerSpec, rootUri: string): Promise<{ session: LspSession; initializeMs: number }> {
    const t0 = performance.now();
    const child = spawn(spec.command, spec.args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...spec.env?.() } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const session = new LspSession(spec, child, connection, rootUri);
    child.stderr.on('data', (chunk: Buffer) => session.log.push(`[stderr] ${chunk.toString().trimEnd()}`));
    child.on('exit', (code, signal) => {
      session.exited = true;
      const err = new Error(`${spec.name} exited (code ${code}, signal ${signal}) while a test waited:\n${session.tail()}`);
      for (const w of session.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    });
    session.wire();
    connection.listen();
    const params: InitializeParams = {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'bench' }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false }, workspaceFolders: true },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        },
      },
      initializationOptions: {},
    };
    const spawnError = new Promise<never>((_, reject) => child.on('error', reject));
    await Promise.race([connection.sendRequest(InitializeRequest.type, params), spawnError]);
    const initializeMs = performance.now() - t0;
    await connection.sendNotification(InitializedNotification.type, {});
    return { session, initializeMs };
  }

  private wire(): void {
    const c = this.connection;
    c.onRequest(ConfigurationRequest.type, (params: ConfigurationParams) => {
      this.configurationRequests++;
      this.lastConfigurationAt = performance.now();
      return params.items.map((item) => lookupSection(this.spec.settings, item.section) ?? null);
    });
    // Requests servers make of any client; those not listed get MethodNotFound, which servers tolerate.
    for (const method of [
      'client/registerCapability',
      'client/unregisterCapability',
      'window/workDoneProgress/create',
      'window/showMessageRequest',
      'workspace/codeLens/refresh',
      'workspace/semanticTokens/refresh',
      'workspace/inlayHint/refresh',
      'workspace/diagnostic/refresh',
    ]) {
      c.onRequest(method, () => {
        this.log.push(`[request] ${method}`);
        return null;
      });
    }
    c.onRequest('workspace/workspaceFolders', () => [{ uri: this.rootUri, name: 'bench' }]);
    c.onNotification(PublishDiagnosticsNotification.type, (params) => this.onDiagnostics({ params, at: performance.now() }));
    for (const method of ['window/logMessage', 'window/showMessage']) {
      c.onNotification(method, (params: { message?: string }) => this.log.push(`[${method}] ${params?.message ?? ''}`));
    }
    c.onNotification('telemetry/event', () => undefined);
    c.onError(([err]) => this.log.push(`[connection error] ${err.message}`));
  }

  private onDiagnostics(e: DiagnosticsEvent): void {
    const i = this.waiters.findIndex(
      (w) => w.uri === e.params.uri && (w.minVersion === undefined || e.params.version === undefined || e.params.version >= w.minVersion),
    );
    if (i < 0) {
      this.unexpectedPublishes++;
      return;
    }
    const [w] = this.waiters.splice(i, 1);
    clearTimeout(w.timer);
    w.resolve(e);
  }

  /**
   * The next publishDiagnostics for `uri`. When the server reports versions, publishes for older versions are
   * skipped; servers that do not (yaml-language-server) get the next publish, which is why callers wait for each
   * change's diagnostics before sending the next change.
   */
  nextDiagnostics(uri: string, minVersion?: number, timeoutMs = 30_000): Promise<DiagnosticsEvent> {
    if (this.exited) return Promise.reject(new Error(`${this.spec.name} is not running:\n${this.tail()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const idx = this.waiters.indexOf(waiter);
        if (idx >= 0) this.waiters.splice(idx, 1);
        reject(new Error(`${this.spec.name}: no diagnostics for ${uri} (version ≥ ${minVersion}) within ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
      const waiter: Waiter = { uri, minVersion, resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  /** Resolves once no configuration request has come for `quietMs` (servers pull settings after initialized). */
  async settle(quietMs: number, maxMs = 10_000): Promise<void> {
    const start = performance.now();
    for (;;) {
      await sleep(quietMs / 4);
      const now = performance.now();
      const lastActivity = Math.max(this.lastConfigurationAt, start);
      if (now - lastActivity >= quietMs || now - start >= maxMs) return;
    }
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'yaml', version, text },
    });
  }

  /** Sends a full-text didChange and returns performance.now() right before it was written. */
  async change(uri: string, version: number, text: string): Promise<number> {
    const t0 = performance.now();
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return t0;
  }

  async didChangeConfiguration(): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: this.spec.settings });
  }

  /** shutdown + exit, then a kill if the process lingers. */
  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await withTimeout(this.connection.sendRequest(ShutdownRequest.type), 3000);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // fall through to kill
      }
      const exited = new Promise<void>((resolve) => (this.exited ? resolve() : this.child.once('exit', () => resolve())));
      await Promise.race([exited, sleep(2000)]);
      if (!this.exited) this.child.kill();
    }
    this.connection.dispose();
  }

  /**
   * CPU time the server process has used so far (user + system, /proc on Linux; null elsewhere). `mainThread`: only
   * the thread that runs JavaScript, not V8's helper threads (optimizing compilers, parallel garbage collection).
   */
  cpuMs(mainThread = false): number | null {
    try {
      const pid = this.child.pid;
      const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return null;
    }
  }

  tail(lines = 20): string {
    return this.log.slice(-lines).join('\n');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}
