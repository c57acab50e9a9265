/** VRAM hints in the editor: the code lens at the top of a config, inlay hints, and the hover section per key. */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeLens, InlayHint, Position, Range } from 'vscode-languageserver-types';
import type { ValuePath } from '../common/valuePath';
import { type Analysis as ConfigAnalysis, contextAt, locate } from '../config';
import type { SetupField } from './adapterTypes';
import type { ModelLookup } from './models';
import { planLines } from './plan';
import { estimateMarkdown, estimateRange, lensTitle, shortGpuName, VERDICT_MARK } from './report';
import { contribution, type VramAnalysis } from './service';

/** A document's analysis with its VRAM estimate (composed in core/document.ts). */
type Analysis = ConfigAnalysis & { vram?: VramAnalysis };

/** The client command a lens runs: opens the breakdown of this file's estimate. */
export const SHOW_VRAM_COMMAND = 'finetune.showVramBreakdown';

function nodeRange(doc: TextDocument, node: unknown): Range | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? { start: doc.positionAt(r[0]), end: doc.positionAt(r[1]) } : undefined;
}

function samePath(a: ValuePath, b: ValuePath): boolean {
  return a.length === b.length && a.every((x, i) => String(x) === String(b[i]));
}

/**
 * "≈ 21.3 GiB/GPU · RTX 3090 24GB ✓ · RTX 3060 12GB ✗" on line 0; or why there is no estimate. `icons`: VS Code
 * draws `$(chip)` as an icon, other editors would show the text.
 */
export function vramCodeLenses(doc: TextDocument, analysis: Analysis, options: { icons?: boolean } = {}): CodeLens[] {
  const icon = options.icons === false ? '' : '$(chip) ';
  const v = analysis.vram;
  if (!v) return [];
  const range: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  if (v.estimate) {
    return [{ range, command: { title: `${icon}VRAM ${lensTitle(v.estimate)}`, command: SHOW_VRAM_COMMAND, arguments: [doc.uri] } }];
  }
  if (v.unavailable && v.unavailable.kind !== 'no-setup') {
    return [
      {
        range,
        command: {
          title: `${icon}VRAM: no estimate (${v.unavailable.kind === 'unknown-model' ? 'unknown model' : 'see hover'})`,
          command: SHOW_VRAM_COMMAND,
          arguments: [doc.uri],
        },
      },
    ];
  }
  return [];
}

/** After the micro batch and sequence length values: the total they lead to. */
export function vramInlayHints(doc: TextDocument, analysis: Analysis, range?: Range): InlayHint[] {
  const v = analysis.vram;
  const parsed = analysis.parsed;
  if (!v?.estimate || !v.adapted || !parsed?.doc) return [];
  const hints: InlayHint[] = [];
  for (const field of ['microBatchSize', 'sequenceLength'] as const) {
    const path = v.adapted.sources[field];
    if (!path) continue;
    const node = locate(parsed.doc, path).node;
    const r = nodeRange(doc, node);
    if (!r) continue;
    if (range && (r.end.line < range.start.line || r.end.line > range.end.line)) continue;
    const worst = v.estimate.gpus.find((g) => g.verdict === 'no') ?? v.estimate.gpus.find((g) => g.verdict === 'tight') ?? v.estimate.gpus[0];
    const mark = worst ? ` ${VERDICT_MARK[worst.verdict]}` : '';
    hints.push({
      position: r.end,
      label: `${estimateRange(v.estimate)}${v.estimate.setup.gpus > 1 ? '/GPU' : ''}${mark}`,
      paddingLeft: true,
      tooltip: 'Estimated peak GPU memory of this config (nvidia-smi) and the bound nine runs in ten stay under, from Fine-Tune Workbench',
    });
  }
  return hints;
}

/** The setup field whose key is at this position, if the estimate came from it. */
export function fieldAt(doc: TextDocument, analysis: Analysis, position: Position): SetupField | undefined {
  const v = analysis.vram;
  const parsed = analysis.parsed;
  if (!v?.adapted || !parsed?.doc) return undefined;
  const ctx = contextAt(parsed.doc, doc.offsetAt(position));
  if (!ctx) return undefined;
  for (const [field, path] of Object.entries(v.adapted.sources) as Array<[SetupField, ValuePath]>) {
    if (samePath(path, ctx.path)) return field;
  }
  return undefined;
}

/** The hover section for a key that feeds the estimate: what it contributes and the whole breakdown. */
export function vramHover(doc: TextDocument, analysis: Analysis, position: Position, lookup: ModelLookup): string | undefined {
  const v = analysis.vram;
  const field = fieldAt(doc, analysis, position);
  if (!v || !field) return undefined;
  if (!v.estimate) return v.unavailable ? `**VRAM**: no estimate — ${v.unavailable.reason}` : undefined;
  const line = contribution(v, field, lookup);
  const highlight =
    field === 'model'
      ? (['weights', 'gradients', 'optimizer'] as const)
      : field === 'microBatchSize' || field === 'evalMicroBatchSize' || field === 'sequenceLength' || field === 'gradientCheckpointing' || field === 'attention'
        ? (['activations', 'logits'] as const)
        : field === 'optimizer'
          ? (['optimizer'] as const)
          : (['weights'] as const);
  return `${line ? `**VRAM** — ${line}\n\n` : ''}${estimateMarkdown(v.estimate, [...highlight])}`;
}

/** The full breakdown document for the lens command (Markdown). */
export function vramBreakdown(analysis: Analysis): string | undefined {
  const v = analysis.vram;
  if (!v) return undefined;
  if (!v.estimate) return `# VRAM estimate\n\nNo estimate: ${v.unavailable?.reason ?? 'no training setup found'}\n`;
  const out = [`# VRAM estimate`, '', estimateMarkdown(v.estimate)];
  if (!v.targetsAreReal)
    out.push('', '_GPUs shown: a representative set. Set `finetune.gpus` to the GPUs you train on (nvidia-smi found none on this machine)._');
  if (v.plan) {
    out.push(
      '',
      v.plan.verdict === 'tight'
        ? `## What buys margin on the ${shortGpuName(v.plan.target.name)}`
        : `## What would make it fit the ${shortGpuName(v.plan.target.name)}`,
      '',
    );
    out.push(...planLines(v.plan, true));
  }
  if (v.options.length) {
    out.push('', '## One change at a time', '');
    for (const o of v.options) out.push(`- ${o.fits ? '✓' : '✗'} ${o.title}${o.edits ? '' : ' _(no automatic edit for this format)_'}`);
  }
  return `${out.join('\n')}\n`;
}
