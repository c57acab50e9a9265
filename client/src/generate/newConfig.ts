import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  NEW_CONFIG,
  NEW_CONFIG_CHOICES,
  type GpuChoice,
  type NewConfigAnswer,
  type NewConfigChoices,
  type NewConfigChoicesParams,
  type NewConfigParams,
} from '../../../server/src/protocol';
import { askModelId, modelItems, typedModel, type ModelItem } from './models';
import { BACK, pickStep } from './steps';

const TITLE = 'New Training Config';
const STEPS = 5;

/** When each approach fits, in one line each (a quick pick cuts longer lines off). */
const APPROACH_ITEMS: Record<string, { label: string; description: string; detail: string }> = {
  classifier: {
    label: '$(symbol-enum) Task-specific classifier',
    description: 'a classification head',
    detail: 'Enough labelled examples, one task, high accuracy, batch inference',
  },
  'prompt-template': {
    label: '$(comment-discussion) Prompt-template model',
    description: 'a causal LM',
    detail: 'Little data, zero/few-shot, structured output, a fast prototype',
  },
};

const NOUN: Record<string, string> = { classifier: 'a classifier', 'prompt-template': 'a prompt-template model' };

interface State {
  approach?: string;
  method?: string;
  model?: string;
  gpu?: GpuChoice;
  format?: string;
}

type Step = 1 | 2 | 3 | 4 | 5 | 'generate';

/** Format names short enough for a method's description ("lora · Axolotl, LLaMA-Factory, TRL CLI, ..."). */
const SHORT_FORMAT: Record<string, string> = {
  axolotl: 'Axolotl',
  llamafactory: 'LLaMA-Factory',
  trl: 'TRL',
  torchtune: 'torchtune',
  'hf-args': 'run_classification.py',
  script: 'Python script',
};

/** The server's answers for one wizard run (finetune/newConfigChoices) and the client that asks. */
interface Engine {
  client: LanguageClient;
  choices: NewConfigChoices;
}

const label = (list: Array<{ id: string; label: string }>, id: string) => list.find((x) => x.id === id)?.label ?? id;
const supportOf = (e: Engine, approach: string, format: string, method: string) => e.choices.support[approach][method][format];
const formatsFor = (e: Engine, approach: string, method: string) =>
  e.choices.formats.filter((f) => supportOf(e, approach, f.id, method).supported).map((f) => f.id);

/** Why no format offers this method for the approach: one line per format, in the format's own words. */
function whyNot(e: Engine, approach: string, method: string): string {
  return e.choices.formats.map((f) => `• ${f.label}: ${supportOf(e, approach, f.id, method).summary}.`).join('\n');
}

/** One sentence and a "Why?" button; the reason, which can be long, opens in a dialog only when asked for. */
async function explainRefusal(sentence: string, reason: string): Promise<void> {
  if ((await vscode.window.showWarningMessage(sentence, 'Why?')) === 'Why?')
    await vscode.window.showInformationMessage(sentence, { modal: true, detail: reason });
}

/** The GPUs to offer: the setting finetune.gpus first, then the catalog. */
function gpuItems(e: Engine): Array<vscode.QuickPickItem & { gpu?: GpuChoice }> {
  const describe = (g: GpuChoice) => `${g.usable} usable · compute capability ${g.computeCapability}${g.computeCapability >= 8 ? ' (bf16)' : ' (fp16)'}`;
  const configured = e.choices.gpus.filter((g) => g.fromSetting);
  const items: Array<vscode.QuickPickItem & { gpu?: GpuChoice }> = [];
  if (configured.length) {
    items.push({ label: 'From the setting finetune.gpus', kind: vscode.QuickPickItemKind.Separator });
    for (const g of configured) items.push({ label: g.shortName, description: describe(g), gpu: g });
    items.push({ label: 'All GPUs', kind: vscode.QuickPickItemKind.Separator });
  }
  for (const g of e.choices.gpus.filter((x) => !x.fromSetting)) items.push({ label: g.shortName, description: describe(g), gpu: g });
  return items;
}

/** A suggestion from newConfig turned into a button, where one can act on it. */
interface Action {
  title: string;
  apply: (s: State) => Step;
}

function actionsFor(failure: Extract<NewConfigAnswer, { ok: false }>, state: State): Action[] {
  const actions: Action[] = [];
  // The planner's answers (the same as ftw vram's) that the wizard can act on: another method, a smaller model of
  // the same family, another GPU. Offload and more GPUs are for the user to set up.
  for (const r of failure.remedies) {
    if (r.kind === 'method') actions.push({ title: 'Use QLoRA', apply: (st) => ((st.method = r.method), 'generate') });
    else if (r.kind === 'model') actions.push({ title: `Use ${r.model}`, apply: (st) => ((st.model = r.model), 'generate') });
    else
      actions.push({
        title: `Use the ${r.shortName}`,
        apply: (st) => ((st.gpu = { name: r.name, shortName: r.shortName, usable: '', computeCapability: 0, fromSetting: false, gpu: r.gpu }), 'generate'),
      });
  }
  if (failure.kind === 'does-not-fit') actions.push({ title: 'Pick another GPU', apply: () => 4 });
  if (failure.kind === 'unknown-model' || /builder/.test(failure.message)) actions.push({ title: 'Pick another model', apply: () => 3 });
  if (failure.kind === 'unsupported' && state.format) actions.push({ title: 'Pick another format', apply: () => 5 });
  return actions.slice(0, 4);
}

