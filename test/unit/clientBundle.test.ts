import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GEN_FORMATS } from '../../server/src/core/generate';
import { GPUS } from '../../server/src/core/gpus/catalog';
import { LAUNCHERS as CORE_LAUNCHERS } from '../../server/src/core/jobs/types';
import { GENERATED_FORMATS, LAUNCHERS } from '../../server/src/protocol';
import { gpuSetting } from '../../server/src/wizardRequests';
import { gpuFromSetting } from '../../server/src/localGpus';
import { clientBundle } from '../lib/clientBundle';

describe('The client bundles VS Code glue, not the core (issue 17)', () => {
  it('dist/client.js takes nothing from server/src/core, and from server/src only the protocol and the job runtime', async () => {
    const { inputs } = await clientBundle();
    const server = Object.keys(inputs)
      .filter((p) => p.startsWith('server/'))
      .sort();
    assert.deepEqual(
      server.filter((p) => p.startsWith('server/src/core/')),
      [],
    );
    assert.deepEqual(server, [
      'server/src/fileText.ts',
      'server/src/jobs/chart.ts',
      'server/src/jobs/logs.ts',
      'server/src/jobs/runner.ts',
      'server/src/jobs/tfevents.ts',
      'server/src/protocol.ts',
      'server/src/workspaceFiles.ts',
    ]);
  });

  it('one copy of each protocol library: vscode-languageclient, vscode-jsonrpc, vscode-languageserver-protocol and -types', async () => {
    const { inputs } = await clientBundle();
    const copies = new Map<string, Set<string>>();
    for (const p of Object.keys(inputs)) {
      const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(p);
      if (m) copies.set(m[2], (copies.get(m[2]) ?? new Set()).add(m[1]));
    }
    for (const pkg of ['vscode-languageclient', 'vscode-jsonrpc', 'vscode-languageserver-protocol', 'vscode-languageserver-types']) {
      assert.deepEqual([...(copies.get(pkg) ?? [])], [`node_modules/${pkg}`], pkg);
    }
  });

  it('our own code in it stays under 100 KB minified (the rest is vscode-languageclient and its protocol libraries)', async () => {
    const { inputs } = await clientBundle();
    const own = Object.entries(inputs)
      .filter(([p]) => !p.startsWith('node_modules/'))
      .reduce((n, [, b]) => n + b, 0);
    assert.ok(own < 100_000, `${own} bytes of our code`);
  });

  it("the protocol's lists agree with the core's", () => {
    assert.deepEqual([...GENERATED_FORMATS], [...GEN_FORMATS]);
    assert.deepEqual([...LAUNCHERS], [...CORE_LAUNCHERS]);
  });

  it('a catalog GPU travels by name and comes back as the same entry', () => {
    for (const g of GPUS) {
      assert.equal(gpuSetting(g), g.name);
      assert.deepEqual(gpuFromSetting(gpuSetting(g)), g);
    }
    assert.deepEqual(gpuSetting({ name: 'Lab card', aliases: [], computeCapability: 8.9, memoryGiB: 48, smiMiB: 49140 }), {
      name: 'Lab card',
      memoryMiB: 49140,
      computeCapability: 8.9,
    });
  });
});
