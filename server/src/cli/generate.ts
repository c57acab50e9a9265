/**
 * `ftw new` and `ftw ensemble` (issue #7): the command-line twins of "New Training Config" and "Create Length-Bucket
 * Ensemble". The generation is core/generate (pure); this file parses options, reads and writes files.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { detectFormat, parseConfig } from '../core/config';
import { isFormatId } from '../core/common/formats';
import {
  APPROACHES,
  CONFIG_GEN_FORMATS,
  configPathFor,
  ensemble,
  EnsembleError,
  GEN_FORMATS,
  GEN_METHODS,
  newConfig,
  type Approach,
  type GenFormat,
} from '../core/generate';
import { type Method, gib, shortGpuName, usableBytes } from '../core/vram';
import { hfModelDimsReader } from '../hfCache';
import { readConfigFile } from '../workspaceFiles';

export interface GenerateIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
}

export const GENERATE_USAGE = `  ftw new --approach classifier|prompt-template --method full|freeze|lora|qlora|adapter|prefix|distillation
          --model ID --gpu NAME --format axolotl|llamafactory|trl|torchtune|hf-args|script --out FILE|-
          [--teacher ID] [--force]                 write a complete config that fits the GPU (values chosen by the
                                                   VRAM estimator, each explained in a comment); --format script
                                                   (a classifier): --out NAME.py, a transformers + PEFT training
                                                   script, and NAME.yaml beside it with its values
  ftw ensemble CONFIG --buckets 512,1024,2048 --out DIR|- [--gpu NAME] [--format FORMAT] [--force]
                                                   write short/mid/long sequence-length variants of CONFIG, each with
                                                   its VRAM estimate, and a tasks.json fragment that trains them`;

class Usage extends Error {}

type Spec = Record<string, 'value' | 'flag'>;

/** `--name value`, `--name=value` and boolean `--flag`s; anything else is a positional argument. */
export function parseArgs(args: string[], spec: Spec): { positional: string[]; options: Record<string, string>; flags: Set<string> } {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = spec[name];
    if (!kind)
      throw new Usage(
        `unknown option '--${name}' (options: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')})`,
      );
    if (kind === 'flag') {
      if (inline !== undefined) throw new Usage(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new Usage(`option '--${name}' needs a value`);
    if (name in options) throw new Usage(`--${name} is given twice`);
    options[name] = value;
  }
  return { positional, options, flags };
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) throw new Usage(`--${name} is required (${allowed.join('|')})`);
  if (!allowed.includes(value as T)) throw new Usage(`--${name} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}

function usage(io: GenerateIo, e: unknown): number {
  if (e instanceof Usage) {
    io.err(`ftw: ${e.message}\n\nUsage:\n${GENERATE_USAGE}\n`);
    return 2;
  }
  throw e;
}

/** `ftw new ...`: 0 written, 2 bad usage, an unsupported combination, a model that does not fit, or an existing file. */
export async function newCommand(args: string[], io: GenerateIo): Promise<number> {
  try {
    const { positional, options, flags } = parseArgs(args, {
      approach: 'value',
      method: 'value',
      model: 'value',
      gpu: 'value',
      format: 'value',
      out: 'value',
      teacher: 'value',
      force: 'flag',
    });
    if (positional.length) throw new Usage(`ftw new takes no positional arguments (got '${positional[0]}')`);
    const approach = oneOf<Approach>('approach', options.approach, APPROACHES);
    const method = oneOf<Method>('method', options.method, GEN_METHODS);
    const format = oneOf<GenFormat>('format', options.format, GEN_FORMATS);
    if (!options.model) throw new Usage('--model is required (a Hugging Face id, e.g. NousResearch/Llama-3.2-1B)');
    if (!options.gpu) throw new Usage('--gpu is required (e.g. "RTX 3060 12GB", "RTX 4090", "A100 80GB")');
    if (!options.out) throw new Usage('--out is required (a file, or - for stdout)');
    if (options.teacher !== undefined && method !== 'distillation') throw new Usage('--teacher is only for --method distillation');
    const toStdout = options.out === '-';
    const script = format === 'script';
    if (script && !toStdout && !/\.py$/i.test(options.out))
      throw new Usage(`--format script writes a Python script: --out NAME.py (its NAME.yaml goes beside it), not '${options.out}'`);
    const out = toStdout ? undefined : resolve(io.cwd, options.out);
    // --format script: `out` is the script; the config it reads is the YAML beside it.
    const config = out && script ? configPathFor(out) : out;
    const taken = [out, config !== out ? config : undefined].filter((f): f is string => f !== undefined && existsSync(f));
    if (taken.length && !flags.has('force')) {
      io.err(
        `ftw: ${taken.map((f) => relative(io.cwd, f)).join(' and ')} ${taken.length === 1 ? 'exists; refusing to overwrite it' : 'exist; refusing to overwrite them'} (add --force)\n`,
      );
      return 2;
    }
    const result = newConfig({
      approach,
      method,
      model: options.model,
      gpu: options.gpu,
      format,
      ...(options.teacher ? { teacher: options.teacher } : {}),
      lookup: { hfCache: hfModelDimsReader(process.env, () => [io.cwd]) },
      ...(config ? { runName: basename(config).replace(/\.(ya?ml|json)$/i, ''), fileRef: relative(io.cwd, config) || basename(config) } : {}),
    });
    if (!result.ok) {
      io.err(`ftw: ${result.message}\n${result.suggestions.map((s) => `  - ${s}\n`).join('')}`);
      return 2;
    }
    const c = result.config;
    const text = c.text;
    const summary = `≈ ${gib(c.estimate.peakBytes + c.estimate.contextBytes)} of ${gib(usableBytes(c.gpu))} on the ${shortGpuName(c.gpu.name)}; micro batch ${c.knobs.microBatch} × accumulation ${c.knobs.accumulation}, ${c.knobs.sequenceLength} tokens, checkpointing ${c.knobs.checkpointing ? 'on' : 'off'}`;
    if (!out || !config) {
      io.out(c.script ? `# ==> ${c.suggestedFileName} <==\n${c.script}\n# ==> ${configPathFor(c.suggestedFileName)} <==\n${text}` : text);
      io.err(`ftw: ${summary}\n`);
      return 0;
    }
    mkdirSync(dirname(out), { recursive: true });
    if (c.script) writeFileSync(out, c.script, { mode: 0o755 });
    writeFileSync(config, text);
    const wrote = c.script ? `${options.out} and ${relative(io.cwd, config)}` : options.out;
    io.err(`ftw: wrote ${wrote} (${summary})\nftw: train with: ${c.command.split('FILE').join(options.out)}\n`);
    const word = c.suggestedFileName
      .replace(/\.yaml$/, '')
      .split('-')
      .pop();
    if ((format === 'torchtune' || (format === 'trl' && method === 'distillation')) && word && !basename(out).toLowerCase().includes(word)) {
      io.err(
        `ftw: note: ftw launch picks the ${format === 'torchtune' ? 'torchtune recipe' : 'TRL trainer'} from the file name; a name with "${word}" in it (e.g. ${c.suggestedFileName}) makes it pick the right one\n`,
      );
    }
    return 0;
  } catch (e) {
    return usage(io, e);
  }
}

