/** The config engine: pure functions and classes, no I/O, no connection. */
export {
  ConfigService,
  createConfigService,
  DEFAULT_SETTINGS,
  pathOfUri,
  uriOfPath,
  proveFixes,
  syntaxOf,
  type Analysis,
  type ConfigSettings,
  type DocumentContext,
  type SchemaSet,
} from './service';
export { detectFormat, type Detection, type DetectionInput } from './detect';
export { FORMATS, CONFIG_FORMAT_IDS, isFormatId, type FormatId, type FormatInfo } from '../common/formats';
export { CODES, CODE_TITLES, SOURCE, codeDescriptionUrl, type Code } from '../common/codes';
export { FIX_ALL_KIND, fixAllEdits, preferredFixes } from './actions';
export { fixesOf, severityName, type Fix } from '../common/diagnostics';
export { parseConfig } from './parse';
export { parseWithRecovery } from './incremental';
export type { JsonSchema } from './schema';
export { registerPrebuiltValidator } from './validate';
export { contextAt, locate, type ValuePath } from './ast';
export { deepspeedTemplate } from './rules/deepspeedTemplate';
export { trainingView, type TrainingView } from './hydra';
export type { AnalysisExtension, ExtensionInput } from './service';
