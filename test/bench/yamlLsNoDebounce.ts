// Runs yaml-language-server with its validation debounce set to 0 ms, so that the round-trip comparison
// measures work rather than a timer. yaml-language-server hard-codes `validationDelayMs = 200` in its
// SettingsState constructor (out/server/src/yamlSettings.js) and has no setting for it; server.js reads the
// class from the module's exports at run time, so replacing the export before server.js loads is enough.
// Usage: node out/test/bench/yamlLsNoDebounce.js --stdio
/* eslint-disable @typescript-eslint/no-require-imports */

function startPatchedServer(): void {
  const settingsModule = require('yaml-language-server/out/server/src/yamlSettings') as {
    SettingsState: new () => { validationDelayMs: number };
  };
  const Original = settingsModule.SettingsState;
  settingsModule.SettingsState = class extends Original {
    constructor() {
      super();
      this.validationDelayMs = 0;
    }
  };
  process.env.YAML_LANGUAGE_SERVER_VERSION = (require('yaml-language-server/package.json') as { version: string }).version;
  require('yaml-language-server/out/server/src/server.js');
}

// Only when run directly, not when `node --test out/test/` loads every file.
if (require.main === module && !process.env.NODE_TEST_CONTEXT) startPatchedServer();

export {};
