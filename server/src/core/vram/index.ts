/** The VRAM estimator: config adapters, the model catalog, the estimate, fit plans, reports, and the findings
 *  (FT4xx) a config's analysis shows. Pure: no I/O (model files and configs are read through FileAccess). */
export { isNoSetup, setupFromConfig } from './adapters';
export { MODEL_CATALOG } from './catalogData';
export { SHOW_VRAM_COMMAND, vramBreakdown, vramCodeLenses, vramHover, vramInlayHints } from './editor';
export { estimate, usableBytes, type Estimate } from './estimate';
export { catalogModel, completeDims, dimsFromHfConfig, resolveModel, UnknownModelError, type ModelLookup } from './models';
export type { CatalogModel, ModelDims } from './modelTypes';
export { oomFindings, type OomReport } from './oom';
export { planFit, planLines, type FitPlan } from './plan';
export type { Verdict } from './range';
export { estimateJson, estimateRange, estimateText, gib, shortGpuName, VERDICT_MARK } from './report';
export { analyzeVram, vramFindings, type VramAnalysis } from './service';
export { resolveSetup, SETUP_FIELDS, SetupError, type Method } from './setup';
