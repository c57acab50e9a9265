/** Showing an estimate: the JSON contract of DESIGN §6.2, a terminal table, Markdown for hovers, one-line summaries. */
import { GiB, type Estimate } from './estimate';
import type { Verdict } from './range';

export function gib(bytes: number, digits = 1): string {
  return `${(bytes / GiB).toFixed(digits)} GiB`;
}

/** `ftw vram --json`: exactly the fields of DESIGN §6.2, bytes as integers. */
export function estimateJson(e: Estimate): Record<string, unknown> {
  const r = Math.round;
  return {
    setup: e.setup,
    allocatedBytes: r(e.allocatedBytes),
    peakBytes: r(e.peakBytes),
    peakUpperBytes: r(e.peakUpperBytes),
    contextBytes: r(e.contextBytes),
    components: Object.fromEntries((Object.entries(e.components) as [string, number][]).map(([k, v]) => [k, r(v)])),
    gpus: e.gpus.map((g) => ({ name: g.name, usableBytes: r(g.usableBytes), fits: g.fits, verdict: g.verdict })),
  };
}

/** The GPU's marketed name without vendor words, for short labels: "RTX 3090 24GB". */
export function shortGpuName(name: string): string {
  return name.replace(/^(GeForce|Tesla|Quadro|NVIDIA)\s+/i, '');
}

/** "≈ 11.0 GiB (up to 12.4)": the nvidia-smi figure and its bound, one decimal (whole GiB from 100). */
export function estimateRange(e: Estimate): string {
  const upper = (e.peakUpperBytes + e.contextBytes) / GiB;
  return `≈ ${gib(e.peakBytes + e.contextBytes)} (up to ${upper >= 100 ? Math.round(upper) : upper.toFixed(1)})`;
}

/** ✓ fits (the bound fits), ⚠ tight (only the estimate fits), ✗ does not fit. */
export const VERDICT_MARK: Record<Verdict, string> = { fits: '✓', tight: '⚠', no: '✗' };
export const VERDICT_WORDS: Record<Verdict, string> = { fits: 'fits', tight: 'tight', no: 'does not fit' };

/** "≈ 11.0 GiB (up to 12.4)/GPU · RTX 3090 24GB ✓ · RTX 3060 12GB ✗" */
export function lensTitle(e: Estimate): string {
  const perGpu = e.setup.gpus > 1 ? '/GPU' : '';
  const fits = e.gpus.map((g) => `${shortGpuName(g.name)} ${VERDICT_MARK[g.verdict]}`);
  return [`${estimateRange(e)}${perGpu}`, ...fits].join(' · ');
}

function setupSummary(e: Estimate): string {
  const s = e.setup;
  const parts = [
    `${e.model.name} (${(e.totalParameters / 1e9).toFixed(2)} B params)`,
    s.method === 'lora' || s.method === 'qlora'
      ? `${s.method} r=${s.lora?.rank}`
      : s.method === 'freeze'
        ? `freeze, last ${s.trainableLayers} layers train`
        : s.method,
    s.quantization !== 'none' ? `${s.quantization}${s.doubleQuant ? '+dq' : ''}` : undefined,
    s.precision,
    s.optimizer,
    `micro batch ${s.microBatchSize} × ${s.sequenceLength} tokens`,
    s.gradientCheckpointing ? (s.checkpointUnit === 'sublayer' ? 'sublayer checkpointing' : 'checkpointing') : undefined,
    s.kvCache ? 'use_cache on' : undefined,
    `${s.attention} attention`,
    s.gpus > 1 ? `${s.gpus} GPUs` : undefined,
    s.sharding !== 'none' ? s.sharding : undefined,
    s.offload !== 'none' ? `offload ${s.offload}` : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The breakdown as a terminal table. */
export function estimateText(e: Estimate): string {
  const out: string[] = [];
  out.push(setupSummary(e));
  out.push('');
  const width = Math.max(...e.lines.map((l) => l.label.length), 10);
  for (const l of e.lines) out.push(`  ${l.label.padEnd(width)}  ${gib(l.bytes, 2).padStart(10)}   ${l.detail}`);
  out.push(`  ${''.padEnd(width, '─')}  ${'─'.repeat(10)}`);
  out.push(`  ${'allocated (max_memory_allocated)'.padEnd(width)}  ${gib(e.allocatedBytes, 2).padStart(10)}`);
  out.push(`  ${'reserved (max_memory_reserved)'.padEnd(width)}  ${gib(e.peakBytes, 2).padStart(10)}`);
  out.push(`  ${'+ CUDA context' + (e.setup.gpus > 1 ? ' and NCCL' : '') + ' (nvidia-smi)'}`.padEnd(width + 2) + `  ${gib(e.contextBytes, 2).padStart(10)}`);
  out.push(`  ${'per GPU, as nvidia-smi shows it'.padEnd(width)}  ${gib(e.peakBytes + e.contextBytes, 2).padStart(10)}`);
  out.push(`  ${'up to (nine runs in ten stay under)'.padEnd(width)}  ${gib(e.peakUpperBytes + e.contextBytes, 2).padStart(10)}`);
  if (e.gpus.length) {
    out.push('');
    for (const g of e.gpus)
      out.push(`  ${VERDICT_MARK[g.verdict]} ${VERDICT_WORDS[g.verdict].padEnd(12)}  ${g.name} (${gib(g.usableBytes + e.contextBytes)} total)`);
  }
  if (e.notes.length) {
    out.push('');
    for (const n of e.notes) out.push(`  note: ${n}`);
  }
  return `${out.join('\n')}\n`;
}

/** The breakdown as a Markdown table (hover, breakdown view). */
export function estimateMarkdown(e: Estimate, highlight?: (keyof Estimate['components'])[]): string {
  const out: string[] = [];
  out.push(`**VRAM ${estimateRange(e)}${e.setup.gpus > 1 ? ' per GPU' : ''}** — ${setupSummary(e)}`);
  out.push('');
  out.push('| | | |');
  out.push('|---|---:|---|');
  for (const l of e.lines) {
    const mark = highlight?.includes(l.component) ? '**' : '';
    out.push(`| ${mark}${l.label}${mark} | ${gib(l.bytes, 2)} | ${l.detail.replace(/\|/g, '\\|')} |`);
  }
  out.push(`| allocated / reserved | ${gib(e.allocatedBytes, 2)} / ${gib(e.peakBytes, 2)} | max_memory_allocated / max_memory_reserved |`);
  out.push(`| CUDA context${e.setup.gpus > 1 ? ' + NCCL' : ''} | ${gib(e.contextBytes, 2)} | on top, in nvidia-smi |`);
  out.push(`| up to | ${gib(e.peakUpperBytes + e.contextBytes, 2)} | nine runs in ten stay under this (nvidia-smi) |`);
  if (e.gpus.length) {
    out.push('');
    out.push(e.gpus.map((g) => `${VERDICT_MARK[g.verdict]} ${shortGpuName(g.name)} (${VERDICT_WORDS[g.verdict]})`).join(' · '));
  }
  if (e.notes.length) {
    out.push('');
    for (const n of e.notes) out.push(`- ${n}`);
  }
  return out.join('\n');
}
