/**
 * "Create Length-Bucket Ensemble" (issue #7): from one config, one variant per sequence-length bucket (short, mid,
 * long), each with the dataset length filter its format has, its own output_dir and its VRAM estimate in a header
 * comment, plus VS Code tasks that train them one after the other.
 *
 * The source is edited with the `yaml` Document API, so its comments, key order and scalar styles stay.
 */
import { basename, dirname, extname, join, relative } from '../common/paths';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { parseConfig } from '../config';
import { commentText } from '../jobs';
import { findGpu, type GpuInfo } from '../gpus';
import { estimate, type Estimate, estimateRange, gib, isNoSetup, type ModelLookup, resolveSetup, setupFromConfig, shortGpuName, usableBytes } from '../vram';
import { LENGTH } from './builders';
import { CONFIG_GEN_FORMATS, type ConfigGenFormat } from './support';

export interface EnsembleOptions {
  /** Judge each variant against this GPU. */
  gpu?: string | GpuInfo;
  lookup?: ModelLookup;
  /** Folder the variants are written to (default: the source's folder). */
  outDir?: string;
  /** Task paths are relative to this folder, the workspace root (default: the parent of outDir). */
  workspace?: string;
}

export interface EnsembleVariant {
  /** short, mid, long (or b<N> with more than three buckets). */
  name: string;
  sequenceLength: number;
  /** Shortest sample kept, where the format can filter (Axolotl's min_sample_len). */
  minLength?: number;
  /** Absolute (or as given) path of the variant file. */
  path: string;
  text: string;
  estimate?: Estimate;
  /** Why there is no estimate. */
  noEstimate?: string;
  fits?: boolean;
  /** What the format does with samples outside the bucket. */
  behaviour: string;
}

export interface VsCodeTask {
  label: string;
  type?: 'finetune';
  config?: string;
  dependsOn?: string[];
  dependsOrder?: 'sequence';
  problemMatcher?: never[];
}

export interface Ensemble {
  variants: EnsembleVariant[];
  /** A tasks.json fragment: one `finetune` task per bucket and a compound task that runs them in sequence. */
  tasks: { version: '2.0.0'; tasks: VsCodeTask[] };
}

export class EnsembleError extends Error {}

/** Where the sequence length lives in each format (the first present wins). */
const SEQUENCE_KEYS: Record<ConfigGenFormat, string[][]> = {
  axolotl: [['sequence_len']],
  llamafactory: [['cutoff_len']],
  trl: [['max_length'], ['max_seq_length']],
  torchtune: [['tokenizer', 'max_seq_len']],
  'hf-args': [['max_seq_length'], ['max_length'], ['model_max_length'], ['block_size']],
};

export function bucketNames(n: number, buckets: number[]): string[] {
  if (n === 3) return ['short', 'mid', 'long'];
  if (n === 2) return ['short', 'long'];
  return buckets.map((b) => `b${b}`);
}

function pairOf(doc: Document, path: string[]) {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  return parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
}

/** Sets a value, keeping the node (and its comment and style) when it is a scalar already there. */
function setValue(doc: Document, path: string[], value: unknown, comment?: string): void {
  const pair = pairOf(doc, path);
  if (pair && isScalar(pair.value)) pair.value.value = value;
  else if (pair) pair.value = doc.createNode(value);
  else {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    if (isMap(parent)) parent.add(doc.createPair(path[path.length - 1], value));
    else doc.setIn(path, value);
  }
  if (comment) {
    const p = pairOf(doc, path);
    if (p && isScalar(p.key)) p.key.commentBefore = ` ${comment}`;
  }
}

function resolveGpu(gpu: string | GpuInfo | undefined): GpuInfo | undefined {
  if (gpu === undefined) return undefined;
  if (typeof gpu !== 'string') return gpu;
  const g = findGpu(gpu);
  if (!g) throw new EnsembleError(`Unknown GPU ${JSON.stringify(gpu)}.`);
  return g;
}