/** A file name next to `name` that does not exist yet (name, name-2, name-3, ...). */
function freeUri(folder: vscode.Uri, name: string): vscode.Uri {
  const ext = extname(name);
  const stem = basename(name, ext);
  for (let i = 1; ; i++) {
    const uri = vscode.Uri.joinPath(folder, i === 1 ? name : `${stem}-${i}${ext}`);
    if (uri.scheme !== 'file' || !existsSync(uri.fsPath)) return uri;
  }
}

/**
 * "Fine-Tune: New Training Config": approach → method → base model → target GPU → format, then the generator
 * (server/src/core/generate) writes a config that fits the GPU. Only writes a file: works in Restricted Mode.
 */
export async function newTrainingConfig(client: LanguageClient): Promise<void> {
  const scope = vscode.workspace.workspaceFolders?.[0]?.uri.toString();
  let choices: NewConfigChoices;
  try {
    choices = await client.sendRequest<NewConfigChoices>(NEW_CONFIG_CHOICES, (scope ? { uri: scope } : {}) satisfies NewConfigChoicesParams);
  } catch (e) {
    // The generator is the language server's: without it there is nothing to offer.
    void vscode.window.showErrorMessage(
      `${TITLE} needs the Fine-Tune language server, which did not answer: ${e instanceof Error ? e.message : String(e)}. Try "Fine-Tune: Restart Language Server".`,
    );
    return;
  }
  const engine: Engine = { client, choices };
  const state: State = {};
  let step: Step = 1;
  for (;;) {
    if (step === 'generate') {
      const next = await generate(engine, state);
      if (next === undefined) return;
      step = next;
      continue;
    }
    const answer: Step | typeof BACK | undefined = await ask(engine, step, state);
    if (answer === undefined) return;
    if (answer === BACK) {
      step = step === 1 ? 1 : ((step - 1) as Step);
      continue;
    }
    step = answer;
  }
}

/** One step; the next step, Back, or undefined when cancelled. */
async function ask(e: Engine, step: Exclude<Step, 'generate'>, state: State): Promise<Step | typeof BACK | undefined> {
  switch (step) {
    case 1: {
      const items = e.choices.approaches.map((a) => ({ ...(APPROACH_ITEMS[a.id] ?? { label: a.label, description: '', detail: '' }), approach: a.id }));
      const a = await pickStep({
        title: TITLE,
        step,
        totalSteps: STEPS,
        placeholder: 'What are you building?',
        items,
        active: (i) => i.approach === state.approach,
      });
      if (a === undefined || a === BACK) return a;
      state.approach = a.approach;
      return 2;
    }
    case 2: {
      const approach = state.approach!;
      const items = e.choices.methods.map(({ id: m, label: methodLabel }) => {
        const formats = formatsFor(e, approach, m);
        return formats.length
          ? { label: methodLabel, description: `${m} · ${formats.map((f) => SHORT_FORMAT[f] ?? f).join(', ')}`, method: m, available: true }
          : {
              label: `$(circle-slash) ${methodLabel}`,
              description: `${m} · no format offers it`,
              detail: `Not for ${NOUN[approach]} here: pick it for each tool's reason`,
              method: m,
              available: false,
            };
      });
      const picked = await pickStep({
        title: TITLE,
        step,
        totalSteps: STEPS,
        placeholder: 'Training method',
        items,
        active: (i) => i.method === state.method,
        accept: (i) => {
          if (i.available) return true;
          void explainRefusal(`${label(e.choices.methods, i.method)} is not offered for ${NOUN[approach]}.`, whyNot(e, approach, i.method));
          return false;
        },
      });
      if (picked === undefined || picked === BACK) return picked;
      state.method = picked.method;
      return 3;
    }
    case 3: {
      const items = modelItems(e.choices.models, state.approach);
      const picked = await pickStep<ModelItem>({
        title: TITLE,
        step,
        totalSteps: STEPS,
        placeholder: `Base model (type an id such as ${state.approach === 'classifier' ? 'google-bert/bert-base-uncased' : 'NousResearch/Llama-3.2-1B'} to use it)`,
        items,
        // Only a model chosen before (Back): with none, the list opens at its top, not at "Other…".
        active: (i) => state.model !== undefined && i.model === state.model,
        typed: (v) => typedModel(v, items),
        matchOnDetail: true,
      });
      if (picked === undefined || picked === BACK) return picked;
      if (picked.other) {
        const id = await askModelId(state.model);
        if (!id) return 3;
        state.model = id;
      } else state.model = picked.model;
      return 4;
    }
    case 4: {
      const picked = await pickStep({
        title: TITLE,
        step,
        totalSteps: STEPS,
        placeholder: 'Target GPU: the values are chosen so the run fits it',
        items: gpuItems(e),
        active: (i) => state.gpu !== undefined && i.gpu?.name === state.gpu.name,
      });
      if (picked === undefined || picked === BACK) return picked;
      state.gpu = picked.gpu;
      return 5;
    }
    case 5: {
      const { approach, method } = state as Required<Pick<State, 'approach' | 'method'>>;
      const items = e.choices.formats.map(({ id: f, label: formatLabel }) => {
        const s = supportOf(e, approach, f, method);
        return s.supported
          ? { label: formatLabel, description: f, detail: s.summary, format: f, name: formatLabel, ok: true, why: s.why }
          : {
              label: `$(circle-slash) ${formatLabel}`,
              description: `${f} · cannot express ${method}`,
              detail: s.summary,
              format: f,
              name: formatLabel,
              ok: false,
              why: s.why,
            };
      });
      items.sort((a, b) => Number(b.ok) - Number(a.ok));
      const picked = await pickStep({
        title: TITLE,
        step,
        totalSteps: STEPS,
        placeholder: 'Config format (the tool that trains it)',
        items,
        active: (i) => i.format === state.format && i.ok,
        accept: (i) => {
          if (i.ok) return true;
          void explainRefusal(`${i.name} cannot train ${NOUN[approach]} with ${label(e.choices.methods, method).toLowerCase()}.`, i.why);
          return false;
        },
      });
      if (picked === undefined || picked === BACK) return picked;
      state.format = picked.format;
      return 'generate';
    }
  }
}

