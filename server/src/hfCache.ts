import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { dimsFromHfConfig, type ModelDims } from './core/vram';
import { readTextFile } from './workspaceFiles';

/** config.json, tokenizer_config.json (chat templates make some large) and the safetensors index stay well under this. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/**
 * A model's tokenizer_config.json from the local Hugging Face cache ($HF_HUB_CACHE, $HF_HOME/hub, or
 * ~/.cache/huggingface/hub), the newest snapshot. Never the network. Results are kept for the process.
 */
export function hfTokenizerConfigReader(env: NodeJS.ProcessEnv = process.env): (modelId: string) => Record<string, unknown> | undefined {
  const hub = env['HF_HUB_CACHE'] ?? (env['HF_HOME'] ? join(env['HF_HOME'], 'hub') : join(homedir(), '.cache', 'huggingface', 'hub'));
  const memo = new Map<string, Record<string, unknown> | undefined>();
  return (modelId: string) => {
    if (!/^[\w.-]+\/[\w.-]+$/.test(modelId)) return undefined;
    if (memo.has(modelId)) return memo.get(modelId);
    let config: Record<string, unknown> | undefined;
    try {
      const snapshots = join(hub, `models--${modelId.replace('/', '--')}`, 'snapshots');
      for (const snap of readdirSync(snapshots).sort().reverse()) {
        config = readJson(join(snapshots, snap, 'tokenizer_config.json'));
        if (config) break;
      }
    } catch {
      config = undefined;
    }
    memo.set(modelId, config);
    return config;
  };
}

export function hubDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['HF_HUB_CACHE'] ?? (env['HF_HOME'] ? join(env['HF_HOME'], 'hub') : join(homedir(), '.cache', 'huggingface', 'hub'));
}

/** A JSON object from a regular file (never a FIFO or a device: the cache is on a disk anyone may write to). */
function readJson(file: string): Record<string, unknown> | undefined {
  const text = readTextFile(file, MAX_JSON_BYTES);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The folders that may hold a model's files: a local model folder as written, or the cache's snapshots, newest first. */
function modelFolders(modelId: string, hub: string, roots: string[]): string[] {
  const folders: string[] = [];
  const local = isAbsolute(modelId) ? [modelId] : roots.map((r) => resolve(r, modelId));
  for (const dir of local) {
    try {
      if (statSync(join(dir, 'config.json')).isFile()) folders.push(dir);
    } catch {
      /* not a local folder */
    }
  }
  if (/^[\w.-]+\/[\w.-]+$/.test(modelId)) {
    try {
      const snapshots = join(hub, `models--${modelId.replace('/', '--')}`, 'snapshots');
      for (const snap of readdirSync(snapshots).sort().reverse()) folders.push(join(snapshots, snap));
    } catch {
      /* not cached */
    }
  }
  return folders;
}

/**
 * A model's dimensions from its config.json in the local Hugging Face cache (or a local model folder named by
 * path), with the exact parameter count from model.safetensors.index.json when present. Never the network.
 */
export function hfModelDimsReader(env: NodeJS.ProcessEnv = process.env, roots: () => string[] = () => []): (modelId: string) => ModelDims | undefined {
  const hub = hubDir(env);
  const memo = new Map<string, ModelDims | undefined>();
  return (modelId: string) => {
    if (memo.has(modelId)) return memo.get(modelId);
    let dims: ModelDims | undefined;
    for (const dir of modelFolders(modelId, hub, roots())) {
      const config = readJson(join(dir, 'config.json'));
      if (!config) continue;
      try {
        dims = dimsFromHfConfig(config, readJson(join(dir, 'model.safetensors.index.json')));
      } catch {
        dims = undefined;
      }
      if (dims) break;
    }
    memo.set(modelId, dims);
    return dims;
  };
}

/** Model ids in the local Hugging Face cache (`models--org--name` folders), sorted. Never the network. */
export function cachedModelIds(env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    return readdirSync(hubDir(env), { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^models--[^-]/.test(d.name))
      .map((d) => d.name.slice('models--'.length).replace('--', '/'))
      .filter((id) => /^[\w.-]+\/[\w.-]+$/.test(id))
      .sort((a, b) => a.localeCompare(b));
  } catch {
    return [];
  }
}
