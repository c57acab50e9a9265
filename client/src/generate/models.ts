import * as vscode from 'vscode';
import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MODEL_CATALOG } from '../../../server/src/core/vram/catalogData';
import { completeDims, type ModelLookup } from '../../../server/src/core/vram/models';
import type { CatalogModel } from '../../../server/src/core/vram/modelTypes';
import type { Approach } from '../../../server/src/core/generate';
import { hfModelDimsReader } from '../../../server/src/hfCache';

/** Families for the model picker's separators, in the catalog's order; the first pattern that matches wins. */
const FAMILIES: Array<[string, RegExp]> = [
  ['Llama 2', /llama-2/i],
  ['Llama 3', /llama-3/i],
  ['Llama 4', /llama-4/i],
  ['Mistral / Mixtral', /mistral|mixtral/i],
  ['Qwen 2.5', /qwen2|deepseek-r1-distill-qwen/i],
  ['Qwen 3', /qwen3/i],
  ['Gemma', /gemma/i],
  ['Phi', /phi/i],
  ['SmolLM', /smollm/i],
  ['TinyLlama', /tinyllama/i],
  ['gpt-oss', /gpt-oss/i],
  ['Falcon', /falcon/i],
  ['GPT-2', /gpt2/i],
  ['BERT (encoders, for classifiers)', /bert/i],
  ['T5 (encoder-decoder)', /t5|t0_|mt0/i],
];

export function modelFamily(id: string): string {
  return FAMILIES.find(([, re]) => re.test(id))?.[0] ?? 'Other models';
}

export function sizeLabel(parameters: number): string {
  return parameters >= 1e9 ? `${(parameters / 1e9).toFixed(parameters >= 1e10 ? 0 : 1)}B parameters` : `${Math.round(parameters / 1e6)}M parameters`;
}

/** The Hugging Face hub cache folder, as hfCache.ts reads it. */
export function hubDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['HF_HUB_CACHE'] ?? (env['HF_HOME'] ? join(env['HF_HOME'], 'hub') : join(homedir(), '.cache', 'huggingface', 'hub'));
}

/** Model ids in the local Hugging Face cache (`models--org--name` folders). Never the network. */
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

/** Models from the setting finetune.models (incomplete entries skipped, as the server does). */
export function settingsModels(): CatalogModel[] {
  const raw = vscode.workspace.getConfiguration('finetune').get<unknown[]>('models') ?? [];
  const out: CatalogModel[] = [];
  for (const m of Array.isArray(raw) ? raw : []) {
    if (!m || typeof m !== 'object' || typeof (m as { id?: unknown }).id !== 'string') continue;
    try {
      const id = (m as { id: string }).id;
      out.push({ id, dims: completeDims(m as Parameters<typeof completeDims>[0], `the model '${id}' in finetune.models`), source: 'setting finetune.models' });
    } catch {
      /* incomplete: the settings UI shows the schema */
    }
  }
  return out;
}

/** Where models come from besides the catalog: the settings and the local HF cache (and model folders in the workspace). */
export function modelLookup(): ModelLookup {
  const roots = () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return { hfCache: hfModelDimsReader(process.env, roots), custom: settingsModels() };
}

/** "Also: a, b, +3 more": as many other ids as fit one quick pick line (about 70 characters). */
export function alsoKnownAs(aliases: readonly string[], width = 70): string {
  let shown = 0;
  let text = 'Also: ';
  while (shown < aliases.length) {
    const rest = aliases.length - shown - 1;
    const next = `${shown ? ', ' : ''}${aliases[shown]}`;
    if (shown && (text + next).length + (rest ? `, +${rest} more`.length : 0) > width) break;
    text += next;
    shown++;
  }
  return shown < aliases.length ? `${text}, +${aliases.length - shown} more` : text;
}

export interface ModelItem extends vscode.QuickPickItem {
  model?: string;
  /** "Other…": ask for an id. */
  other?: true;
}

const ID = /^[\w.-]+\/[\w.-]+$/;

/**
 * The model picker's rows: settings, the local cache, the catalog by family, then "Other…". For a classifier the
 * encoders (BERT) come first: they are what a classification head usually sits on.
 */
export function modelItems(approach?: Approach): ModelItem[] {
  const items: ModelItem[] = [];
  const known = new Set<string>();
  const custom = settingsModels();
  if (custom.length) {
    items.push({ label: 'From the setting finetune.models', kind: vscode.QuickPickItemKind.Separator });
    for (const m of custom) {
      items.push({ label: m.id, description: sizeLabel(m.dims.parameters), model: m.id });
      known.add(m.id.toLowerCase());
    }
  }
  const cached = cachedModelIds().filter((id) => !known.has(id.toLowerCase()));
  if (cached.length) {
    items.push({ label: 'In the local Hugging Face cache', kind: vscode.QuickPickItemKind.Separator });
    for (const id of cached) {
      items.push({ label: id, description: 'cached', model: id });
      known.add(id.toLowerCase());
    }
  }
  let family = '';
  const encoderFirst = (m: CatalogModel) => (approach === 'classifier' && m.dims.architecture === 'encoder' ? 0 : 1);
  for (const m of [...MODEL_CATALOG].sort((a, b) => encoderFirst(a) - encoderFirst(b))) {
    if (known.has(m.id.toLowerCase())) continue;
    const f = modelFamily(m.id);
    if (f !== family) {
      items.push({ label: f, kind: vscode.QuickPickItemKind.Separator });
      family = f;
    }
    const aliases = m.aliases ?? [];
    items.push({
      label: m.id,
      description: sizeLabel(m.dims.parameters),
      ...(aliases.length ? { detail: alsoKnownAs(aliases) } : {}),
      model: m.id,
    });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '$(edit) Other…', description: 'type a Hugging Face model id', alwaysShow: true, other: true });
  return items;
}

/** What typing a model id adds on top: "Use 'org/name'" when it is not one of the rows. */
export function typedModel(value: string, items: readonly ModelItem[]): ModelItem[] {
  const v = value.trim();
  if (!ID.test(v) || items.some((i) => i.model?.toLowerCase() === v.toLowerCase())) return [];
  return [{ label: v, description: 'use this model id', alwaysShow: true, model: v }];
}

export async function askModelId(value = ''): Promise<string | undefined> {
  const id = await vscode.window.showInputBox({
    title: 'Base model',
    prompt: 'A Hugging Face model id (org/name): the catalog, finetune.models or a model in the local Hugging Face cache',
    value,
    validateInput: (v) => (ID.test(v.trim()) ? undefined : 'An id like org/name, e.g. NousResearch/Llama-3.2-1B'),
  });
  return id?.trim();
}
