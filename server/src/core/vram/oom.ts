/**
 * FT403: a run of this config ran out of GPU memory. A runtime fact reported by the editor's job runner (not
 * computed from the text): placed on the micro batch key, with the same fixes as FT401, computed even when the
 * estimate says the config fits.
 */
import type { ValuePath } from '../common/valuePath';
import type { FormatId } from '../common/formats';
import type { Finding } from '../common/findings';
import type { GpuInfo } from '../gpus';
import { estimate } from './estimate';
import { answerEdits, fitOptions, type FitOption } from './fit';
import { planFit, planSummary, type FitPlan } from './plan';
import type { ModelLookup } from './models';
import { vramFixes, type VramAnalysis } from './service';

export const OOM_CODE = 'FT403';

/** What the job's output said ("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 11.76 GiB total capacity; ...)"). */
export interface OomReport {
  message: string;
  triedGiB?: number;
  totalGiB?: number;
}

export interface OomContext {
  format: FormatId;
  value: Record<string, unknown>;
  path: string;
  roots: string[];
  targets: GpuInfo[];
  lookup: ModelLookup;
}

/** The GPU that ran out, when the message says its capacity: the fixes are judged against it. */
function gpuOfReport(oom: OomReport, targets: GpuInfo[]): GpuInfo[] {
  if (!oom.totalGiB) return targets;
  return [
    {
      name: `GPU of the last run (${oom.totalGiB.toFixed(2)} GiB)`,
      aliases: [],
      computeCapability: targets[0]?.computeCapability ?? 8.0,
      memoryGiB: Math.round(oom.totalGiB),
      smiMiB: Math.round(oom.totalGiB * 1024),
    },
  ];
}

export function oomFindings(oom: OomReport, vram: VramAnalysis | undefined, ctx: OomContext): Finding[] {
  const sources = vram?.adapted?.sources ?? {};
  const firstKey = Object.keys(ctx.value)[0];
  const path: ValuePath | undefined = sources.microBatchSize ?? sources.sequenceLength ?? sources.model ?? (firstKey !== undefined ? [firstKey] : undefined);
  if (!path) return [];
  let options: FitOption[] = vram?.options ?? [];
  let plan: FitPlan | undefined = vram?.plan;
  let planEdits = vram?.planEdits ?? [];
  const gpus = gpuOfReport(oom, ctx.targets);
  if (vram?.estimate && vram.adapted && vram.setup && gpus[0] && (!options.length || oom.totalGiB)) {
    // The run proved the estimate wrong for this GPU: plan for the GPU that ran out, whatever the estimate says.
    try {
      const fit = { format: ctx.format, adapted: vram.adapted, path: ctx.path, value: ctx.value, roots: ctx.roots, estimateOptions: { ...ctx.lookup, gpus } };
      options = fitOptions(fit, estimate(vram.setup, { ...ctx.lookup, gpus }));
      plan = planFit(vram.setup, gpus[0], { ...ctx.lookup, fsdpOnly: ctx.format === 'torchtune' }, true);
      planEdits = plan.answers.map((a) => (a.kind === 'rented' ? undefined : answerEdits(fit, vram.setup!, a)));
    } catch {
      /* no fixes, still the diagnostic */
    }
  }
  const fixes = vramFixes(plan, planEdits, options);
  const summary = plan ? planSummary(plan) : '';
  const message = `CUDA out of memory in the last run (${oom.message.trim().replace(/\s+/g, ' ').slice(0, 300)}).${summary ? ` ${summary}` : fixes.length ? ' Quick fixes lower the memory this config needs.' : ''}`;
  return [{ code: OOM_CODE, path, on: 'key', severity: 'warning', message, fixes }];
}
