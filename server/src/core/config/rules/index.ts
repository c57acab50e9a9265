import { accelerateValuesRule } from './accelerateValues';
import { axolotlDeprecationsRule } from './axolotlDeprecations';
import { axolotlStepsRule } from './axolotlSteps';
import { componentsRule } from './components';
import { distillationRule, packingRule } from './training';
import { deepspeedLinkRule } from './distributed';
import { lightningInitArgsRule } from './lightningInitArgs';
import { lightningPrecisionRule } from './lightningPrecision';
import { adapterRule, dpoLossWeightsRule, llamaFactoryArgsRule, quantizationBitRule } from './loading';
import { precisionRule } from './precision';
import { quantizationRule } from './quantization';
import { tokensRule } from './tokens';
import { torchtuneRecipeChecksRule } from './torchtuneRecipeChecks';
import { torchtuneRecipeKeysRule } from './torchtuneRecipeKeys';
import { valueHistoryRule } from './valueHistory';
import type { Finding, Rule, RuleContext } from './types';

/** Every cross-field and cross-file rule, one module per concern. */
export const RULES: Rule[] = [
  quantizationRule,
  precisionRule,
  packingRule,
  deepspeedLinkRule,
  tokensRule,
  distillationRule,
  componentsRule,
  adapterRule,
  quantizationBitRule,
  llamaFactoryArgsRule,
  dpoLossWeightsRule,
  lightningPrecisionRule,
  axolotlDeprecationsRule,
  accelerateValuesRule,
  valueHistoryRule,
  lightningInitArgsRule,
  torchtuneRecipeKeysRule,
  torchtuneRecipeChecksRule,
  axolotlStepsRule,
];

export function runRules(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const rule of RULES) if (rule.formats.includes(ctx.format)) out.push(...rule.check(ctx));
  return out;
}

export type { EditSpec, FileAccess, Finding, Rule, RuleContext } from './types';
