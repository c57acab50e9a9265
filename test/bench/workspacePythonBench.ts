// Issue 14: what reading the workspace's own Python costs a config check, in process (one ConfigService, like the
// server). A TRL recipe with keys TRL does not declare, in a workspace of 150 Python files of which one recipe script
// parses its argument dataclasses: the first check (lists folders, reads every script, parses those that call a
// parser), the checks after it (kept until a Python file changes: what a keystroke costs), and a check right after
// an invalidation (files read again, only changed ones parsed). Also a LightningCLI config whose model class is read
// from the workspace on every check. Medians of 50 (first check: of 10 fresh services).
//   npm run compile && node out/test/bench/workspacePythonBench.js
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createConfigService, DEFAULT_SETTINGS } from '../../server/src/core/config';
import { loadPythonParser } from '../../server/src/pythonParser';
import { loadSchemas } from '../../server/src/schemaFiles';
import { diskFiles } from '../../server/src/workspaceFiles';
import { REPO } from '../unit/helpers';

const RUNS = 50;
const dir = mkdtempSync(join(tmpdir(), 'ftw-workspace-python-bench-'));
const write = (rel: string, text: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
// 150 ordinary modules (a few hundred lines each), one configs module and one recipe script.
const filler = Array.from({ length: 300 }, (_, i) => `def helper_${i}(x):\n    return x + ${i}\n`).join('\n');
for (let i = 0; i < 50; i++) for (const sub of ['', 'scripts/', 'src/pkg/']) write(`${sub}module_${i}.py`, filler);
write(
  'src/pkg/configs.py',
  'from dataclasses import dataclass, field\nimport trl\n\n@dataclass\nclass SFTConfig(trl.SFTConfig):\n    chat_template: str = field(default=None)\n    curriculum_stage: int = 0\n',
);
write(
  'scripts/sft.py',
  'from trl import ModelConfig, ScriptArguments, TrlParser\nfrom pkg.configs import SFTConfig\n\nparser = TrlParser((ScriptArguments, SFTConfig, ModelConfig))\n',
);
write(
  'pkg2/models.py',
  'import lightning.pytorch as pl\n\nclass Model(pl.LightningModule):\n    def __init__(self, lr: float = 1e-3, hidden: int = 64):\n        super().__init__()\n',
);

const RECIPE = 'model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: x\noutput_dir: o\nchat_template: "x"\ncurriculum_stage: 1\nseed: ';
const LIGHTNING = 'trainer:\n  max_epochs: 1\nmodel:\n  class_path: pkg2.models.Model\n  init_args:\n    lr: 0.1\nseed_everything: ';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const schemas = loadSchemas(join(REPO, 'schemas'));
  const python = await loadPythonParser();
  const files = diskFiles();
  const ctx = { settings: DEFAULT_SETTINGS, files, roots: [dir], python };
  let version = 0;
  const doc = (name: string, text: string) => TextDocument.create(`file://${join(dir, name)}`, 'yaml', ++version, `${text}${version}\n`);
  const time = (f: () => void) => {
    const started = performance.now();
    f();
    return performance.now() - started;
  };
  const first: number[] = [];
  for (let i = 0; i < 10; i++) {
    const service = createConfigService(schemas);
    service.analyze(doc('warm.yaml', 'model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: x\noutput_dir: o\nseed: '), ctx); // the TRL schema is compiled outside the measure
    first.push(time(() => service.analyze(doc('sft.yaml', RECIPE), ctx)));
  }
  const service = createConfigService(schemas);
  service.analyze(doc('sft.yaml', RECIPE), ctx);
  const kept = Array.from({ length: RUNS }, () => time(() => service.analyze(doc('sft.yaml', RECIPE), ctx)));
  const invalidated = Array.from({ length: RUNS }, () => {
    service.forgetWorkspacePython();
    return time(() => service.analyze(doc('sft.yaml', RECIPE), ctx));
  });
  const noPython = Array.from({ length: RUNS }, () => time(() => service.analyze(doc('sft.yaml', RECIPE), { ...ctx, python: undefined })));
  service.analyze(doc('fit.yaml', LIGHTNING), ctx);
  const lightning = Array.from({ length: RUNS }, () => time(() => service.analyze(doc('fit.yaml', LIGHTNING), ctx)));
  const lightningNoPython = Array.from({ length: RUNS }, () => time(() => service.analyze(doc('fit.yaml', LIGHTNING), { ...ctx, python: undefined })));
  const check = service.analyze(doc('sft.yaml', RECIPE), ctx).diagnostics.map((d) => d.code);
  const rows = [
    ['TRL recipe, first check (152 scripts listed and read, 2 parsed)', median(first)],
    ['TRL recipe, later checks (kept)', median(kept)],
    ['TRL recipe, check after a Python file changed (read again, parsed from the kept facts)', median(invalidated)],
    ['TRL recipe, without reading the workspace (no parser)', median(noPython)],
    ['LightningCLI config, model class read on each check', median(lightning)],
    ['LightningCLI config, without the parser', median(lightningNoPython)],
  ];
  console.log('| Check | Median ms |\n| --- | ---: |');
  for (const [label, ms] of rows) console.log(`| ${label} | ${(ms as number).toFixed(2)} |`);
  console.log(`\nDiagnostics on the recipe with the workspace read: ${JSON.stringify(check)} (the script's keys are accepted).`);
}

void main();
