/**
 * The loss chart's page, inside the webview: uPlot (https://github.com/leeoniya/uPlot, MIT) drawing the runs the
 * extension sends. Bundled by client/build.mjs into dist/lossChart.js; no network, no eval, no inline handlers, so
 * the page's CSP stays `script-src 'nonce-…'`. Colours come from VS Code's theme variables and follow theme changes.
 */
import uPlot from 'uplot';
import {
  assembleChart,
  smoothTensorBoard,
  SMOOTHING_MAX,
  type ChartColumn,
  type ChartMetric,
  type ChartRun,
  type ChartToPage,
} from '../../server/src/jobs/chart';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

const vscodeApi = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const chartEl = $<HTMLDivElement>('chart');
const summary = $<HTMLParagraphElement>('summary');
const runList = $<HTMLUListElement>('runs');
const readout = $<HTMLParagraphElement>('readout');
const slider = $<HTMLInputElement>('smoothing');
const sliderValue = $<HTMLOutputElement>('smoothing-value');
const logScale = $<HTMLInputElement>('log-scale');
const resetZoom = $<HTMLButtonElement>('reset-zoom');

interface PageState {
  smoothing: number;
  log: boolean;
}
const saved = (vscodeApi.getState() ?? {}) as Partial<PageState>;
const state: PageState = { smoothing: typeof saved.smoothing === 'number' ? saved.smoothing : 0.6, log: saved.log === true };
slider.max = String(SMOOTHING_MAX);
slider.value = String(state.smoothing);
logScale.checked = state.log;

let runs: ChartRun[] = [];
let current = '';
let plot: uPlot | undefined;
/** The columns behind the plot's series (index + 1 = uPlot series index), to read values back on hover. */
let plotted: Array<{ column: ChartColumn; smoothed: boolean }> = [];
let pending = false;
/** The runs as aligned columns; undefined when a run or a point was added since. */
let assembled: ReturnType<typeof assembleChart> | undefined;

const css = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
const PALETTE = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];
const runColour = (i: number) => css(PALETTE[i % PALETTE.length], FALLBACK[i % FALLBACK.length]);
const METRIC_NAME: Record<ChartMetric, string> = { loss: 'loss', evalLoss: 'eval loss', learningRate: 'learning rate' };

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 0.001 || a >= 100000) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** uPlot's aligned data and series: per run, the raw loss (faint), the smoothed loss, eval loss, learning rate. */
function build(): { data: uPlot.AlignedData; series: uPlot.Series[] } {
  // Assembling costs most (about 30 ms for 5 runs × 20,000 steps, npm run bench): the slider only smooths again.
  const chart = (assembled ??= assembleChart(runs));
  const data: Array<Array<number | null>> = [chart.steps];
  const series: uPlot.Series[] = [{ label: 'step' }];
  plotted = [];
  const order = new Map(runs.map((r, i) => [r.id, i]));
  for (const column of chart.columns) {
    const colour = runColour(order.get(column.runId) ?? 0);
    const name = `${column.label} · ${METRIC_NAME[column.metric]}`;
    if (column.metric === 'loss') {
      data.push(column.values);
      plotted.push({ column, smoothed: false });
      series.push({
        label: `${name} (raw)`,
        value: legendValue,
        scale: 'loss',
        stroke: withAlpha(colour, 0.3),
        width: 1,
        spanGaps: true,
        points: { show: false },
      });
      data.push(smoothTensorBoard(column.values, state.smoothing));
      plotted.push({ column, smoothed: true });
      series.push({ label: name, value: legendValue, scale: 'loss', stroke: colour, width: 2, spanGaps: true, points: { show: false } });
    } else if (column.metric === 'evalLoss') {
      data.push(column.values);
      plotted.push({ column, smoothed: false });
      series.push({ label: name, value: legendValue, scale: 'eval', stroke: colour, width: 2, dash: [6, 4], spanGaps: true, points: { show: true, size: 5 } });
    } else {
      data.push(column.values);
      plotted.push({ column, smoothed: false });
      series.push({ label: name, value: legendValue, scale: 'lr', stroke: colour, width: 1, dash: [2, 3], spanGaps: true, points: { show: false } });
    }
  }
  return { data: data as uPlot.AlignedData, series };
}

