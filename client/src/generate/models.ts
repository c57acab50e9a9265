import * as vscode from 'vscode';
import type { ModelChoice } from '../../../server/src/protocol';

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
 * The model picker's rows: settings, the local cache, the catalog by family, then "Other…" (the server lists them:
 * finetune/newConfigChoices). For a classifier the encoders (BERT) come first: they are what a classification head
 * usually sits on.
 */
export function modelItems(models: readonly ModelChoice[], approach?: string): ModelItem[] {
  const items: ModelItem[] = [];
  const custom = models.filter((m) => m.source === 'setting');
  if (custom.length) {
    items.push({ label: 'From the setting finetune.models', kind: vscode.QuickPickItemKind.Separator });
    for (const m of custom) items.push({ label: m.id, description: sizeLabel(m.parameters ?? 0), model: m.id });
  }
  const cached = models.filter((m) => m.source === 'cache');
  if (cached.length) {
    items.push({ label: 'In the local Hugging Face cache', kind: vscode.QuickPickItemKind.Separator });
    for (const m of cached) items.push({ label: m.id, description: 'cached', model: m.id });
  }
  let family = '';
  const encoderFirst = (m: ModelChoice) => (approach === 'classifier' && m.encoder ? 0 : 1);
  for (const m of models.filter((x) => x.source === 'catalog').sort((a, b) => encoderFirst(a) - encoderFirst(b))) {
    const f = modelFamily(m.id);
    if (f !== family) {
      items.push({ label: f, kind: vscode.QuickPickItemKind.Separator });
      family = f;
    }
    const aliases = m.aliases ?? [];
    items.push({
      label: m.id,
      description: sizeLabel(m.parameters ?? 0),
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
