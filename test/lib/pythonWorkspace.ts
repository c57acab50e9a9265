/**
 * The workspace Python the config checks read (issue 14): a TRL recipe script whose parser takes the workspace's own
 * SFTConfig subclass, and a LightningModule for LightningCLI's `class_path`. Shared by the desktop server's test
 * (test/lsp/workspacePython.test.ts) and the web build's (test/web/webServer.test.ts), which must see the same files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** src/recipes/configs.py with the given field lines of the SFTConfig subclass. */
export const recipeConfigsPy = (fields: string): string =>
  `from dataclasses import dataclass\nimport trl\n\n@dataclass\nclass SFTConfig(trl.SFTConfig):\n${fields}`;

/** Writes scripts/sft.py, project/models.py and src/recipes/configs.py (with `fields`) under `dir`. */
export function writePythonWorkspace(dir: string, fields: string): void {
  for (const sub of ['scripts', 'src/recipes', 'project']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'src', 'recipes', 'configs.py'), recipeConfigsPy(fields));
  writeFileSync(
    join(dir, 'scripts', 'sft.py'),
    'from trl import ModelConfig, ScriptArguments, TrlParser\nfrom recipes.configs import SFTConfig\n\nparser = TrlParser((ScriptArguments, SFTConfig, ModelConfig))\n',
  );
  writeFileSync(
    join(dir, 'project', 'models.py'),
    'import lightning.pytorch as pl\n\nclass Model(pl.LightningModule):\n    def __init__(self, lr: float = 1e-3):\n        super().__init__()\n',
  );
}
