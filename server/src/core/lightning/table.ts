/**
 * PyTorch Lightning 1.x APIs that were removed or changed on the way to 2.x, one row per statically detectable
 * pattern. The rows are data, in migrations.json beside this file (source: the project's migration research
 * §1.1–1.10, checked against the example corpus; `api` is the corpus `expect.json` spelling where one exists);
 * readMigrations checks each row as it is loaded and a unit test loads the file.
 *
 * Names follow the detector: hooks are bare method names, Trainer arguments are keywords (with `value` for one
 * specific 1.x value), Trainer members are the attribute after the object, imports are dotted paths written with
 * `pytorch_lightning`. Rows whose `name` is not an identifier (e.g. `<dict value>`) never match the generic detector
 * and are special-cased by the caller.
 */
import rows from './migrations.json';

export const MIGRATION_KINDS = [
  'hook',
  'hookSignature',
  'callbackHook',
  'dataModuleHook',
  'moduleAttribute',
  'logArgument',
  'trainerArgument',
  'trainerMember',
  'import',
  'callbackClass',
  'cliArgument',
  /** A default that 2.x changed: the code runs, differently, without an error (information, FT309). */
  'changedDefault',
] as const;
export type MigrationKind = (typeof MIGRATION_KINDS)[number];

export const FIX_KINDS = [
  'renameMethod',
  'renameMethodDropParams',
  'removeParameters',
  'epochEnd',
  'renameKeyword',
  'removeKeyword',
  'acceleratorDevices',
  /** ModelCheckpoint(filepath="dir/{epoch}") → dirpath="dir", filename="{epoch}" (a literal template path only). */
  'checkpointPath',
  /** Trainer(logger, ...) → Trainer(logger=logger, ...): 2.x takes keywords only. */
  'positionalTrainer',
  /** trainer.lr_schedulers[i]["scheduler"] → trainer.lr_scheduler_configs[i].scheduler (LRSchedulerConfig fields). */
  'lrSchedulerConfigs',
  /** `lightning_lite...` → `lightning_fabric...` (or `lightning.fabric...` in a file on the lightning package). */
  'liteImport',
  /** transfer_batch_to_device(self, batch, device) gains dataloader_idx=0, passed on to super() calls in its body. */
  'transferLoaderIndex',
  /** validation_step(self, batch, batch_idx, dataset_idx) → dataloader_idx=0, the old name kept as an alias where read. */
  'loaderIndex',
  /** checkpoint_callback=True/False → enable_checkpointing=; a callback instance → into callbacks=[...]. */
  'checkpointCallback',
  'precision',
  'resumeFromCheckpoint',
  'tuner',
  'replaceImport',
  'renameAttribute',
  'epochHooks',
  'batchHook',
  'precisionValue',
  /** toggle_optimizer(opt, idx) → toggle_optimizer(opt); untoggle_optimizer(idx) → the optimizer toggled with idx. */
  'toggleOptimizer',
  /** Display-only: the message says what to do and no edit is ever offered (not even dropping parameters). */
  'manual',
  'none',
] as const;
export type FixKind = (typeof FIX_KINDS)[number];

export interface MigrationRule {
  /** Unique id, e.g. 'hook.validation_epoch_end', 'trainer.gpus', 'trainer.precision=16'. */
  id: string;
  kind: MigrationKind;
  /** What the detector matches: method name, keyword, attribute, member or dotted import path. */
  name: string;
  /** trainerArgument only: the specific 1.x value ('16', 'ddp', '<dict>', '<DDPPlugin>'). */
  value?: string;
  /** Signature rows: the parameters that must go or change (the row matches when any is present). */
  params?: string[];
  /** Short 2.x instruction (read after "Use "). */
  replacement: string;
  fix: { kind: FixKind; to?: string };
  deprecatedIn?: string;
  removedIn: string;
  /** In 2.x: an error, silently never called / ignored, or still working with a deprecation warning. */
  behaviour: 'raises' | 'silent' | 'warns' | 'changed';
  /** The corpus `expect.json` api string this row produces, when one exists. */
  api?: string;
  note?: string;
}

const BEHAVIOURS: readonly MigrationRule['behaviour'][] = ['raises', 'silent', 'warns', 'changed'];
const TEXT_FIELDS = ['value', 'replacement', 'deprecatedIn', 'removedIn', 'api', 'note'] as const;
const FIELDS = new Set(['id', 'kind', 'name', 'params', 'fix', 'behaviour', ...TEXT_FIELDS]);

function problemOf(r: Record<string, unknown>, seen: Set<string>): string | null {
  if (typeof r['id'] !== 'string' || !r['id']) return "'id' must be a string";
  if (seen.has(r['id'])) return `'id' ${r['id']} is used twice`;
  if (!(MIGRATION_KINDS as readonly unknown[]).includes(r['kind'])) return `'kind' must be one of ${MIGRATION_KINDS.join(', ')}`;
  if (typeof r['name'] !== 'string' || !r['name']) return "'name' must be a string";
  if (typeof r['replacement'] !== 'string' || typeof r['removedIn'] !== 'string') return "'replacement' and 'removedIn' are required strings";
  for (const k of TEXT_FIELDS) if (r[k] !== undefined && typeof r[k] !== 'string') return `'${k}' must be a string`;
  if (r['params'] !== undefined && !(Array.isArray(r['params']) && r['params'].every((x) => typeof x === 'string'))) return "'params' must be a list of names";
  const fix = r['fix'] as Record<string, unknown> | undefined;
  if (typeof fix !== 'object' || fix === null || !(FIX_KINDS as readonly unknown[]).includes(fix['kind']))
    return `'fix.kind' must be one of ${FIX_KINDS.join(', ')}`;
  if (fix['to'] !== undefined && typeof fix['to'] !== 'string') return "'fix.to' must be a string";
  if (!(BEHAVIOURS as readonly unknown[]).includes(r['behaviour'])) return `'behaviour' must be one of ${BEHAVIOURS.join(', ')}`;
  const stray = Object.keys(r).find((k) => !FIELDS.has(k));
  return stray ? `'${stray}' is not a field of a migration row` : null;
}

/** The migration rows, each checked; throws on the first malformed one, naming its index and id. */
export function readMigrations(raw: unknown): MigrationRule[] {
  if (!Array.isArray(raw)) throw new Error('migrations.json must hold a list of rows');
  const seen = new Set<string>();
  return raw.map((r: Record<string, unknown>, i) => {
    const problem = typeof r === 'object' && r !== null ? problemOf(r, seen) : 'not an object';
    if (problem) throw new Error(`migrations.json row ${i}${typeof r?.['id'] === 'string' ? ` (${r['id']})` : ''}: ${problem}`);
    seen.add(r['id'] as string);
    return r as unknown as MigrationRule;
  });
}

export const MIGRATIONS: readonly MigrationRule[] = readMigrations(rows);
