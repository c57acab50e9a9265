/**
 * Built-in model catalog: the dimensions that decide training memory for common Hugging Face models. The entries are
 * data, in models.json beside this file; readCatalog checks each one as it is loaded (a malformed entry stops the
 * load with its index, id and field, and a unit test loads the file).
 *
 * Sources, per entry in `source`:
 *  - "vram-model.md §3.1 / §3.2": the research notes (shared/research/vram-model.md), totals computed there and
 *    checked against the published counts;
 *  - "measurements-dev.jsonl modelDims": the dims the measurement corpus was recorded with;
 *  - a config.json URL: dims read from that config (usually through litgpt's litgpt/config.py, which mirrors the HF
 *    configs line by line). Where the source says "parameters computed", the total was computed from the dims with
 *    the architecture's exact layout (embeddings, q/k/v/o with head_dim and biases where present, MLP or experts +
 *    router, norms); every such total agrees with the model's published (rounded) size.
 *
 * `aliases` are ids with the same dimensions: instruct/chat variants, mirrors (NousResearch/…, unsloth/…),
 * pre-quantized copies (GPTQ/AWQ/bnb), and fine-tunes that keep the base model's shapes.
 */
import type { CatalogModel, ModelDims } from './modelTypes';
import entries from './models.json';

const COUNTS = ['parameters', 'hiddenSize', 'layers', 'attentionHeads', 'kvHeads', 'headDim', 'intermediateSize', 'vocabSize'] as const;

function problemOf(e: Record<string, unknown>): string | null {
  if (typeof e['id'] !== 'string' || !e['id']) return "'id' must be a model id";
  if (e['aliases'] !== undefined && !(Array.isArray(e['aliases']) && e['aliases'].every((a) => typeof a === 'string')))
    return "'aliases' must be a list of ids";
  if (typeof e['source'] !== 'string' || !e['source']) return "'source' must say where the numbers come from";
  const d = e['dims'] as Record<string, unknown> | undefined;
  if (typeof d !== 'object' || d === null) return "'dims' is missing";
  for (const k of COUNTS) if (typeof d[k] !== 'number' || !Number.isInteger(d[k]) || d[k] <= 0) return `'dims.${k}' must be a positive integer`;
  if (typeof d['tiedEmbeddings'] !== 'boolean') return "'dims.tiedEmbeddings' must be true or false";
  if (d['mlp'] !== 'gated' && d['mlp'] !== 'plain') return "'dims.mlp' must be 'gated' or 'plain'";
  for (const k of ['experts', 'expertsPerToken'] as const)
    if (d[k] !== undefined && (typeof d[k] !== 'number' || d[k] < 1)) return `'dims.${k}' must be a positive integer`;
  if (d['dropout'] !== undefined && typeof d['dropout'] !== 'boolean') return "'dims.dropout' must be true or false";
  if (d['architecture'] !== undefined && !['decoder', 'encoder', 'encoder-decoder'].includes(d['architecture'] as string))
    return "'dims.architecture' must be decoder, encoder or encoder-decoder";
  const known = new Set<string>([...COUNTS, 'tiedEmbeddings', 'mlp', 'experts', 'expertsPerToken', 'dropout', 'architecture']);
  const stray = Object.keys(d).find((k) => !known.has(k));
  return stray ? `'dims.${stray}' is not a dimension the estimator knows` : null;
}

/** The catalog entries, each checked; throws on the first malformed one. */
export function readCatalog(raw: unknown): CatalogModel[] {
  if (!Array.isArray(raw)) throw new Error('models.json must hold a list of models');
  return raw.map((e: Record<string, unknown>, i) => {
    const problem = typeof e === 'object' && e !== null ? problemOf(e) : 'not an object';
    if (problem) throw new Error(`models.json entry ${i}${typeof e?.['id'] === 'string' ? ` (${e['id']})` : ''}: ${problem}`);
    return {
      id: e['id'] as string,
      ...(e['aliases'] ? { aliases: e['aliases'] as string[] } : {}),
      dims: e['dims'] as ModelDims,
      source: e['source'] as string,
    };
  });
}

export const MODEL_CATALOG: CatalogModel[] = readCatalog(entries);
