import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type CancellationToken,
  ErrorCodes,
  ResponseError,
} from 'vscode-languageserver/node';
import { TEXT_DOCUMENTS } from './textDocuments';
import { CONFIG_FORMAT_IDS, FIX_ALL_KIND, FORMATS, pathOfUri } from './core/config';
import { createDocumentService } from './core/document';
import { migrateWorkspace } from './migrateWorkspace';
import { ConfigDocuments } from './documents';
import {
  DOCUMENT_FORMAT,
  ENSEMBLE,
  EXECUTE_COMMANDS,
  LAUNCH_PLAN,
  NEW_CONFIG,
  NEW_CONFIG_CHOICES,
  JOB_OUTCOME,
  LAUNCH_INFO,
  LIST_CONFIGS,
  LIST_FORMATS,
  MEMORY_USAGE,
  MIGRATE_WORKSPACE,
  READ_FILES,
  SET_FORMAT_OVERRIDE,
  VRAM_BREAKDOWN,
  type FinetuneSettings,
  type VramBreakdownResult,
  type ConfigEntry,
  type FormatChoice,
  type JobOutcomeParams,
  type LaunchInfoParams,
  type LaunchInfoResult,
  type MemoryUsageResult,
  type InitializationOptions,
  type MigrateWorkspaceParams,
  type ReadFilesParams,
  type SetFormatOverrideParams,
} from './protocol';
import { loadSchemas } from './schemaFiles';
import { SettingsCache } from './settings';
import { queryLocalGpus } from './localGpus';
import { withWorkDone } from './workProgress';
import { badParams, generateConfig, lengthBucketEnsemble, newConfigChoices, type WizardHost } from './wizardRequests';
import { launchPlan } from './launchPlanRequest';
import { readTextFile } from './workspaceFiles';
import { activeCodeCache } from './codeCache';

/** After the first diagnostics, how long the background work (schema warm-up, code cache) waits. */
const BACKGROUND_DELAY_MS = 1000;
/** After `initialized`, when no file has been opened, how long it waits. */
const BACKGROUND_IDLE_MS = 2000;

/** Trees of more files than this show progress while configs are listed (the CLI's threshold, cli/progress.ts). */
const LARGE_TREE_FILES = 200;
import { SHOW_VRAM_COMMAND, vramBreakdown, vramCodeLenses, vramHover, vramInlayHints } from './core/vram';

export interface ServerOptions {
  /** The web worker (server/src/web/worker.ts): no disk, so the files a config names are asked of a client that
   *  answers `finetune/readFiles` (InitializationOptions.readFiles). The desktop server reads the disk. */
  filesFromClient?: boolean;
}