/** Runs the generator (the server's finetune/newConfig); on success saves and opens the file (undefined: done), on failure the step to go to. */
async function generate(e: Engine, state: State): Promise<Step | undefined> {
  const { approach, method, model, gpu, format } = state as Required<State>;
  const request: NewConfigParams = { approach, method, model, gpu: gpu.gpu, format };
  const first = await e.client.sendRequest<NewConfigAnswer>(NEW_CONFIG, request);
  if (!first.ok) {
    const actions = actionsFor(first, state);
    const choice = await vscode.window.showErrorMessage(
      first.message,
      { modal: true, detail: first.suggestions.map((s) => `• ${s}`).join('\n') || undefined },
      ...actions.map((a) => a.title),
    );
    const action = actions.find((a) => a.title === choice);
    return action ? action.apply(state) : undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const script = format === 'script';
  const target = await vscode.window.showSaveDialog({
    title: script ? 'Save the training script (its YAML goes beside it)' : 'Save the new training config',
    saveLabel: script ? 'Create Script' : 'Create Config',
    defaultUri: folder ? freeUri(folder, first.suggestedFileName) : vscode.Uri.file(first.suggestedFileName),
    filters: script ? { 'Python script': ['py'] } : { 'YAML config': ['yaml', 'yml'] },
  });
  if (!target) return undefined;
  // The config again, named for where it goes: its run name and its header's commands follow the file (a script's
  // YAML goes beside it, where the server says).
  const wsFolder = vscode.workspace.getWorkspaceFolder(target);
  const named = await e.client.sendRequest<NewConfigAnswer>(NEW_CONFIG, {
    ...request,
    saveAs: target.fsPath,
    ...(wsFolder ? { workspaceFolder: wsFolder.uri.fsPath } : {}),
  } satisfies NewConfigParams);
  const config = named.ok ? named : first;
  const configUri = script && named.ok && named.configPath ? vscode.Uri.file(named.configPath) : target;
  // Never a silent overwrite: the default name is one that does not exist, and the save dialog (native or VS Code's
  // own) asks before replacing a file the user picks; a script's YAML beside it is checked here.
  if (script && configUri.scheme === 'file' && existsSync(configUri.fsPath)) {
    const replace = await vscode.window.showWarningMessage(
      `${basename(configUri.fsPath)} exists beside it.`,
      { modal: true, detail: 'The script reads the YAML with its own name; replacing it loses what is there.' },
      'Replace',
    );
    if (replace !== 'Replace') return undefined;
  }
  if (config.script) {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(config.script));
    await vscode.window.showTextDocument(target, { preview: false });
  }
  await vscode.workspace.fs.writeFile(configUri, new TextEncoder().encode(config.text));
  // The YAML last, so it is the active editor: its values carry the VRAM lens and the comments.
  await vscode.window.showTextDocument(configUri, { preview: false });
  void summarise(config.summary, target, configUri);
  return undefined;
}

/** One sentence with buttons; the command and the chosen values are in the file's header comments. */
async function summarise(vram: string, launchable: vscode.Uri, config: vscode.Uri): Promise<void> {
  const names = launchable.toString() === config.toString() ? basename(config.fsPath) : `${basename(launchable.fsPath)} and ${basename(config.fsPath)}`;
  const buttons = vscode.workspace.isTrusted ? ['Launch', 'Show VRAM Estimate'] : ['Show VRAM Estimate'];
  const choice = await vscode.window.showInformationMessage(`Created ${names}: ${vram}.`, ...buttons);
  if (choice === 'Launch') await vscode.commands.executeCommand('finetune.launch', launchable);
  else if (choice === 'Show VRAM Estimate') await vscode.commands.executeCommand('finetune.showVramBreakdown', config);
}
