import * as vscode from 'vscode';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LAUNCH_INFO, type LaunchInfoParams, type LaunchInfoResult } from '../../../server/src/protocol';
import { LogReader, pointsFromTrainerState, type MetricPoint } from '../../../server/src/jobs/logs';
import { pointsFromScalars, runLabel, runsOfSameConfig, type ChartRun, type ChartToPage } from '../../../server/src/jobs/chart';
import { readTfEvents } from '../../../server/src/jobs/tfevents';
import { readRegularFile } from '../../../server/src/fileText';
import { readTextFile } from '../../../server/src/workspaceFiles';
import type { JobRecord } from '../jobs/history';
import type { JobManager } from '../jobs/manager';

/** Points of a finished job from its log file, read again. */
export function pointsFromLog(file: string): MetricPoint[] {
  // A regular file only, and not one larger than a long run's log (the output folder is the config's to name).
  const text = readTextFile(file, 256 * 1024 * 1024);
  if (text === undefined) return [];
  const reader = new LogReader();
  const out: MetricPoint[] = [];
  for (const line of text.split('\n')) for (const e of reader.line(line)) if (e.kind === 'metric') out.push(e.point);
  return out;
}

export function trainerStatePoints(outputDir: string): MetricPoint[] {
  const candidates = [join(outputDir, 'trainer_state.json')];
  try {
    for (const d of readdirSync(outputDir)) if (/^checkpoint-\d+$/.test(d)) candidates.push(join(outputDir, d, 'trainer_state.json'));
  } catch {
    return [];
  }
  const newest = candidates.filter((f) => existsSync(f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  const text = newest ? readTextFile(newest, 64 * 1024 * 1024) : undefined;
  return text ? pointsFromTrainerState(text) : [];
}

/**
 * Scalars of the newest TensorBoard event file under a run's output folder (the Hugging Face Trainer's
 * `report_to: tensorboard` writes them to `<output_dir>/runs/<date>_<host>/`), for runs whose log and
 * trainer_state.json say nothing. Looks at most three folders deep.
 */
export function tfEventsPoints(outputDir: string): MetricPoint[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isFile() && e.name.startsWith('events.out.tfevents.')) found.push(join(dir, e.name));
      else if (e.isDirectory() && depth < 3) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(outputDir, 0);
  const mtime = (f: string) => {
    try {
      return statSync(f).mtimeMs;
    } catch {
      return 0;
    }
  };
  const newest = found.sort((a, b) => mtime(b) - mtime(a))[0];
  if (!newest) return [];
  const file = readRegularFile(newest, 512 * 1024 * 1024);
  // A damaged or half-written file gives the scalars before the damage (readTfEvents says where it stopped).
  return file.ok ? pointsFromScalars(readTfEvents(file.bytes).scalars) : [];
}

/**
 * "Loss: qlora.yml": a webview (uPlot) drawing this job's loss, eval loss and learning rate next to the earlier runs
 * of the same config, fed live by the job's metrics. It opens beside the editor (without taking focus) when a job's
 * first metric arrives, unless finetune.jobs.openLossChart is off; closed, it stays closed for that job (the status
 * bar item and the job view bring it back).
 */
export class LossChartView implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; runs: Set<string> }>();
  /** Jobs whose chart was opened already: their later points only feed it. */
  private readonly opened = new Set<string>();
  /** Points of finished runs, read once from their log or output folder. */
  private readonly finished = new Map<string, MetricPoint[]>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly client: LanguageClient,
    private readonly jobs: JobManager,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.subscription = jobs.onDidAddPoint(({ job, point }) => {
      const message: ChartToPage = { type: 'point', runId: job.id, point };
      for (const { panel, runs } of this.panels.values()) if (runs.has(job.id)) void panel.webview.postMessage(message);
      if (!this.panels.has(job.id) && !this.opened.has(job.id) && vscode.workspace.getConfiguration('finetune').get<boolean>('jobs.openLossChart', true))
        void this.show(job);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const p of this.panels.values()) p.panel.dispose();
  }

  async show(job: JobRecord | undefined): Promise<void> {
    if (!job) {
      void vscode.window.showInformationMessage('No training job yet: launch one with "Fine-Tune: Launch Training Job".');
      return;
    }
    const existing = this.panels.get(job.id);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return;
    }
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      'finetune.loss',
      `Loss: ${job.name}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [dist] },
    );
    const entry = { panel, runs: new Set<string>() };
    this.panels.set(job.id, entry);
    this.opened.add(job.id);
    panel.onDidDispose(() => this.panels.delete(job.id));
    // The page asks for its runs once its script runs (a message posted before that could be lost).
    panel.webview.onDidReceiveMessage(async (m: { type?: string }) => {
      if (m?.type !== 'ready') return;
      const runs = await this.chartRuns(job);
      entry.runs = new Set(runs.map((r) => r.id));
      void panel.webview.postMessage({ type: 'runs', runs, current: job.id } satisfies ChartToPage);
    });
    panel.webview.html = html(panel.webview, dist, job.name);
  }

  private async chartRuns(job: JobRecord): Promise<ChartRun[]> {
    const runs: ChartRun[] = [];
    for (const { job: j, rank } of runsOfSameConfig(job, this.jobs.history.all())) {
      const points = await this.pointsOf(j);
      // Earlier runs that logged nothing (a crash at startup) would only crowd the legend.
      if (points.length || j.id === job.id) runs.push({ id: j.id, label: runLabel(rank, j.start), points });
    }
    return runs;
  }

  private async pointsOf(job: JobRecord): Promise<MetricPoint[]> {
    // A live job's own array: posted right after the last await, so no point can slip between reading and sending.
    const live = this.jobs.pointsOf(job.id);
    if (live?.length || job.state === 'running') return live ?? [];
    const cached = this.finished.get(job.id);
    if (cached) return cached;
    const points = await this.readFinished(job);
    this.finished.set(job.id, points);
    return points;
  }

  private async readFinished(job: JobRecord): Promise<MetricPoint[]> {
    const fromLog = job.logFile ? pointsFromLog(job.logFile) : [];
    if (fromLog.length) return fromLog;
    try {
      const info = await this.client.sendRequest<LaunchInfoResult | null>(LAUNCH_INFO, { uri: job.config } satisfies LaunchInfoParams);
      const out = info?.value?.['output_dir'];
      if (typeof out === 'string' && out) {
        const root = job.folder ? vscode.Uri.parse(job.folder).fsPath : resolve(vscode.Uri.parse(job.config).fsPath, '..');
        const dir = isAbsolute(out) ? out : resolve(root, out);
        const state = trainerStatePoints(dir);
        return state.length ? state : tfEventsPoints(dir);
      }
    } catch {
      /* no points */
    }
    return [];
  }
}

function html(webview: vscode.Webview, dist: vscode.Uri, name: string): string {
  const nonce = randomBytes(16).toString('base64');
  // Nothing remote, nothing inline without the nonce: the script and uPlot's stylesheet come from dist/ only.
  const csp = `default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const title = name.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'lossChart.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'uPlot.min.css'));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 8px 16px; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 4px 0 8px; }
  .toolbar input[type=range] { width: 160px; accent-color: var(--vscode-focusBorder); vertical-align: middle; }
  output { font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 3px 10px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button:disabled { color: var(--vscode-disabledForeground); background: var(--vscode-button-secondaryBackground, transparent); cursor: default; }
  #runs { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 20px; }
  .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
  #summary, #readout { color: var(--vscode-descriptionForeground); margin: 4px 0; }
  #readout { font-family: var(--vscode-editor-font-family); min-height: 1.4em; }
  .u-legend { color: var(--vscode-foreground); font-size: 0.9em; }
  .u-select { background: var(--vscode-editor-selectionBackground, rgba(128,128,128,0.2)); }
</style>
<title>Loss: ${title}</title></head>
<body>
<h3>Loss: ${title}</h3>
<p id="summary">Waiting for the first loss…</p>
<div class="toolbar">
  <label>Smoothing <input id="smoothing" type="range" min="0" max="0.999" step="0.001" value="0.6" aria-label="Smoothing (TensorBoard's exponential moving average)"> <output id="smoothing-value">0.600</output></label>
  <label><input id="log-scale" type="checkbox"> Log scale (loss)</label>
  <button id="reset-zoom" disabled title="Drag across the chart to zoom into steps">Reset zoom</button>
</div>
<ul id="runs" aria-label="Runs of this config"></ul>
<div id="chart" role="img" aria-label="Loss by step"></div>
<p id="readout">Hover the chart for values; drag to zoom.</p>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body></html>`;
}
