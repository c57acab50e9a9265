/** The VRAM estimator: config adapters, the model catalog, the estimate, fit plans, reports, and the findings
 *  (FT4xx) a config's analysis shows. Pure: no I/O (model files and configs are read through FileAccess). */
export { isNoSetup, setupFromConfig } from './adapters';
export { MODEL_CATALOG } from './catalogData';
export { estimate, usableBytes, type Estimate } from './estimate';
export { catalogModel, resolveModel, type ModelLookup } from './models';
export type { ModelDims } from './modelTypes';
export { oomFindings, type OomReport } from './oom';
export { planFit, type FitPlan } from './plan';
export type { Verdict } from './range';
export { estimateRange, gib, shortGpuName } from './report';
export { analyzeVram, vramFindings, type VramAnalysis } from './service';
export { resolveSetup, type Method } from './setup';