/** The variants and the tasks; throws EnsembleError with a message for the user when it cannot. */
export function ensemble(configText: string, format: string, path: string, buckets: number[], options: EnsembleOptions = {}): Ensemble {
  if (!(CONFIG_GEN_FORMATS as readonly string[]).includes(format)) {
    throw new EnsembleError(`The ensemble writer handles ${CONFIG_GEN_FORMATS.join(', ')} configs; this one is ${format}.`);
  }
  const f = format as ConfigGenFormat;
  if (!buckets.length) throw new EnsembleError('Give at least one bucket (e.g. --buckets 512,1024,2048).');
  for (const b of buckets)
    if (!Number.isInteger(b) || b < 16) throw new EnsembleError(`Bucket ${b} is not a sequence length (a whole number of tokens, at least 16).`);
  const sorted = [...new Set(buckets)].sort((a, b) => a - b);
  if (sorted.length !== buckets.length) throw new EnsembleError('Buckets must be different lengths.');
  const gpu = resolveGpu(options.gpu);
  const source = parseDocument(configText, { version: '1.1' });
  if (source.errors.length) throw new EnsembleError(`The config does not parse: ${source.errors[0].message}`);
  const loaded = parseConfig(configText, 'yaml').value as Record<string, unknown> | undefined;
  if (!loaded || typeof loaded !== 'object') throw new EnsembleError('The config is empty or not a mapping.');
  if (f === 'trl' && loaded.teacher_model_name_or_path !== undefined) {
    throw new EnsembleError(
      "TRL's distillation trainer has no sequence length to bucket: it caps only completions (max_completion_length) and does not truncate prompts.",
    );
  }
  const seqPath = SEQUENCE_KEYS[f].find((p) => source.hasIn(p)) ?? (f === 'hf-args' ? undefined : SEQUENCE_KEYS[f][0]);
  if (!seqPath)
    throw new EnsembleError(
      'This TrainingArguments file has no sequence length key (max_seq_length, max_length, model_max_length or block_size): add the one your script reads.',
    );
  if (f === 'torchtune' && !isMap(source.getIn(['tokenizer'], true)))
    throw new EnsembleError('This torchtune config has no tokenizer component to set max_seq_len on.');

  const names = bucketNames(sorted.length, sorted);
  const outDir = options.outDir ?? dirname(path);
  const workspace = options.workspace ?? dirname(outDir);
  const ext = extname(path) || '.yaml';
  const stem = basename(path, ext);
  const outputDir = typeof loaded.output_dir === 'string' ? loaded.output_dir : undefined;
  const variants: EnsembleVariant[] = sorted.map((len, i) => {
    const name = names[i];
    const min = i > 0 ? sorted[i - 1] + 1 : undefined;
    const doc = source.clone();
    let behaviour = f === 'trl' ? LENGTH.trl : LENGTH[f];
    setValue(doc, seqPath, len, `Length bucket "${name}": sequences of up to ${len} tokens.`);
    if (f === 'axolotl') {
      if (min !== undefined) setValue(doc, ['min_sample_len'], min, `Drop samples shorter than ${min} tokens: those train in the shorter bucket.`);
      else if (doc.hasIn(['min_sample_len'])) doc.deleteIn(['min_sample_len']);
      setValue(doc, ['excess_length_strategy'], 'drop', `Drop samples longer than ${len} tokens: those train in the longer bucket.`);
      behaviour = `Axolotl keeps samples of ${min !== undefined ? `${min} to ${len}` : `up to ${len}`} tokens: longer ones are dropped (excess_length_strategy: drop)${min !== undefined ? ', shorter ones too (min_sample_len)' : ''}.`;
      if (loaded.sample_packing === true)
        behaviour += ' sample_packing is on: several samples share one sequence, so the bucket bounds each sample, not each sequence.';
    } else {
      behaviour = `${behaviour} Every sample trains in this bucket too, truncated to ${len} tokens: this is not a filter.`;
    }
    const variantDir = outputDir ? `${outputDir.replace(/[\\/]+$/, '')}-${name}` : `./outputs/${stem}-${name}`;
    setValue(doc, ['output_dir'], variantDir, `Its own output folder, so the buckets do not overwrite each other.`);
    const vpath = join(outDir, `${stem}.${name}${ext}`);
    // The estimate, as ftw vram computes it for this variant.
    const body = doc.toString({ lineWidth: 0 });
    const value = parseConfig(body, 'yaml').value as Record<string, unknown>;
    const adapted = setupFromConfig({ format: f, value, path: vpath, roots: [workspace] });
    let e: Estimate | undefined;
    let noEstimate: string | undefined;
    if (isNoSetup(adapted)) noEstimate = adapted.reason;
    else {
      try {
        e = estimate(resolveSetup(adapted.setup), { ...(options.lookup ?? {}), gpus: gpu ? [gpu] : [] });
      } catch (err) {
        noEstimate = err instanceof Error ? err.message : String(err);
      }
    }
    const fits = e && gpu ? e.gpus.every((g) => g.fits) : undefined;
    const verdict = e?.gpus[0]?.verdict;
    const verdictText =
      verdict === 'fits' ? 'fits' : verdict === 'tight' ? 'tight (see ftw vram for what buys margin)' : 'does NOT fit (see ftw vram for fixes)';
    const vram = e
      ? `VRAM: ${estimateRange(e)}${gpu ? ` of ${gib(usableBytes(gpu))} on the ${shortGpuName(gpu.name)}: ${verdictText}` : ''}.`
      : `VRAM: no estimate (${noEstimate}).`;
    const header = [
      ` Length-bucket ensemble, bucket "${name}" (${sorted.join(' / ')} tokens) from ${commentText(basename(path))} (ftw ensemble).`,
      ` ${behaviour}`,
      ` ${vram}`,
    ];
    // A VRAM line from `ftw new` described the source's length, not this bucket's (it may sit on the first key).
    const stale = (c: string | null | undefined) =>
      c
        ?.split('\n')
        .filter((l) => !/^\s*VRAM: ≈/.test(l))
        .join('\n');
    const kept = stale(doc.commentBefore);
    const first = isMap(doc.contents) ? doc.contents.items[0] : undefined;
    if (first && isScalar(first.key) && first.key.commentBefore) first.key.commentBefore = stale(first.key.commentBefore);
    doc.commentBefore = [kept, ...header].filter((x) => x !== undefined && x !== null).join('\n');
    const text = doc.toString({ lineWidth: 0 });
    return {
      name,
      sequenceLength: len,
      ...(min !== undefined && f === 'axolotl' ? { minLength: min } : {}),
      path: vpath,
      text,
      ...(e ? { estimate: e } : {}),
      ...(noEstimate ? { noEstimate } : {}),
      ...(fits !== undefined ? { fits } : {}),
      behaviour,
    };
  });
  const rel = (p: string) => relative(workspace, p).split('\\').join('/') || p;
  const tasks: VsCodeTask[] = variants.map((v) => ({
    label: `Train ${stem} (${v.name}, ≤ ${v.sequenceLength} tokens)`,
    type: 'finetune',
    config: rel(v.path),
  }));
  tasks.push({ label: `Train ${stem} length-bucket ensemble`, dependsOn: tasks.map((t) => t.label), dependsOrder: 'sequence', problemMatcher: [] });
  return { variants, tasks: { version: '2.0.0', tasks } };
}
