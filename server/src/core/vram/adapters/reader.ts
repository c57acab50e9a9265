/** Config → TrainingSetup: The Reader that collects a setup, its sources and notes while one config is read, and small helpers. (index.ts gives the conventions every format follows.) */
import { dirname, isAbsolute, join, resolve } from '../../common/paths';
import type { ValuePath } from '../../common/valuePath';
import { asNumber, isAuto } from '../../common/values';
import type { AdaptedSetup, AdapterContext, SetupField } from '../adapterTypes';
import { type Sharding, type TrainingSetupInput } from '../setup';
import { prequantized } from './common';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function at(root: unknown, path: ValuePath): unknown {
  let cur = root;
  for (const k of path) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isObj(cur)) return undefined;
      cur = cur[k];
    }
  }
  return cur;
}

export const show = (path: ValuePath) => path.join('.');

/** Where a relative path is looked for: next to the config, then each workspace folder (as `candidatesFor`). */
export function candidates(ctx: AdapterContext, file: string): string[] {
  if (isAbsolute(file)) return [file];
  return [resolve(dirname(ctx.path), file), ...ctx.roots.map((r) => join(r, file))];
}

/** Collects the setup, its sources and notes while reading one config. */
export class Reader {
  readonly setup: TrainingSetupInput = { model: '' };
  readonly sources: Partial<Record<SetupField, ValuePath>> = {};
  readonly notes: string[] = [];
  gradientAccumulation?: { value: number; path: ValuePath };
  deepspeedFile?: { path: string; keyPath: ValuePath };

  constructor(
    readonly ctx: AdapterContext,
    readonly tool: string,
  ) {}

  raw(path: ValuePath): unknown {
    return at(this.ctx.value, path);
  }

  has(path: ValuePath): boolean {
    const v = this.raw(path);
    return v !== undefined && v !== null && v !== '';
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  private ignored(path: ValuePath, v: unknown, want: string): void {
    if (isAuto(v)) this.note(`${show(path)}: "auto" is decided at run time; ignored.`);
    else this.note(`${show(path)}: ${JSON.stringify(v)} is not ${want}; ignored.`);
  }

  /** A whole number ≥ min, as the tool would coerce it; anything else is ignored with a note. */
  int(path: ValuePath, min = 1): number | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'boolean' ? undefined : asNumber(v);
    if (n === undefined || !Number.isInteger(n) || n < min) {
      this.ignored(path, v, `a whole number${min > 0 ? ` ≥ ${min}` : ''}`);
      return undefined;
    }
    return n;
  }

  num(path: ValuePath): number | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null || v === '') return undefined;
    const n = typeof v === 'boolean' ? undefined : asNumber(v);
    if (n === undefined) this.ignored(path, v, 'a number');
    return n;
  }

  /** true/false as PyYAML and argparse read them; null means unset. */
  flag(path: ValuePath): boolean | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 1 || v === 0) return v === 1;
    if (typeof v === 'string') {
      if (/^(?:true|yes|on|1)$/i.test(v.trim())) return true;
      if (/^(?:false|no|off|0)$/i.test(v.trim())) return false;
    }
    this.ignored(path, v, 'true or false');
    return undefined;
  }

  text(path: ValuePath): string | undefined {
    const v = this.raw(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v.trim() || undefined;
    if (typeof v === 'number') return String(v);
    this.ignored(path, v, 'a string');
    return undefined;
  }

  set<K extends keyof TrainingSetupInput>(key: K, value: TrainingSetupInput[K], field?: SetupField, path?: ValuePath): void {
    this.setup[key] = value;
    if (field && path) this.sources[field] = path;
  }

  lora(part: 'rank' | 'alpha' | 'targets' | 'trainEmbeddings', value: unknown, path?: ValuePath): void {
    this.setup.lora = { ...this.setup.lora, [part]: value };
    const field: SetupField | undefined =
      part === 'rank' ? 'lora.rank' : part === 'targets' ? 'lora.targets' : part === 'trainEmbeddings' ? 'lora.trainEmbeddings' : undefined;
    if (field && path) this.sources[field] = path;
  }

  accumulation(path: ValuePath): void {
    const n = this.int(path);
    if (n !== undefined) this.gradientAccumulation = { value: n, path };
  }

  finish(): AdaptedSetup {
    prequantized(this);
    const { setup } = this;
    if (setup.gpus === undefined && this.ctx.launcherGpus !== undefined && this.ctx.launcherGpus >= 1) {
      setup.gpus = Math.floor(this.ctx.launcherGpus);
    }
    if (setup.gpus === undefined) {
      const shard =
        setup.sharding && setup.sharding !== 'none' && setup.sharding !== 'ddp'
          ? ` ${shardingLabel(setup.sharding)} divides its share by the GPU count, so give the launcher's count for a multi-GPU run.`
          : '';
      this.note(`GPUs: the config does not say how many GPUs the run uses (the launcher does); the estimate is per GPU, for 1 GPU.${shard}`);
    }
    const out: AdaptedSetup = { setup, sources: this.sources, notes: this.notes };
    if (this.gradientAccumulation) out.gradientAccumulation = this.gradientAccumulation;
    if (this.deepspeedFile) out.deepspeedFile = this.deepspeedFile;
    return out;
  }
}

function shardingLabel(s: Sharding): string {
  return s === 'fsdp' ? 'FSDP' : s.startsWith('zero') ? `ZeRO-${s.slice(4)}` : s.toUpperCase();
}
