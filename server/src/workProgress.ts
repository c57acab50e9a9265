import type { CancellationToken, Connection, WorkDoneProgressReporter } from 'vscode-languageserver/node';

/**
 * LSP work-done progress (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#workDoneProgress)
 * for the server's long operations: `$/progress` begin, a report per whole percent, end. A client that did not
 * declare `window.workDoneProgress` gets nothing (vscode-languageserver's null reporter); VS Code's language client
 * shows it in the status bar, with a cancel button when the operation can stop.
 */
export interface Steps {
  /** `done` of `total` items finished; `message` names the current one. Yields to the event loop now and then. */
  step(done: number, message?: string): Promise<void>;
  /** True once the user (window/workDoneProgress/cancel) or the request's caller ($/cancelRequest) asked to stop. */
  readonly cancelled: boolean;
}

/** How many items between two yields to the event loop, so cancel requests and edits are read meanwhile. */
const YIELD_EVERY = 16;

export class ProgressSteps implements Steps {
  private lastPercent = -1;
  constructor(
    private readonly reporter: WorkDoneProgressReporter,
    private readonly total: number,
    private readonly request?: CancellationToken,
  ) {}

  get cancelled(): boolean {
    const own = (this.reporter as { token?: CancellationToken }).token;
    return Boolean(this.request?.isCancellationRequested || own?.isCancellationRequested);
  }

  async step(done: number, message?: string): Promise<void> {
    const percent = this.total ? Math.min(100, Math.floor((done * 100) / this.total)) : 100;
    if (percent !== this.lastPercent) {
      this.lastPercent = percent;
      if (message === undefined) this.reporter.report(percent);
      else this.reporter.report(percent, message);
    }
    if (done % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  }
}

/**
 * Runs `work` under a work-done progress: the client's token when the request carried one (`workDoneToken`),
 * else one the server creates (window/workDoneProgress/create). It begins at once; `work` calls `count(total)` when
 * it has listed its items and then `step` after each.
 */
export async function withWorkDone<T>(
  connection: Connection,
  options: { title: string; cancellable: boolean; workDoneToken?: string | number | undefined; request?: CancellationToken },
  work: (count: (total: number) => Steps) => Promise<T>,
): Promise<T> {
  const reporter =
    options.workDoneToken !== undefined
      ? connection.window.attachWorkDoneProgress(options.workDoneToken)
      : await connection.window.createWorkDoneProgress().catch(() => NULL_REPORTER);
  reporter.begin(options.title, 0, undefined, options.cancellable);
  try {
    return await work((total) => new ProgressSteps(reporter, total, options.request));
  } finally {
    reporter.done();
  }
}

const NULL_REPORTER: WorkDoneProgressReporter = { begin: () => undefined, report: () => undefined, done: () => undefined };
