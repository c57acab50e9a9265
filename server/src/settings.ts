import { DEFAULT_FINETUNE_SETTINGS, type FinetuneSettings } from './protocol';

/**
 * Settings per document, pulled with `workspace/configuration` (scoped, so folder settings apply) and cached until
 * the client says they changed. Clients that cannot be asked get the pushed settings or the defaults.
 */
export class SettingsCache {
  private readonly cache = new Map<string, Promise<FinetuneSettings>>();
  private pushed: Partial<FinetuneSettings> | undefined;

  constructor(private readonly pull: (uri: string) => Promise<Partial<FinetuneSettings> | undefined>) {}

  get(uri: string): Promise<FinetuneSettings> {
    let entry = this.cache.get(uri);
    if (!entry) {
      entry = this.pull(uri)
        .catch(() => undefined)
        .then((raw) => normalise(raw ?? this.pushed));
      this.cache.set(uri, entry);
    }
    return entry;
  }

  clear(pushed?: Partial<FinetuneSettings>): void {
    this.cache.clear();
    if (pushed) this.pushed = pushed;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  /** How many documents' settings are cached. */
  get size(): number {
    return this.cache.size;
  }
}

/** Fills in defaults and drops wrongly typed values, so a broken settings.json cannot break validation. */
export function normalise(raw: Partial<FinetuneSettings> | null | undefined): FinetuneSettings {
  const d = DEFAULT_FINETUNE_SETTINGS;
  const v = (raw?.validation ?? {}) as Partial<FinetuneSettings['validation']>;
  const num = (x: unknown, fallback: number, min: number) => (typeof x === 'number' && Number.isFinite(x) && x >= min ? x : fallback);
  const assoc = raw?.formatAssociations;
  return {
    validation: {
      enable: typeof v.enable === 'boolean' ? v.enable : d.validation.enable,
      delay: num(v.delay, d.validation.delay, 0),
      maxFileSizeKB: num(v.maxFileSizeKB, d.validation.maxFileSizeKB, 1),
      // "auto" (a client that does not resolve it) and anything unknown: show them.
      yamlSyntax: v.yamlSyntax === 'leaveToRedHatYaml' ? 'leaveToRedHatYaml' : 'show',
    },
    formatAssociations:
      assoc && typeof assoc === 'object' && !Array.isArray(assoc) ? Object.fromEntries(Object.entries(assoc).filter(([, f]) => typeof f === 'string')) : {},
    gpus: Array.isArray(raw?.gpus)
      ? raw.gpus.filter((g) => typeof g === 'string' || (g !== null && typeof g === 'object' && typeof g.name === 'string' && typeof g.memoryMiB === 'number'))
      : [],
    models: Array.isArray(raw?.models)
      ? raw.models.filter(
          (m) =>
            m !== null &&
            typeof m === 'object' &&
            typeof m.id === 'string' &&
            ['hiddenSize', 'layers', 'attentionHeads', 'intermediateSize', 'vocabSize'].every(
              (k) => typeof (m as unknown as Record<string, unknown>)[k] === 'number',
            ),
        )
      : [],
    vram: {
      codeLens: typeof raw?.vram?.codeLens === 'boolean' ? raw.vram.codeLens : d.vram.codeLens,
      inlayHints: typeof raw?.vram?.inlayHints === 'boolean' ? raw.vram.inlayHints : d.vram.inlayHints,
    },
    versions:
      raw?.versions && typeof raw.versions === 'object' && !Array.isArray(raw.versions)
        ? Object.fromEntries(Object.entries(raw.versions).filter(([, v]) => typeof v === 'string' && /\d/.test(v)))
        : {},
    rules:
      raw?.rules && typeof raw.rules === 'object' && !Array.isArray(raw.rules)
        ? Object.fromEntries(Object.entries(raw.rules).filter(([, v]) => typeof v === 'string' && /^(off|error|warning|information|hint)$/.test(v)))
        : {},
  };
}
