import type { Document, Node, Pair } from 'yaml';
import { isMap } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { CODES } from '../common/codes';
import { makeDiagnostic, offsetRange } from '../common/diagnostics';
import { keyText } from './parse';

/**
 * Keys that recipe scripts of their own add to TRL's dataclasses through TrlParser / HfArgumentParser: configs
 * written for those scripts (`accelerate launch src/open_r1/grpo.py --config recipe.yaml`) are right for them,
 * and only the `trl` CLI would not know the keys. Each list is the script's argument dataclasses, read at the
 * commit named.
 */
const SCRIPTS: Array<{ name: string; keys: string[] }> = [
  {
    // huggingface/open-r1 src/open_r1/configs.py @1416fa0: ScriptArguments, GRPOConfig, SFTConfig, GRPOScriptArguments.
    name: "open-r1's scripts (src/open_r1/configs.py, scripts/pass_rate_filtering)",
    keys: [
      'dataset_mixture',
      'benchmarks',
      'callbacks',
      'chat_template',
      'hub_model_revision',
      'num_completions_to_print',
      'overwrite_hub_revision',
      'push_to_hub_revision',
      'system_prompt',
      'wandb_log_unique_prompts',
      'wandb_entity',
      'wandb_project',
      'wandb_run_group',
      'reward_funcs',
      'cosine_min_value_wrong',
      'cosine_max_value_wrong',
      'cosine_min_value_correct',
      'cosine_max_value_correct',
      'cosine_max_len',
      'repetition_n_grams',
      'repetition_max_penalty',
      'code_language',
      'code_eval_test_batch_size',
      'code_eval_scoring_mode',
      'parallel_code_exec_per_proc',
      'dataset_prompt_column',
      'e2b_router_url',
      'morph_router_url',
      'code_provider',
      'ioi_provider',
      'max_completion_len',
      'soft_punish_cache',
      // scripts/pass_rate_filtering/compute_pass_rate.py @1416fa0: PassRateScriptArguments(GRPOScriptArguments).
      'output_dataset_name',
      'pass_rate_min',
      'pass_rate_max',
      'dataset_start_index',
      'dataset_end_index',
      'dataset_split',
    ],
  },
  {
    // huggingface/alignment-handbook src/alignment/configs.py @925acdf (ScriptArguments, SFT/DPO/ORPOConfig), and
    // DataArguments before 19f0345 (2025-07-24), which older recipes still use.
    name: "alignment-handbook's scripts (src/alignment/configs.py)",
    keys: [
      'dataset_mixture',
      'chat_template',
      'dataset_mixer',
      'dataset_splits',
      'dataset_configs',
      'text_column',
      'truncation_side',
      'auto_insert_empty_system_msg',
      'hub_model_revision',
      'base_model_revision',
      'model_code_revision',
      'use_bnb_nested_quant',
    ],
  },
];

const ALL = new Set(SCRIPTS.flatMap((s) => s.keys));

/** The top-level keys a recipe script reads that the config's schema does not declare. */
export function scriptOnlyKeys(declared: (key: string) => boolean): ReadonlySet<string> {
  return new Set([...ALL].filter((k) => !declared(k)));
}

/** One information diagnostic per file (FT112), on the first such key, naming them and the scripts that read them. */
export function scriptKeysNote(textDocument: TextDocument, doc: Document, keys: ReadonlySet<string>, tool: string): Diagnostic | null {
  if (!isMap(doc.contents)) return null;
  const found: Pair[] = doc.contents.items.filter((p) => {
    const k = keyText(p.key);
    return k !== null && keys.has(k);
  });
  if (!found.length) return null;
  const names = [...new Set(found.map((p) => keyText(p.key)!))];
  const scripts = SCRIPTS.filter((s) => names.some((n) => s.keys.includes(n))).map((s) => s.name);
  const r = (found[0].key as Node).range!;
  return makeDiagnostic({
    range: offsetRange(textDocument, r[0], r[1]),
    code: CODES.scriptKeys,
    severity: 'information',
    message: `${names.map((n) => `'${n}'`).join(', ')} ${names.length === 1 ? 'is' : 'are'} read only by a script of its own, such as ${scripts.join(' or ')}: run this config with that script. ${tool}'s own CLI does not declare ${names.length === 1 ? 'it' : 'them'}.`,
  });
}
