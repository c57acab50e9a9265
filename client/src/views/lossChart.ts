import * as vscode from 'vscode';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LAUNCH_INFO, type LaunchInfoParams, type LaunchInfoResult } from '../../../server/src/protocol';
import { LogReader, pointsFromTrainerState, type MetricPoint } from '../../../server/src/core/jobs/logs';
import { readTextFile } from '../../../server/src/workspaceFiles';
import type { JobRecord } from '../jobs/history';
import type { JobManager } from '../jobs/manager';

/** Points of a finished job: its log file read again, else trainer_state.json under the config's output_dir. */
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
 * "Loss: qlora.yml": a webview drawing loss, eval loss and the learning rate, fed live by the job's metrics. It opens
 * beside the editor (without taking focus) when a job's first metric arrives, unless finetune.jobs.openLossChart is
 * off; closed, it stays closed for that job (the status bar item and the job view bring it back).
 */
export class LossChartView implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  /** Jobs whose chart was opened already: their later points only feed it. */
  private readonly opened = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly client: LanguageClient, private readonly jobs: JobManager) {
    this.subscription = jobs.onDidAddPoint(({ job, point }) => {
      const panel = this.panels.get(job.id);
      if (panel) void panel.webview.postMessage({ type: 'point', point });
      else if (!this.opened.has(job.id) && vscode.workspace.getConfiguration('finetune').get<boolean>('jobs.openLossChart', true)) void this.show(job);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const p of this.panels.values()) p.dispose();
  }

  async show(job: JobRecord | undefined): Promise<void> {
    if (!job) {
      void vscode.window.showInformationMessage('No training job yet: launch one with "Fine-Tune: Launch Training Job".');
      return;
    }
    const existing = this.panels.get(job.id);
    if (existing) {
      existing.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel('finetune.loss', `Loss: ${job.name}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [] });
    this.panels.set(job.id, panel);
    this.opened.add(job.id);
    panel.onDidDispose(() => this.panels.delete(job.id));
    // The page asks for its points once its script runs (a message posted before that could be lost).
    panel.webview.onDidReceiveMessage(async (m: { type?: string }) => {
      if (m?.type === 'ready') void panel.webview.postMessage({ type: 'reset', points: await this.initialPoints(job) });
    });
    panel.webview.html = html(panel.webview, job.name);
  }

  private async initialPoints(job: JobRecord): Promise<MetricPoint[]> {
    const live = this.jobs.pointsOf(job.id);
    if (live?.length || job.state === 'running') return [...(live ?? [])];
    const fromLog = job.logFile ? pointsFromLog(job.logFile) : [];
    if (fromLog.length) return fromLog;
    try {
      const info = await this.client.sendRequest<LaunchInfoResult | null>(LAUNCH_INFO, { uri: job.config } satisfies LaunchInfoParams);
      const out = info?.value?.['output_dir'];
      if (typeof out === 'string' && out) {
        const root = job.folder ? vscode.Uri.parse(job.folder).fsPath : resolve(vscode.Uri.parse(job.config).fsPath, '..');
        return trainerStatePoints(isAbsolute(out) ? out : resolve(root, out));
      }
    } catch {
      /* no points */
    }
    return [];
  }
}

function html(webview: vscode.Webview, name: string): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = `default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const title = name.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 8px 16px; }
  svg { width: 100%; height: 360px; }
  .axis { stroke: var(--vscode-editorLineNumber-foreground); stroke-width: 1; }
  .grid { stroke: var(--vscode-editorIndentGuide-background1, #8884); stroke-width: 0.5; }
  text { fill: var(--vscode-descriptionForeground); font-size: 11px; }
  .loss { stroke: var(--vscode-charts-blue, #3794ff); fill: none; stroke-width: 2; }
  .eval { stroke: var(--vscode-charts-orange, #d18616); fill: none; stroke-width: 2; stroke-dasharray: 5 3; }
  .lr { stroke: var(--vscode-charts-green, #89d185); fill: none; stroke-width: 1; opacity: 0.8; }
  .legend span { margin-right: 16px; } .k-loss { color: var(--vscode-charts-blue, #3794ff); }
  .k-eval { color: var(--vscode-charts-orange, #d18616); } .k-lr { color: var(--vscode-charts-green, #89d185); }
</style>
<title>Loss: ${title}</title></head>
<body>
<h3>Loss: ${title}</h3>
<p id="summary">Waiting for the first loss…</p>
<p class="legend"><span class="k-loss">━ loss</span><span class="k-eval">╍ eval loss</span><span class="k-lr">━ learning rate (right axis)</span></p>
<svg id="chart" viewBox="0 0 800 360" preserveAspectRatio="none" role="img" aria-label="Loss by step"></svg>
<script nonce="${nonce}">
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.getElementById('chart');
  const summary = document.getElementById('summary');
  const W = 800, H = 360, L = 56, R = 64, T = 12, B = 28;
  let points = [];
  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  }
  function range(values) {
    if (!values.length) return [0, 1];
    let lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    if (lo === hi) { lo -= Math.abs(lo) * 0.1 || 1; hi += Math.abs(hi) * 0.1 || 1; }
    return [lo, hi];
  }
  function fmt(v) { return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toFixed(v >= 100 ? 0 : 3) : v.toExponential(1); }
  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const steps = points.map(function (p) { return p.step; });
    const losses = points.filter(function (p) { return p.loss !== undefined || p.evalLoss !== undefined; });
    const ys = [];
    losses.forEach(function (p) { if (p.loss !== undefined) ys.push(p.loss); if (p.evalLoss !== undefined) ys.push(p.evalLoss); });
    const lrs = points.filter(function (p) { return p.learningRate !== undefined; }).map(function (p) { return p.learningRate; });
    const xr = range(steps), yr = range(ys), lr = range(lrs);
    const x = function (s) { return L + (s - xr[0]) / (xr[1] - xr[0]) * (W - L - R); };
    const y = function (v) { return T + (1 - (v - yr[0]) / (yr[1] - yr[0])) * (H - T - B); };
    const y2 = function (v) { return T + (1 - (v - lr[0]) / (lr[1] - lr[0])) * (H - T - B); };
    for (let i = 0; i <= 4; i++) {
      const v = yr[0] + (yr[1] - yr[0]) * i / 4;
      el('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) });
      el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmt(v));
      if (lrs.length) { const w = lr[0] + (lr[1] - lr[0]) * i / 4; el('text', { x: W - R + 6, y: y2(w) + 4 }, fmt(w)); }
    }
    el('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B });
    el('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B });
    el('text', { x: L, y: H - 8 }, 'step ' + (points.length ? Math.round(xr[0]) : 0));
    el('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, 'step ' + (points.length ? Math.round(xr[1]) : 0));
    function line(cls, pick, scale) {
      const pts = points.filter(function (p) { return pick(p) !== undefined; }).map(function (p) { return x(p.step).toFixed(1) + ',' + scale(pick(p)).toFixed(1); });
      if (pts.length) el('polyline', { class: cls, points: pts.join(' '), 'data-count': pts.length });
      if (pts.length === 1) { const xy = pts[0].split(','); el('circle', { class: cls, cx: xy[0], cy: xy[1], r: 3 }); }
    }
    line('lr', function (p) { return p.learningRate; }, y2);
    line('loss', function (p) { return p.loss; }, y);
    line('eval', function (p) { return p.evalLoss; }, y);
    const last = points[points.length - 1];
    const lastLoss = points.slice().reverse().find(function (p) { return p.loss !== undefined; });
    const lastEval = points.slice().reverse().find(function (p) { return p.evalLoss !== undefined; });
    summary.textContent = points.length
      ? points.length + ' point' + (points.length === 1 ? '' : 's') + ' · step ' + last.step + (lastLoss ? ' · loss ' + lastLoss.loss : '') + (lastEval ? ' · eval loss ' + lastEval.evalLoss : '')
      : 'No loss logged yet.';
  }
  window.addEventListener('message', function (ev) {
    const m = ev.data;
    if (m && m.type === 'reset') { points = (m.points || []).slice(); draw(); }
    else if (m && m.type === 'point') { points.push(m.point); draw(); }
  });
  acquireVsCodeApi().postMessage({ type: 'ready' });
})();
</script>
</body></html>`;
}