/** The legend's value at the cursor, in the same short form as the axes (uPlot's default rounds 5e-5 to 0). */
function legendValue(_u: uPlot, v: number | null): string {
  return fmt(v);
}

function withAlpha(colour: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(colour);
  if (!m) return colour;
  return `#${m[1]}${Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

/** The panel's width, and its height less what sits above the chart (280 to 600 px; the legend scrolls below). */
function size(): { width: number; height: number } {
  return { width: Math.max(chartEl.clientWidth, 300), height: Math.min(Math.max(window.innerHeight - chartEl.getBoundingClientRect().top - 40, 280), 600) };
}

function options(series: uPlot.Series[]): uPlot.Options {
  const fg = css('--vscode-descriptionForeground', '#999');
  const grid = css('--vscode-editorIndentGuide-background1', css('--vscode-editorIndentGuide-background', '#8884'));
  const axis = (scale: string, label: string, side?: number, showGrid = false): uPlot.Axis => ({
    scale,
    label,
    stroke: fg,
    grid: { show: showGrid, stroke: grid, width: 0.5 },
    ticks: { stroke: grid, width: 0.5 },
    values: (_u, ticks) => ticks.map((t) => (t === null || t === undefined ? '' : fmt(t))),
    size: 60,
    ...(side !== undefined ? { side } : {}),
  });
  const has = (scale: string) => series.some((s) => s.scale === scale);
  const axes: uPlot.Axis[] = [
    { stroke: fg, grid: { show: true, stroke: grid, width: 0.5 }, ticks: { stroke: grid, width: 0.5 }, label: 'step' },
    axis('loss', 'loss', 3, true),
  ];
  if (has('eval')) axes.push(axis('eval', 'eval loss', 1));
  if (has('lr')) axes.push(axis('lr', 'learning rate', 1));
  const logDistr = state.log ? { distr: 3 as const, log: 10 as const } : {};
  return {
    ...size(),
    series,
    axes,
    scales: { x: { time: false }, loss: { auto: true, ...logDistr }, eval: { auto: true, ...logDistr }, lr: { auto: true } },
    // Drag across the plot to zoom the steps; "Reset zoom" or a double click shows every step again.
    cursor: { drag: { x: true, y: false, setScale: true }, points: { size: 6 } },
    legend: { show: true, live: true },
    hooks: { setCursor: [showReadout], setScale: [markZoom] },
  };
}

/** The hover read-out: the step under the cursor and each run's values there (smoothed and raw loss). */
function showReadout(u: uPlot): void {
  const idx = u.cursor.idx;
  if (idx === null || idx === undefined) {
    readout.textContent = 'Hover the chart for values; drag to zoom.';
    return;
  }
  const step = u.data[0][idx];
  const parts: string[] = [];
  plotted.forEach((p, i) => {
    const v = u.data[i + 1]?.[idx];
    if (v === null || v === undefined) return;
    if (p.column.metric === 'loss' && !p.smoothed) return;
    const raw = p.column.metric === 'loss' ? ` (raw ${fmt(p.column.values[idx])})` : '';
    parts.push(`${p.column.label} ${METRIC_NAME[p.column.metric]} ${fmt(v)}${raw}`);
  });
  readout.textContent = `step ${step}${parts.length ? ' · ' + parts.join(' · ') : ''}`;
}

function markZoom(u: uPlot, key: string): void {
  if (key !== 'x') return;
  const xs = u.data[0];
  const zoomed = xs.length > 1 && ((u.scales.x.min ?? xs[0]) > xs[0] || (u.scales.x.max ?? xs[xs.length - 1]) < xs[xs.length - 1]);
  resetZoom.disabled = !zoomed;
  chartEl.dataset.zoomed = String(zoomed);
}

/** A new plot (series, scales or theme changed); smoothing alone only replaces the data, keeping the zoom. */
function redraw(rebuild: boolean): void {
  const { data, series } = build();
  const sameShape = plot && plot.series.length === series.length && plot.series.every((s, i) => s.label === series[i].label);
  if (plot && sameShape && !rebuild) plot.setData(data, false);
  else {
    plot?.destroy();
    plot = new uPlot(options(series), data, chartEl);
  }
  renderRuns();
  markZoom(plot, 'x');
}

function renderRuns(): void {
  runList.replaceChildren(
    ...runs.map((r, i) => {
      const li = document.createElement('li');
      li.dataset.run = r.id;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.backgroundColor = runColour(i);
      const losses = r.points.filter((p) => p.loss !== undefined);
      const last = losses[losses.length - 1];
      li.append(
        swatch,
        `${r.label}${r.id === current ? ' (this job)' : ''} · ${r.points.length} point${r.points.length === 1 ? '' : 's'}${last ? ` · last loss ${fmt(last.loss)}` : ''}`,
      );
      return li;
    }),
  );
  const mine = runs.find((r) => r.id === current);
  const pts = mine?.points ?? [];
  const lastPoint = pts[pts.length - 1];
  const lastLoss = [...pts].reverse().find((p) => p.loss !== undefined);
  const lastEval = [...pts].reverse().find((p) => p.evalLoss !== undefined);
  summary.textContent = pts.length
    ? `${pts.length} point${pts.length === 1 ? '' : 's'} · step ${lastPoint.step}${lastLoss ? ' · loss ' + fmt(lastLoss.loss) : ''}${lastEval ? ' · eval loss ' + fmt(lastEval.evalLoss) : ''}`
    : 'No loss logged yet.';
  chartEl.dataset.runs = String(runs.length);
  chartEl.dataset.lossPoints = String(pts.filter((p) => p.loss !== undefined).length);
  chartEl.dataset.lrPoints = String(pts.filter((p) => p.learningRate !== undefined).length);
  chartEl.dataset.smoothing = String(state.smoothing);
  chartEl.dataset.log = String(state.log);
}

/** Live points arrive one by one: draw at most once a frame. */
function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    redraw(false);
  });
}

slider.addEventListener('input', () => {
  state.smoothing = Number(slider.value);
  sliderValue.value = state.smoothing.toFixed(3);
  vscodeApi.setState(state);
  redraw(false);
});
sliderValue.value = state.smoothing.toFixed(3);
logScale.addEventListener('change', () => {
  state.log = logScale.checked;
  vscodeApi.setState(state);
  redraw(true);
});
resetZoom.addEventListener('click', () => {
  if (!plot) return;
  const xs = plot.data[0];
  if (xs.length) plot.setScale('x', { min: xs[0], max: xs[xs.length - 1] });
});
new ResizeObserver(() => plot?.setSize(size())).observe(chartEl);
window.addEventListener('resize', () => plot?.setSize(size()));
// VS Code swaps the body's theme class (vscode-dark, vscode-light, vscode-high-contrast) when the theme changes.
new MutationObserver(() => redraw(true)).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('message', (ev: MessageEvent<ChartToPage>) => {
  const m = ev.data;
  if (m?.type === 'runs') {
    runs = m.runs.map((r) => ({ ...r, points: [...r.points] }));
    current = m.current;
    assembled = undefined;
    redraw(true);
  } else if (m?.type === 'point') {
    const run = runs.find((r) => r.id === m.runId);
    if (!run) return;
    run.points.push(m.point);
    assembled = undefined;
    schedule();
  }
});
vscodeApi.postMessage({ type: 'ready' });
