/**
 * Config → TrainingSetup (DESIGN §5, §6.2): each format's keys mapped onto the estimator's setup, with the key
 * each field came from (for hovers, inlay hints and quick fixes) and a note for every assumption.
 *
 * Conventions shared by every format:
 * - `precision` says how the *weights* are stored, as `setup.ts` defines it: "bf16-true" when the tool loads
 *   the model in bf16 (frozen base of LoRA/QLoRA/freeze included), "bf16-mixed" when trainable weights are fp32
 *   under bf16 autocast. PEFT keeps LoRA adapter weights in fp32; the estimator counts adapters in the precision's
 *   dtype, a difference of megabytes (docs/vram.md).
 * - A key the tool would also coerce ("2", "1e-4") is read; a value it would reject or resolve at run time
 *   (a list, "auto") is ignored with a note. Nothing here throws.
 * - When the config does not set a value the estimator needs and the tool's default differs from the
 *   estimator's, the tool's default is filled in with a note and no source.
 * - The GPU count belongs to the launcher: `gpus` is set only from `ctx.launcherGpus` (or Lightning's
 *   `trainer.devices`); otherwise a note says the estimate is per GPU.
 * - Preference training (DPO, ORPO, SimPO) runs chosen and rejected sequences in one forward pass: the micro
 *   batch is doubled. The reference model of full-parameter DPO is *not* modelled as a second model (the setup
 *   has no field for it and "distillation" would add teacher logits that DPO does not keep); a note gives its
 *   size instead. With LoRA the reference is the base with the adapter disabled: no extra memory.
 * - Knowledge distillation with a teacher loaded next to the student sets `teacher`; the method stays the
 *   student's (lora/qlora), except a full-parameter student, which is method "distillation".
 */
import type { AdaptedSetup, AdapterContext, NoSetup } from '../adapterTypes';
import { axolotl } from './axolotl';
import { lightning } from './lightning';
import { llamafactory } from './llamafactory';
import { isObj } from './reader';
import { torchtune } from './torchtune';
import { trl } from './trl';

/** Maps a loaded config onto a TrainingSetup, or says why it has none. Never throws. */
export function setupFromConfig(ctx: AdapterContext): AdaptedSetup | NoSetup {
  if (!isObj(ctx.value)) return { reason: 'The file is empty or not a mapping of settings, so it names no model to estimate.' };
  try {
    switch (ctx.format) {
      case 'axolotl':
        return axolotl(ctx);
      case 'llamafactory':
        return llamafactory(ctx);
      case 'trl':
        return trl(ctx, false);
      case 'hf-args':
        return trl(ctx, true);
      case 'torchtune':
        return torchtune(ctx);
      case 'lightning-cli':
        return lightning(ctx);
      case 'deepspeed':
        return { reason: 'A DeepSpeed file has no model: the estimate shows on the training config that references it.' };
      case 'accelerate':
        return { reason: 'An Accelerate config has no model: the estimate shows on the training config launched with it.' };
      case 'python-lightning':
        return { reason: 'A Lightning Python file has no training settings to read: the estimate shows on its Lightning CLI config.' };
      default:
        return { reason: 'Not a fine-tuning config.' };
    }
  } catch (e) {
    // A guard, not a path: the readers above check every value they touch.
    return { reason: `The config could not be read for an estimate (${e instanceof Error ? e.message : String(e)}).` };
  }
}

export function isNoSetup(r: AdaptedSetup | NoSetup): r is NoSetup {
  return 'reason' in r;
}
