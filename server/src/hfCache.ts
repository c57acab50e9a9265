import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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
        try {
          config = JSON.parse(readFileSync(join(snapshots, snap, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
          break;
        } catch {
          /* not in this snapshot */
        }
      }
    } catch {
      config = undefined;
    }
    memo.set(modelId, config);
    return config;
  };
}
