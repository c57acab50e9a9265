// Builds our config service the way the server does (schemas loaded from schemas/), for in-process timing.
import { createConfigService, DEFAULT_SETTINGS, type ConfigSettings } from '../../server/src/core/config';
import { loadSchemas } from '../../server/src/schemaFiles';
import type { Validate } from './measureCore';
import { ourSettings, schemaDir } from './servers';

/** The settings the LSP benchmark sends, minus `delay` (the server's debounce, not the core's business). */
const coreSettings: ConfigSettings = {
  ...DEFAULT_SETTINGS,
  validation: { enable: ourSettings.validation.enable, maxFileSizeKB: ourSettings.validation.maxFileSizeKB },
  formatAssociations: ourSettings.formatAssociations,
};

export function ourValidator(): Validate {
  const service = createConfigService(loadSchemas(schemaDir));
  return (doc) => service.validate(doc, { settings: coreSettings });
}
