/**
 * The document analysis: one config's own findings (schema, structure, rules: core/config) together with the VRAM
 * estimate's findings and the last run's out-of-memory finding (core/vram). The features do not import each other to
 * do this; the composition lives here, and the LSP server and the CLI both analyse documents through it.
 */
import type { ValuePath } from './common/valuePath';
import type { EditSpec, Finding } from './common/findings';
import {
  ConfigService,
  type AnalysisExtension,
  type Analysis as ConfigAnalysis,
  type DocumentContext as ConfigContext,
  type SchemaSet,
  type TrainingView,
} from './config';
import type { GpuInfo } from './gpus';
import { analyzeVram, oomFindings, vramFindings, type ModelLookup, type OomReport, type VramAnalysis } from './vram';

export interface VramContext {
  targets: GpuInfo[];
  /** The targets are the user's (setting, --gpu) or this machine's: a misfit is then a warning. */
  targetsAreReal: boolean;
  lookup: ModelLookup;
  launcherGpus?: number;
}

export interface DocumentContext extends ConfigContext {
  /** VRAM hints: the GPUs to judge against and where models come from; without it, no estimate is made. */
  vram?: VramContext;
  /** What the last run of this config reported (the editor's job runner): a CUDA OOM becomes FT403. */
  runtime?: { oom?: OomReport };
}

export interface VramPart {
  /** The VRAM estimate and its fixes, for configs of a training format (when the context asked for it). */
  vram: VramAnalysis;
}

/** Everything known about one version of a document; hover, completion, symbols and the VRAM lenses reuse it. */
export type Analysis = ConfigAnalysis & Partial<VramPart>;

/** The config service with the VRAM and OOM findings composed in. */
export type DocumentService = ConfigService<DocumentContext, VramPart>;

/** VRAM findings after the config's rules, then the last run's OOM finding: the order the analysis always had. */
const VRAM_EXTENSION: AnalysisExtension<DocumentContext, VramPart> = {
  gpus: (ctx) => (ctx.vram?.targetsAreReal ? ctx.vram.targets : undefined),
  analyze(input, ctx) {
    const { format, value, path, roots, files, gpus } = input;
    const findings: Finding[] = [];
    let vram: VramAnalysis | undefined;
    if (ctx.vram && format === 'hydra') {
      // A TrainingArguments block next to a model name: estimated as the flat file it stands for, placed back here.
      const view = input.trainingView();
      vram = view ? placeVram(view, analyzeVram({ format: view.format, value: view.value, path, roots, ...(files ? { files } : {}), ...ctx.vram })) : undefined;
      if (vram) findings.push(...vramFindings(vram));
    } else if (ctx.vram) {
      vram = analyzeVram({ format, value, path, roots, ...(files ? { files } : {}), ...ctx.vram });
      findings.push(...vramFindings(vram));
    }
    if (ctx.runtime?.oom) {
      findings.push(...oomFindings(ctx.runtime.oom, vram, { format, value, path, roots, targets: ctx.vram?.targets ?? gpus, lookup: ctx.vram?.lookup ?? {} }));
    }
    return { findings, ...(vram ? { extra: { vram } } : {}) };
  },
};

/** The document analysis every host uses: the config checks with the VRAM and OOM findings. */
export function createDocumentService(schemas: SchemaSet): DocumentService {
  return new ConfigService<DocumentContext, VramPart>(schemas, VRAM_EXTENSION);
}

function remapPath(view: TrainingView, path: ValuePath): ValuePath | undefined {
  const head = view.paths.get(String(path[0]));
  return head ? [...head, ...path.slice(1)] : undefined;
}

/** Edits in the Hydra file: only changes of keys that are there (a key the view adds has no place in the file). */
function remapEdits(view: TrainingView, edits: EditSpec[] | undefined): EditSpec[] | undefined {
  if (!edits?.length) return undefined;
  const out: EditSpec[] = [];
  for (const e of edits) {
    if (e.kind !== 'set') return undefined;
    const path = remapPath(view, e.path);
    if (!path) return undefined;
    out.push({ ...e, path });
  }
  return out;
}

/**
 * The estimate of the view, placed in the Hydra file; undefined when there is none (no known model, an invalid
 * setup): the key names are a guess here, so a Hydra file never gets "no estimate" diagnostics.
 */
export function placeVram(view: TrainingView, analysis: VramAnalysis): VramAnalysis | undefined {
  if (analysis.unavailable || !analysis.adapted || !analysis.estimate) return undefined;
  const sources: typeof analysis.adapted.sources = {};
  for (const [field, path] of Object.entries(analysis.adapted.sources) as Array<[keyof typeof sources, ValuePath]>) {
    const placed = remapPath(view, path);
    if (placed) sources[field] = placed;
  }
  const accumulation = analysis.adapted.gradientAccumulation;
  const accumulationPath = accumulation ? remapPath(view, accumulation.path) : undefined;
  const deepspeed = analysis.adapted.deepspeedFile;
  const deepspeedKey = deepspeed ? remapPath(view, deepspeed.keyPath) : undefined;
  const { gradientAccumulation: _g, deepspeedFile: _d, ...rest } = analysis.adapted;
  return {
    ...analysis,
    adapted: {
      ...rest,
      sources,
      ...(accumulation && accumulationPath ? { gradientAccumulation: { value: accumulation.value, path: accumulationPath } } : {}),
      ...(deepspeed && deepspeedKey ? { deepspeedFile: { path: deepspeed.path, keyPath: deepspeedKey } } : {}),
    },
    options: analysis.options.map((o) => {
      const { edits, ...option } = o;
      const placed = remapEdits(view, edits);
      return placed ? { ...option, edits: placed } : option;
    }),
    planEdits: analysis.planEdits.map((e) => remapEdits(view, e)),
  };
}
