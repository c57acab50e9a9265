import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, extname, relative } from 'node:path';
import {
  APPROACHES,
  configPathFor,
  FORMAT_LABELS,
  GEN_FORMATS,
  GEN_METHODS,
  METHOD_LABELS,
  newConfig,
  support,
  type Approach,
  type GenFormat,
  type NewConfig,
  type NewConfigFailure,
} from '../../../server/src/core/generate';
import { GPUS, type GpuInfo } from '../../../server/src/core/gpus/catalog';
import { usableBytes } from '../../../server/src/core/vram/estimate';
import { estimateRange, gib, shortGpuName } from '../../../server/src/core/vram/report';
import type { Method } from '../../../server/src/core/vram/setup';
import { gpuFromSetting } from '../../../server/src/localGpus';
import type { GpuSetting } from '../../../server/src/protocol';
import { askModelId, modelItems, modelLookup, typedModel, type ModelItem } from './models';
import { BACK, pickStep } from './steps';

const TITLE = 'New Training Config';
const STEPS = 5;

/** When each approach fits, in one line each (a quick pick cuts longer lines off). */
const APPROACH_ITEMS: Record<Approach, { label: string; description: string; detail: string }> = {
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

const NOUN: Record<Approach, string> = { classifier: 'a classifier', 'prompt-template': 'a prompt-template model' };

interface State {
  approach?: Approach;
  method?: Method;
  model?: string;
  gpu?: GpuInfo;
  format?: GenFormat;
}

type Step = 1 | 2 | 3 | 4 | 5 | 'generate';

/** Format names short enough for a method's description ("lora · Axolotl, LLaMA-Factory, TRL CLI, ..."). */
const SHORT_FORMAT: Record<GenFormat, string> = { axolotl: 'Axolotl', llamafactory: 'LLaMA-Factory', trl: 'TRL', torchtune: 'torchtune', 'hf-args': 'run_classification.py', script: 'Python script' };

const formatsFor = (approach: Approach, method: Method) => GEN_FORMATS.filter((f) => support(approach, f, method).supported);

/** Why no format offers this method for the approach: one line per format, in the format's own words. */
function whyNot(approach: Approach, method: Method): string {
  return GEN_FORMATS.map((f) => `• ${FORMAT_LABELS[f]}: ${support(approach, f, method).summary}.`).join('\n');
}

/** One sentence and a "Why?" button; the reason, which can be long, opens in a dialog only when asked for. */
async function explainRefusal(sentence: string, reason: string): Promise<void> {
  if ((await vscode.window.showWarningMessage(sentence, 'Why?')) === 'Why?') await vscode.window.showInformationMessage(sentence, { modal: true, detail: reason });
}

/** The GPUs to offer: the setting finetune.gpus first, then the catalog. */
function gpuItems(): Array<vscode.QuickPickItem & { gpu?: GpuInfo }> {
  const configured = (vscode.workspace.getConfiguration('finetune').get<GpuSetting[]>('gpus') ?? [])
    .map((g) => gpuFromSetting(g))
    .filter((g): g is GpuInfo => Boolean(g));
  const describe = (g: GpuInfo) => `${gib(usableBytes(g))} usable · compute capability ${g.computeCapability}${g.computeCapability >= 8 ? ' (bf16)' : ' (fp16)'}`;
  const items: Array<vscode.QuickPickItem & { gpu?: GpuInfo }> = [];
  if (configured.length) {
    items.push({ label: 'From the setting finetune.gpus', kind: vscode.QuickPickItemKind.Separator });
    for (const g of configured) items.push({ label: shortGpuName(g.name), description: describe(g), gpu: g });
    items.push({ label: 'All GPUs', kind: vscode.QuickPickItemKind.Separator });
  }
  for (const g of GPUS) items.push({ label: shortGpuName(g.name), description: describe(g), gpu: g });
  return items;
}

/** A suggestion from newConfig turned into a button, where one can act on it. */
interface Action {
  title: string;
  apply: (s: State) => Step;
}

function actionsFor(failure: NewConfigFailure, state: State): Action[] {
  const actions: Action[] = [];
  // The planner's answers (the same as ftw vram's) that the wizard can act on: another method, a smaller model of
  // the same family, another GPU. Offload and more GPUs are for the user to set up.
  for (const a of failure.plan?.answers ?? []) {
    if (a.kind === 'config' && a.steps.some((s) => s.kind === 'qlora') && (GEN_METHODS as readonly string[]).includes('qlora')) {
      actions.push({ title: 'Use QLoRA', apply: (st) => ((st.method = 'qlora' as Method), 'generate') });
    } else if (a.kind === 'smaller-model' && typeof a.setup.model === 'string') {
      const model = a.setup.model;
      actions.push({ title: `Use ${model}`, apply: (st) => ((st.model = model), 'generate') });
    } else if (a.kind === 'rented' && a.setup.gpus === 1) {
      const gpu = a.gpu;
      actions.push({ title: `Use the ${shortGpuName(gpu.name)}`, apply: (st) => ((st.gpu = gpu), 'generate') });
    }
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
export async function newTrainingConfig(): Promise<void> {
  const state: State = {};
  let step: Step = 1;
  for (;;) {
    if (step === 'generate') {
      const next = await generate(state);
      if (next === undefined) return;
      step = next;
      continue;
    }
    const answer: Step | typeof BACK | undefined = await ask(step, state);
    if (answer === undefined) return;
    if (answer === BACK) {
      step = step === 1 ? 1 : ((step - 1) as Step);
      continue;
    }
    step = answer;
  }
}

/** One step; the next step, Back, or undefined when cancelled. */
async function ask(step: Exclude<Step, 'generate'>, state: State): Promise<Step | typeof BACK | undefined> {
  switch (step) {
    case 1: {
      const items = APPROACHES.map((a) => ({ ...APPROACH_ITEMS[a], approach: a }));
      const a = await pickStep({ title: TITLE, step, totalSteps: STEPS, placeholder: 'What are you building?', items, active: (i) => i.approach === state.approach });
      if (a === undefined || a === BACK) return a;
      state.approach = a.approach;
      return 2;
    }
    case 2: {
      const approach = state.approach!;
      const items = GEN_METHODS.map((m) => {
        const formats = formatsFor(approach, m);
        return formats.length
          ? { label: METHOD_LABELS[m], description: `${m} · ${formats.map((f) => SHORT_FORMAT[f]).join(', ')}`, method: m, available: true }
          : { label: `$(circle-slash) ${METHOD_LABELS[m]}`, description: `${m} · no format offers it`, detail: `Not for ${NOUN[approach]} here: pick it for each tool's reason`, method: m, available: false };
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
          void explainRefusal(`${METHOD_LABELS[i.method]} is not offered for ${NOUN[approach]}.`, whyNot(approach, i.method));
          return false;
        },
      });
      if (picked === undefined || picked === BACK) return picked;
      state.method = picked.method;
      return 3;
    }
    case 3: {
      const items = modelItems(state.approach);
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
      const picked = await pickStep({ title: TITLE, step, totalSteps: STEPS, placeholder: 'Target GPU: the values are chosen so the run fits it', items: gpuItems(), active: (i) => state.gpu !== undefined && i.gpu?.name === state.gpu.name });
      if (picked === undefined || picked === BACK) return picked;
      state.gpu = picked.gpu;
      return 5;
    }
    case 5: {
      const { approach, method } = state as Required<Pick<State, 'approach' | 'method'>>;
      const items = GEN_FORMATS.map((f) => {
        const s = support(approach, f, method);
        return s.supported
          ? { label: FORMAT_LABELS[f], description: f, detail: s.summary, format: f, ok: true, why: s.how }
          : { label: `$(circle-slash) ${FORMAT_LABELS[f]}`, description: `${f} · cannot express ${method}`, detail: s.summary, format: f, ok: false, why: s.reason };
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
          void explainRefusal(`${FORMAT_LABELS[i.format]} cannot train ${NOUN[approach]} with ${METHOD_LABELS[method].toLowerCase()}.`, i.why);
          return false;
        },
      });
      if (picked === undefined || picked === BACK) return picked;
      state.format = picked.format;
      return 'generate';
    }
  }
}

/** Runs the generator; on success saves and opens the file (undefined: done), on failure the step to go to. */
async function generate(state: State): Promise<Step | undefined> {
  const { approach, method, model, gpu, format } = state as Required<State>;
  const lookup = modelLookup();
  const first = newConfig({ approach, method, model, gpu, format, lookup });
  if (!first.ok) {
    const actions = actionsFor(first, state);
    const choice = await vscode.window.showErrorMessage(first.message, { modal: true, detail: first.suggestions.map((s) => `• ${s}`).join('\n') || undefined }, ...actions.map((a) => a.title));
    const action = actions.find((a) => a.title === choice);
    return action ? action.apply(state) : undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const script = format === 'script';
  const target = await vscode.window.showSaveDialog({
    title: script ? 'Save the training script (its YAML goes beside it)' : 'Save the new training config',
    saveLabel: script ? 'Create Script' : 'Create Config',
    defaultUri: folder ? freeUri(folder, first.config.suggestedFileName) : vscode.Uri.file(first.config.suggestedFileName),
    filters: script ? { 'Python script': ['py'] } : { 'YAML config': ['yaml', 'yml'] },
  });
  if (!target) return undefined;
  // Never a silent overwrite: the default name is one that does not exist, and the save dialog (native or VS Code's
  // own) asks before replacing a file the user picks; a script's YAML beside it is checked here.
  const configUri = script ? target.with({ path: configPathFor(target.path) }) : target;
  if (script && configUri.scheme === 'file' && existsSync(configUri.fsPath)) {
    const replace = await vscode.window.showWarningMessage(`${basename(configUri.fsPath)} exists beside it.`, { modal: true, detail: 'The script reads the YAML with its own name; replacing it loses what is there.' }, 'Replace');
    if (replace !== 'Replace') return undefined;
  }
  const wsFolder = vscode.workspace.getWorkspaceFolder(configUri);
  const fileRef = wsFolder ? relative(wsFolder.uri.fsPath, configUri.fsPath) : configUri.fsPath;
  const named = newConfig({ approach, method, model, gpu, format, lookup, runName: basename(configUri.path).replace(/\.(ya?ml|json)$/i, ''), fileRef });
  const config: NewConfig = named.ok ? named.config : first.config;
  if (config.script) {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(config.script));
    await vscode.window.showTextDocument(target, { preview: false });
  }
  await vscode.workspace.fs.writeFile(configUri, new TextEncoder().encode(config.text));
  // The YAML last, so it is the active editor: its values carry the VRAM lens and the comments.
  await vscode.window.showTextDocument(configUri, { preview: false });
  void summarise(config, target, configUri);
  return undefined;
}

/** One sentence with buttons; the command and the chosen values are in the file's header comments. */
async function summarise(c: NewConfig, launchable: vscode.Uri, config: vscode.Uri): Promise<void> {
  const vram = `${estimateRange(c.estimate)} of ${gib(usableBytes(c.gpu))} on the ${shortGpuName(c.gpu.name)}`;
  const names = launchable.toString() === config.toString() ? basename(config.fsPath) : `${basename(launchable.fsPath)} and ${basename(config.fsPath)}`;
  const buttons = vscode.workspace.isTrusted ? ['Launch', 'Show VRAM Estimate'] : ['Show VRAM Estimate'];
  const choice = await vscode.window.showInformationMessage(`Created ${names}: ${vram}.`, ...buttons);
  if (choice === 'Launch') await vscode.commands.executeCommand('finetune.launch', launchable);
  else if (choice === 'Show VRAM Estimate') await vscode.commands.executeCommand('finetune.showVramBreakdown', config);
}
