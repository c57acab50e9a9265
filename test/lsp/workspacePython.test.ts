import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recipeConfigsPy, writePythonWorkspace } from '../lib/pythonWorkspace';
import { TestClient } from './client';

// Issue 14: a TRL recipe read by a recipe script of the workspace, and a LightningCLI config naming a workspace
// class, over the real server; the script's dataclasses are read again when the client reports a Python change.
const dir = mkdtempSync(join(tmpdir(), 'ftw-workspace-python-'));
const CONFIGS = join(dir, 'src', 'recipes', 'configs.py');
writePythonWorkspace(dir, '    chat_template: str = None\n    curriculum_stage: int = 0\n');

describe("language server: the workspace's own Python", () => {
  const client = new TestClient();
  before(() => client.initialize(`file://${dir}`));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it("a recipe's keys are accepted while the script declares them, and reported once a saved change drops one", async () => {
    const uri = `file://${join(dir, 'recipes', 'sft.yaml')}`;
    const first = client.diagnostics(uri);
    await client.open(uri, 'model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: x\noutput_dir: o\nchat_template: "x"\ncurriculum_stage: 1\n');
    assert.deepEqual(
      (await first).map((d) => d.code),
      [],
    );
    writeFileSync(CONFIGS, recipeConfigsPy('    chat_template: str = None\n'));
    const next = client.diagnostics(uri, (d) => d.length > 0);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: `file://${CONFIGS}`, type: 2 }] });
    assert.deepEqual(
      (await next).map((d) => [d.code, d.range.start.line]),
      [['FT101', 4]],
    );
  });

  it('a LightningCLI init_args key the workspace class does not take', async () => {
    const uri = `file://${join(dir, 'configs', 'fit.yaml')}`;
    const published = client.diagnostics(uri);
    await client.open(uri, 'trainer:\n  max_epochs: 1\nmodel:\n  class_path: project.models.Model\n  init_args:\n    lrr: 0.1\n');
    assert.deepEqual(
      (await published).map((d) => [d.code, d.message.split(':')[0]]),
      [['FT101', "Unknown argument 'lrr' of Model.__init__ (project/models.py)"]],
    );
  });
});
