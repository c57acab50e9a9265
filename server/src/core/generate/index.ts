/** Config generation (issue #7): the support matrix, "New Training Config" and the length-bucket ensemble. Pure: no I/O. */
export {
  APPROACHES,
  APPROACH_LABELS,
  CONFIG_GEN_FORMATS,
  configFormat,
  FORMAT_LABELS,
  GEN_FORMATS,
  GEN_METHODS,
  METHOD_LABELS,
  support,
  supportMatrix,
  type Approach,
  type ConfigGenFormat,
  type GenFormat,
  type MatrixRow,
  type Support,
} from './support';
export { configPathFor, scriptPathFor } from './classifierPython';
export { gpuNames, newConfig, type NewConfig, type NewConfigFailure, type NewConfigRequest, type NewConfigResult } from './generate';
export { LENGTH, type Explanations, type Knobs } from './builders';
export { pickTeacher, torchtuneModelIds } from './modelFacts';
export { bucketNames, ensemble, EnsembleError, type Ensemble, type EnsembleOptions, type EnsembleVariant, type VsCodeTask } from './ensemble';
