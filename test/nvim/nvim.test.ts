/**
 * Debian's Neovim (0.7, push diagnostics) as a second real LSP client of `bin/ftw lsp --stdio` (DESIGN.md §8).
 * Runs test/nvim/run.sh (which installs neovim once with apt-get, then drives test/nvim/run.lua and the Neovim
 * 0.7 setup of docs/editors.md through test/nvim/docs.lua, headless), then reports each check the Lua scripts
 * recorded as its own test, so a failure names what broke.
 * FTW_SKIP_NVIM=1 skips the suite. Needs dist/ built (`npm run compile`, as run-all.sh and test:nvim do first).
 */
import * as assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const REPO = path.join(__dirname, '..', '..', '..');

interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}
interface Results {
  ok: boolean;
  nvim: string;
  checks: Check[];
  passed?: number;
  failed?: number;
  error?: string;
}

const skip = process.env['FTW_SKIP_NVIM'] === '1' ? 'FTW_SKIP_NVIM=1' : false;

describe('Neovim 0.7 as an LSP client of ftw lsp --stdio', { skip, timeout: 300_000 }, () => {
  let run: SpawnSyncReturns<string> | undefined;
  let results: Results | undefined;
  let docs: Results | undefined;

  if (!skip) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftw-nvim-'));
    const file = path.join(dir, 'results.json');
    const docsFile = path.join(dir, 'results.docs.json');
    // Up to two minutes for a first-time `apt-get install neovim`; the run itself takes seconds.
    run = spawnSync('bash', [path.join(REPO, 'test', 'nvim', 'run.sh')], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, FTW_NVIM_RESULTS: file, FTW_NVIM_DOCS_RESULTS: docsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
    if (fs.existsSync(file)) results = JSON.parse(fs.readFileSync(file, 'utf8')) as Results;
    if (fs.existsSync(docsFile)) docs = JSON.parse(fs.readFileSync(docsFile, 'utf8')) as Results;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const output = () => `run.sh exit status ${run?.status} (signal ${run?.signal})\n--- stdout\n${run?.stdout}\n--- stderr\n${run?.stderr}`;

  it('run.sh wrote results and exited 0', () => {
    assert.ok(results, `test/nvim/run.sh wrote no results.\n${output()}`);
    assert.equal(results.error, undefined, `${results.error}\n${output()}`);
    assert.ok(results.checks.length >= 15, `only ${results.checks.length} checks ran:\n${output()}`);
    assert.equal(run?.status, 0, output());
    assert.match(results.nvim, /^0\.\d+\.\d+$/);
  });

  it('the docs/editors.md setup ran', () => {
    assert.ok(docs, `test/nvim/run.sh wrote no results for docs/editors.md.\n${output()}`);
    assert.equal(docs.error, undefined, `${docs.error}\n${output()}`);
    assert.ok(docs.checks.length >= 8, `only ${docs.checks.length} checks ran:\n${output()}`);
  });

  // One test per check the Lua script made (known after the run, so registered here, synchronously).
  for (const check of [...(results?.checks ?? []), ...(docs?.checks ?? [])]) {
    it(check.name, () => assert.ok(check.ok, check.detail ?? 'failed'));
  }
});