/** `ftw ensemble CONFIG --buckets 512,1024,2048 --out DIR`: 0 written, 2 bad usage or a config it cannot split. */
export async function ensembleCommand(args: string[], io: GenerateIo): Promise<number> {
  try {
    const { positional, options, flags } = parseArgs(args, { buckets: 'value', out: 'value', gpu: 'value', format: 'value', force: 'flag' });
    if (positional.length !== 1) throw new Usage('ftw ensemble needs exactly one CONFIG');
    if (!options.buckets) throw new Usage('--buckets is required (sequence lengths, e.g. 512,1024,2048)');
    if (!options.out) throw new Usage('--out is required (a folder, or - for stdout)');
    const buckets = options.buckets.split(',').map((s) => s.trim());
    if (buckets.some((b) => !/^\d+$/.test(b))) throw new Usage(`--buckets must be whole numbers separated by commas, not '${options.buckets}'`);
    if (options.format !== undefined && !(CONFIG_GEN_FORMATS as readonly string[]).includes(options.format))
      throw new Usage(`--format must be one of ${CONFIG_GEN_FORMATS.join(', ')}, not '${options.format}'`);
    const file = resolve(io.cwd, positional[0]);
    const read = readConfigFile(file);
    if (!read.ok) {
      io.err(`ftw: ${positional[0]}: ${read.reason}\n`);
      return 2;
    }
    let format = options.format;
    if (!format) {
      const parsed = parseConfig(read.text, /\.json$/i.test(file) ? 'json' : 'yaml');
      const d = detectFormat({ path: file, text: read.text, value: parsed.value });
      format = isFormatId(d.format) ? d.format : 'none';
    }
    const toStdout = options.out === '-';
    const outDir = toStdout ? dirname(file) : resolve(io.cwd, options.out);
    let result;
    try {
      result = ensemble(read.text, format, file, buckets.map(Number), {
        ...(options.gpu ? { gpu: options.gpu } : {}),
        lookup: { hfCache: hfModelDimsReader(process.env, () => [io.cwd]) },
        outDir,
        workspace: io.cwd,
      });
    } catch (e) {
      if (e instanceof EnsembleError) {
        io.err(`ftw: ${positional[0]}: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const tasksJson = `${JSON.stringify(result.tasks, null, 2)}\n`;
    if (toStdout) {
      for (const v of result.variants) io.out(`# ==> ${relative(io.cwd, v.path)} <==\n${v.text}\n`);
      io.out(`// ==> tasks.json fragment <==\n${tasksJson}`);
      return 0;
    }
    const tasksPath = resolve(outDir, 'tasks.fragment.json');
    const targets = [...result.variants.map((v) => v.path), tasksPath];
    const existing = targets.filter((t) => existsSync(t));
    if (existing.length && !flags.has('force')) {
      io.err(`ftw: ${existing.map((t) => relative(io.cwd, t)).join(', ')} exist${existing.length === 1 ? 's' : ''}; refusing to overwrite (add --force)\n`);
      return 2;
    }
    mkdirSync(outDir, { recursive: true });
    for (const v of result.variants) {
      writeFileSync(v.path, v.text);
      const vram = v.estimate
        ? `≈ ${gib(v.estimate.peakBytes + v.estimate.contextBytes)}${v.fits === undefined ? '' : v.fits ? ', fits' : ', does NOT fit'}`
        : `no estimate: ${v.noEstimate}`;
      io.err(`ftw: wrote ${relative(io.cwd, v.path)} (${v.name}, ≤ ${v.sequenceLength} tokens; ${vram})\n`);
    }
    writeFileSync(tasksPath, tasksJson);
    io.err(
      `ftw: wrote ${relative(io.cwd, tasksPath)}: merge its tasks into .vscode/tasks.json, then run "${result.tasks.tasks[result.tasks.tasks.length - 1].label}"\n`,
    );
    return 0;
  } catch (e) {
    return usage(io, e);
  }
}