/** Starts the language server on a connection (stdio, IPC or pipe, as the process arguments say). */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all), options: ServerOptions = {}): Connection {
  const documents = new TextDocuments(TEXT_DOCUMENTS);
  const service = createDocumentService(loadSchemas());
  let workspaceFolders: string[] = [];
  let pullConfiguration = false;
  let folderEvents = false;
  let probeGpus = true;
  let lensIcons = false;
  // Work no open file waits for: loading every schema's validator (the first file loads its own on demand), then
  // writing the code cache (codeCache.ts). It starts BACKGROUND_DELAY_MS after the first diagnostics are out (by
  // then V8 has compiled what a config's first check runs), or BACKGROUND_IDLE_MS after `initialized` when no file
  // is opened; before, the warm-up ran right after `initialized` and the first file waited for all ten validators.
  let backgroundStarted = false;
  let firstPublished = false;
  let backgroundTimer: NodeJS.Timeout | undefined;
  const startBackgroundWork = (): void => {
    if (backgroundStarted) return;
    backgroundStarted = true;
    clearTimeout(backgroundTimer);
    void withWorkDone(connection, { title: 'Fine-Tune: loading config schemas', cancellable: false }, async (count) => {
      const ids = service.schemaIds();
      const steps = count(ids.length);
      for (const [i, id] of ids.entries()) {
        await steps.step(i, id);
        // One schema per turn of the event loop: a document opened or edited meanwhile is answered first.
        await new Promise((resolve) => setImmediate(resolve));
        service.warmUp(id);
      }
      await steps.step(ids.length);
    })
      .catch((e) => connection.console.error(`Fine-Tune Workbench: loading the schemas failed: ${String(e)}`))
      .finally(() => {
        const cache = activeCodeCache();
        if (!cache) return;
        const { files, bytes, ms } = cache.save();
        const loads = cache.loads.map((l) => `${l.file.split(/[\\/]/).pop()} ${l.status}`).join(', ');
        connection.console.log(`Fine-Tune Workbench: code cache in ${cache.dir}: ${loads}; wrote ${files} files, ${bytes} bytes in ${ms.toFixed(0)} ms`);
      });
  };
  const scheduleBackgroundWork = (delay: number): void => {
    if (backgroundStarted) return;
    clearTimeout(backgroundTimer);
    backgroundTimer = setTimeout(startBackgroundWork, delay);
    // Node's timers can be unref'd (the process may exit before it fires); a web worker's setTimeout gives a number.
    (backgroundTimer as { unref?: () => void }).unref?.();
  };
  const settings = new SettingsCache(async (uri) => {
    if (!pullConfiguration) return undefined;
    return (await connection.workspace.getConfiguration({ scopeUri: uri, section: 'finetune' })) as Partial<FinetuneSettings> | undefined;
  });

  const state = new ConfigDocuments(
    service,
    {
      getSettings: (uri) => settings.get(uri),
      publish: (uri, version, diagnostics) => {
        void connection.sendDiagnostics({ uri, version, diagnostics });
        if (!firstPublished) {
          firstPublished = true;
          scheduleBackgroundWork(BACKGROUND_DELAY_MS);
        }
      },
      notifyFormat: (params) => void connection.sendNotification(DOCUMENT_FORMAT, params),
      workspaceFolders: () => workspaceFolders,
      log: (message) => connection.console.log(message),
    },
    (uri) => documents.get(uri),
    () => documents.all(),
  );

  // One capabilities object: everything the server offers is declared here.
  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pullConfiguration = Boolean(params.capabilities.workspace?.configuration);
    // Folder change events only from a client that has workspace folders (asking another one is an error).
    folderEvents = Boolean(params.capabilities.workspace?.workspaceFolders);
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (!workspaceFolders.length && params.rootUri) workspaceFolders = [params.rootUri];
    const init = params.initializationOptions as InitializationOptions | undefined;
    state.setOverrides(init?.formatOverrides);
    probeGpus = init?.probeGpus !== false;
    // Codicons ($(chip)) only for our VS Code client; other editors would print them as text.
    lensIcons = Boolean(init?.clientCommands?.includes(SHOW_VRAM_COMMAND));
    if (options.filesFromClient && init?.readFiles) state.readFromClient((p: ReadFilesParams) => connection.sendRequest(READ_FILES, p));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [' ', ':', '"', '-'], resolveProvider: false },
        hoverProvider: true,
        documentSymbolProvider: { label: 'Fine-tuning config' },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        codeLensProvider: { resolveProvider: false },
        inlayHintProvider: { resolveProvider: false },
        // The wizard's engine, ensembles, VRAM breakdowns and launch plans for every editor (docs/editors.md).
        executeCommandProvider: { commands: Object.keys(EXECUTE_COMMANDS) },
        ...(folderEvents ? { workspace: { workspaceFolders: { supported: true, changeNotifications: true } } } : {}),
      },
      serverInfo: { name: 'finetune-workbench', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (!firstPublished) scheduleBackgroundWork(BACKGROUND_IDLE_MS);
    // This machine's GPUs become the VRAM targets when the user names none (never in Restricted Mode).
    if (probeGpus) void queryLocalGpus().then((gpus) => state.setLocalGpus(gpus));
    if (pullConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'finetune' }).catch(() => undefined);
    if (folderEvents) {
      connection.workspace.onDidChangeWorkspaceFolders((e) => {
        workspaceFolders = workspaceFolders.filter((f) => !e.removed.some((r) => r.uri === f)).concat(e.added.map((a) => a.uri));
      });
    }
  });

  connection.onDidChangeConfiguration((change) => {
    settings.clear(pullConfiguration ? undefined : (change.settings as { finetune?: Partial<FinetuneSettings> } | undefined)?.finetune);
    state.revalidateAll();
  });

  // The client watches requirements*.txt, pyproject.toml, setup.cfg and environment.yml (pins), and Python files
  // (recipe scripts whose argument dataclasses declare a TRL config's keys) for us.
  // Python files under virtual environments and caches (a `pip install` writes thousands) are not recipe scripts.
  const OTHERS_PYTHON = /\/(?:\.venv|venv|\.env|env|site-packages|node_modules|\.git|__pycache__|\.tox|\.nox|\.cache)\//;
  connection.onDidChangeWatchedFiles((params) => {
    // The web worker forgets what the client read of these files, and the listings of the folders where one was
    // created or deleted (the desktop reads the disk each time).
    const changed = params.changes.filter((c) => c.type === FileChangeType.Changed).map((c) => c.uri);
    const createdOrDeleted = params.changes.filter((c) => c.type !== FileChangeType.Changed).map((c) => c.uri);
    const forgot = state.filesChanged(changed, false);
    if (state.filesChanged(createdOrDeleted, true) || forgot) state.revalidateAll();
    const isPython = (uri: string) => /\.py$/i.test(uri);
    const python = params.changes.some((c) => isPython(c.uri) && !OTHERS_PYTHON.test(c.uri));
    const pins = params.changes.some((c) => !isPython(c.uri));
    if (!python && !pins) return;
    if (python) state.pythonChanged();
    if (pins) state.reloadPins();
    state.revalidateAll();
  });

  documents.onDidOpen((e) => {
    state.filesChanged([e.document.uri], false);
    state.schedule(e.document.uri, 0);
  });
  documents.onDidChangeContent((e) => state.schedule(e.document.uri));
  documents.onDidClose((e) => {
    state.filesChanged([e.document.uri], false);
    state.close(e.document.uri);
    settings.forget(e.document.uri);
  });

  connection.onNotification(SET_FORMAT_OVERRIDE, (p: SetFormatOverrideParams) => state.setOverride(p.uri, p.format));
  // Progress on the client's token (VS Code shows it as a cancellable notification); $/cancelRequest stops it.
  connection.onRequest(MIGRATE_WORKSPACE, async (params: MigrateWorkspaceParams | null, token: CancellationToken) => {
    const settings = await state.settingsForWorkspace();
    return withWorkDone(connection, { title: 'Migrating Lightning code', cancellable: true, workDoneToken: params?.workDoneToken, request: token }, (count) =>
      migrateWorkspace(
        workspaceFolders,
        (path) =>
          documents
            .all()
            .find((d) => pathOfUri(d.uri) === path)
            ?.getText(),
        settings.versions,
        count,
      ),
    );
  });
  connection.onRequest(LIST_FORMATS, (): FormatChoice[] => CONFIG_FORMAT_IDS.map((id) => ({ id, label: FORMATS[id].label, validated: service.validates(id) })));

  connection.onCompletion(
    guard(connection, { isIncomplete: false, items: [] }, async (p) => {
      const found = await state.analysis(p.textDocument.uri);
      return found ? service.complete(found.doc, p.position, found.analysis) : { isIncomplete: false, items: [] };
    }),
  );
  connection.onHover(
    guard(connection, null, async (p) => {
      const found = await state.analysis(p.textDocument.uri);
      if (!found) return null;
      const hover = service.hover(found.doc, p.position, found.analysis);
      const settings = await state.settingsFor(p.textDocument.uri);
      const vram = vramHover(found.doc, found.analysis, p.position, state.vramContext(settings).lookup);
      if (!vram) return hover;
      const before = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? `${hover.contents.value}\n\n---\n\n` : '';
      return { contents: { kind: 'markdown', value: before + vram }, ...(hover?.range ? { range: hover.range } : {}) };
    }),
  );
  connection.onCodeLens(
    guard(connection, [], async (p) => {
      const settings = await state.settingsFor(p.textDocument.uri);
      const found = await state.analysis(p.textDocument.uri);
      if (!found) return [];
      // Only the VRAM lens: launching is the client's own (VS Code: a button in the editor title bar), never a click
      // away from the memory figure.
      return settings.vram.codeLens ? vramCodeLenses(found.doc, found.analysis, { icons: lensIcons }) : [];
    }),
  );
  connection.onRequest(
    LAUNCH_INFO,
    guard(connection, null, (p: LaunchInfoParams): Promise<LaunchInfoResult | null> => state.launchInfo(p.uri)),
  );
  // Listing the workspace's configs reads every YAML/JSON file: progress (cancellable) for large trees only.
  connection.onRequest(
    LIST_CONFIGS,
    guard(connection, [], async (_p: unknown, token?: CancellationToken): Promise<ConfigEntry[]> => {
      const trees = state.configTrees();
      const files = trees.reduce((n, t) => n + t.files.length, 0);
      if (files <= LARGE_TREE_FILES) return state.listConfigs(trees);
      return withWorkDone(connection, { title: 'Looking for training configs', cancellable: true, request: token }, (count) =>
        state.listConfigs(trees, count(files)),
      );
    }),
  );
  connection.onNotification(JOB_OUTCOME, (p: JobOutcomeParams) => state.setOutcome(p.uri, p.clear || !p.oom ? null : p.oom));
  connection.onRequest(MEMORY_USAGE, (): MemoryUsageResult => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const memory = process.memoryUsage();
    return {
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      collected: Boolean(gc),
      kept: { ...state.kept(), settings: settings.size, documents: documents.all().length },
    };
  });
  connection.languages.inlayHint.on(
    guard(connection, [], async (p) => {
      const settings = await state.settingsFor(p.textDocument.uri);
      if (!settings.vram.inlayHints) return [];
      const found = await state.analysis(p.textDocument.uri);
      return found ? vramInlayHints(found.doc, found.analysis, p.range) : [];
    }),
  );
  // Requests that are also workspace/executeCommand commands: one handler each, bad parameters answered with
  // InvalidParams naming the field, anything else logged and answered with InternalError (the server stays up).
  const wizardHost: WizardHost = {
    settings: (uri) => (uri ? state.settingsFor(uri) : state.settingsForWorkspace()),
    lookup: (settings) => state.vramContext(settings).lookup,
    formatOf: async (uri) => (await state.launchInfo(uri)).format,
    textOf: (uri) => {
      const open = documents.get(uri)?.getText();
      return open ?? (state.inWorkspace(uri) ? readTextFile(pathOfUri(uri), 4 * 1024 * 1024) : undefined);
    },
  };
  const uriOf = (method: string, params: unknown): string => {
    const uri = params && typeof params === 'object' ? (params as { uri?: unknown }).uri : undefined;
    if (typeof uri !== 'string' || !uri) throw badParams(method, '`uri` must be a document URI (a string)');
    return uri;
  };
  const handlers: Record<string, (params: unknown, token?: CancellationToken) => Promise<unknown>> = {
    [NEW_CONFIG_CHOICES]: (p) => newConfigChoices(wizardHost, p),
    [NEW_CONFIG]: (p) => generateConfig(wizardHost, p),
    [ENSEMBLE]: (p) => lengthBucketEnsemble(wizardHost, p),
    [LAUNCH_PLAN]: async (p) => launchPlan(p),
    [VRAM_BREAKDOWN]: async (p): Promise<VramBreakdownResult> => {
      const found = await state.analysis(uriOf(VRAM_BREAKDOWN, p));
      return { markdown: (found && vramBreakdown(found.analysis)) ?? '# VRAM estimate\n\nThis file is not a training config with a model.\n' };
    },
    [LAUNCH_INFO]: (p) => state.launchInfo(uriOf(LAUNCH_INFO, p)),
    [LIST_CONFIGS]: () => state.listConfigs(),
  };
  const answer = (method: string) => async (params: unknown, token?: CancellationToken) => {
    try {
      return await handlers[method](params, token);
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      connection.console.error(`Fine-Tune Workbench: ${method}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      throw new ResponseError(ErrorCodes.InternalError, `${method} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  for (const method of [NEW_CONFIG_CHOICES, NEW_CONFIG, ENSEMBLE, LAUNCH_PLAN, VRAM_BREAKDOWN]) connection.onRequest(method, answer(method));
  connection.onExecuteCommand(async (p, token) => {
    const method = (EXECUTE_COMMANDS as Record<string, string>)[p.command];
    if (!method) {
      const known = Object.keys(EXECUTE_COMMANDS).join(', ');
      throw new ResponseError(ErrorCodes.InvalidParams, `Unknown command '${p.command}': the server runs ${known}`);
    }
    const count = p.arguments?.length ?? 0;
    if (count > 1) throw new ResponseError(ErrorCodes.InvalidParams, `${p.command} takes one argument (the ${method} request's parameters), not ${count}`);
    return answer(method)(p.arguments?.[0], token);
  });
  connection.onDocumentSymbol(
    guard(connection, [], async (p) => {
      const found = await state.analysis(p.textDocument.uri);
      return found ? service.symbols(found.doc, found.analysis) : [];
    }),
  );
  connection.onCodeAction(
    guard(connection, [], async (p) => {
      const found = await state.analysis(p.textDocument.uri);
      if (!found) return [];
      const fixAll = p.context.only?.some((o) => FIX_ALL_KIND === o || FIX_ALL_KIND.startsWith(`${o}.`))
        ? ((await state.fixAllEdits(p.textDocument.uri)) ?? undefined)
        : undefined;
      return service.codeActions(found.doc, p.range, p.context.diagnostics, p.context.only, found.analysis, fixAll);
    }),
  );

  documents.listen(connection);
  connection.listen();
  return connection;
}

/** A failing handler logs and answers with an empty result: one bad file must never take the server down. */
function guard<P, R>(
  connection: Connection,
  fallback: R,
  handler: (params: P, token?: CancellationToken) => Promise<R>,
): (params: P, token?: CancellationToken) => Promise<R> {
  return async (params: P, token?: CancellationToken) => {
    try {
      return await handler(params, token);
    } catch (e) {
      connection.console.error(`Fine-Tune Workbench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  };
}
