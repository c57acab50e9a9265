/** Hydra and OmegaConf configs: `_target_` blocks checked against the callable they build, and `defaults:` lists. */
export { callableTable, lookupCallable, type CallableInfo, type CallableTable } from './callables';
export { detectHydra } from './detect';
export { checkHydra, type HydraContext } from './check';
export { hydraCompletion, hydraHover } from './editor';
export { trainingView, type TrainingView } from './vram';
