import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

// The real pre-commit (Debian's 3.0.4, installed once by test/precommit/setup.sh) running our .pre-commit-hooks.yaml
// the way a user's project does: a `repo:` + `rev:` entry, pre-commit's own `language: node` install of the hook
// repository (npm install, the prepare build, npm pack, npm install -g), then `pre-commit run` and a real
// `git commit` through `pre-commit install`. The hook repository is a commit of this working tree (tracked and
// untracked files git does not ignore), so what is tested is what would be pushed.
// FTW_SKIP_PRECOMMIT=1 skips it; where pre-commit cannot be installed it says so loudly and skips.
//
// The hook environment is kept in test/.cache/pre-commit (pre-commit reuses it while the tree is unchanged: the
// snapshot commit has fixed dates, so the same tree gives the same rev). npm runs with prefer-offline: packages in
// npm's cache (what `npm ci` fetched) are not downloaded again.

const REPO = join(__dirname, '..', '..', '..');
const CACHE = join(REPO, 'test', '.cache');
const HOOKS_REPO = join(CACHE, 'pre-commit-hooks-repo');
const PRE_COMMIT_HOME = join(CACHE, 'pre-commit');

const BAD = [
  'base_model: NousResearch/Llama-3.2-1B',
  'adapter: lora',
  'lora_r: 8',
  'lora_alpha: 16',
  'lora_dropuot: 0.05',
  'micro_batch_size: 2',
  'learning_rate: 0.0002',
  'warmup_ratio: 1.5',
  'datasets:',
  '  - path: mhenrichsen/alpaca_2k_test',
  '    type: alpaca',
  '',
].join('\n');
const GOOD = BAD.replace('lora_dropuot', 'lora_dropout').replace('warmup_ratio: 1.5', 'warmup_ratio: 0.1');
/** Only a fixable problem: the misspelt key that `ftw fix` renames. */
const FIXABLE = BAD.replace('warmup_ratio: 1.5', 'warmup_ratio: 0.1');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'ftw test',
  GIT_AUTHOR_EMAIL: 'ftw@example.invalid',
  GIT_COMMITTER_NAME: 'ftw test',
  GIT_COMMITTER_EMAIL: 'ftw@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, ...GIT_ENV, PRE_COMMIT_HOME, npm_config_prefer_offline: 'true', NO_COLOR: '1', ...env },
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r;
}

function git(cwd: string, ...args: string[]): string {
  const r = sh('git', args, cwd);
  assert.equal(r.status, 0, `git ${args.join(' ')} in ${cwd}:\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/** Commits this working tree (without ignored files: no node_modules, no dist/) as a repository of its own. */
function snapshotHooksRepo(): string {
  rmSync(HOOKS_REPO, { recursive: true, force: true });
  mkdirSync(HOOKS_REPO, { recursive: true });
  const files = git(REPO, 'ls-files', '-z', '--cached', '--others', '--exclude-standard').split('\0').filter(Boolean);
  for (const f of files) {
    const from = join(REPO, f);
    const to = join(HOOKS_REPO, f);
    mkdirSync(dirname(to), { recursive: true });
    try {
      copyFileSync(from, to);
    } catch (e) {
      // A tracked file deleted in the working tree is not part of what would be committed.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  git(HOOKS_REPO, 'init', '-q', '-b', 'main');
  git(HOOKS_REPO, 'add', '-A');
  git(HOOKS_REPO, 'commit', '-q', '--no-verify', '-m', 'snapshot for the pre-commit test');
  return git(HOOKS_REPO, 'rev-parse', 'HEAD');
}

const skipped = process.env['FTW_SKIP_PRECOMMIT'] === '1';

describe('pre-commit hooks (.pre-commit-hooks.yaml) under the real pre-commit', { skip: skipped ? 'FTW_SKIP_PRECOMMIT=1' : false }, () => {
  let unavailable = '';
  let project = '';
  let rev = '';

  before(() => {
    const setup = spawnSync('bash', [join(REPO, 'test', 'precommit', 'setup.sh')], { encoding: 'utf8', timeout: 600_000 });
    if (setup.status !== 0) {
      unavailable = `test/precommit/setup.sh failed: ${setup.stderr || setup.error?.message}`;
      console.warn(`\n*** pre-commit cannot be installed here: the pre-commit tests are SKIPPED. ***\n${unavailable}\n`);
      return;
    }
    rev = snapshotHooksRepo();
    project = mkdtempSync(join(tmpdir(), 'ftw-pre-commit-'));
    git(project, 'init', '-q', '-b', 'main');
    writeFileSync(
      join(project, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${HOOKS_REPO}\n    rev: ${rev}\n    hooks:\n      - id: ftw-fix\n      - id: ftw\n`,
    );
    git(project, 'add', '.pre-commit-config.yaml');
    git(project, 'commit', '-q', '--no-verify', '-m', 'pre-commit config');
  });

  after(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('the manifest is valid for pre-commit', (t) => {
    if (unavailable) return t.skip(unavailable);
    const r = sh('pre-commit', ['validate-manifest', join(REPO, '.pre-commit-hooks.yaml')], REPO);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('installs the hook environment with language: node (npm install, prepare build, npm pack, npm install -g)', (t) => {
    if (unavailable) return t.skip(unavailable);
    const t0 = Date.now();
    const r = sh('pre-commit', ['install-hooks'], project, 600_000);
    assert.equal(r.status, 0, `pre-commit install-hooks:\n${r.stdout}${r.stderr}\n(log: ${join(PRE_COMMIT_HOME, 'pre-commit.log')})`);
    console.log(`[pre-commit] hook environment ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // Environments of earlier snapshots (their temp projects are gone) are removed: the cache holds one.
    const gc = sh('pre-commit', ['gc'], project);
    assert.equal(gc.status, 0, gc.stdout + gc.stderr);
  });

  it('ftw fails on a config with an error and names the file, line and column', (t) => {
    if (unavailable) return t.skip(unavailable);
    writeFileSync(join(project, 'lora.yml'), BAD);
    git(project, 'add', 'lora.yml');
    const r = sh('pre-commit', ['run', 'ftw', '--files', 'lora.yml'], project, 120_000);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /ftw check\.+Failed/);
    assert.match(r.stdout, /- exit code: 1/);
    assert.match(r.stdout, /^lora\.yml:8:15: error FT104 'warmup_ratio' must be <= 1, not 1\.5\.$/m);
    assert.match(r.stdout, /^lora\.yml:5:1: warning FT101 Unknown key 'lora_dropuot'/m);
  });

  it('ftw passes on a good config', (t) => {
    if (unavailable) return t.skip(unavailable);
    writeFileSync(join(project, 'lora.yml'), GOOD);
    git(project, 'add', 'lora.yml');
    const r = sh('pre-commit', ['run', 'ftw', '--files', 'lora.yml'], project, 120_000);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ftw check\.+Passed/);
  });

  it('ftw-fix renames the misspelt key in place and stops the commit because the file changed', (t) => {
    if (unavailable) return t.skip(unavailable);
    writeFileSync(join(project, 'lora.yml'), FIXABLE);
    git(project, 'add', 'lora.yml');
    const r = sh('pre-commit', ['run', 'ftw-fix', '--files', 'lora.yml'], project, 120_000);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /ftw fix\.+Failed/);
    assert.match(r.stdout, /files were modified by this hook/);
    assert.equal(readFileSync(join(project, 'lora.yml'), 'utf8'), GOOD);
  });

  it('as a git hook: a commit of the bad config is refused, the good one goes in', (t) => {
    if (unavailable) return t.skip(unavailable);
    const install = sh('pre-commit', ['install'], project);
    assert.equal(install.status, 0, install.stdout + install.stderr);
    const head = git(project, 'rev-parse', 'HEAD');

    writeFileSync(join(project, 'lora.yml'), BAD);
    git(project, 'add', 'lora.yml');
    const refused = sh('git', ['commit', '-m', 'bad config'], project, 120_000);
    assert.notEqual(refused.status, 0, refused.stdout + refused.stderr);
    assert.match(refused.stdout + refused.stderr, /lora\.yml:8:15: error FT104/);
    assert.equal(git(project, 'rev-parse', 'HEAD'), head, 'the bad config must not be committed');

    writeFileSync(join(project, 'lora.yml'), GOOD);
    git(project, 'add', 'lora.yml');
    const accepted = sh('git', ['commit', '-m', 'good config'], project, 120_000);
    assert.equal(accepted.status, 0, accepted.stdout + accepted.stderr);
    assert.match(accepted.stdout + accepted.stderr, /ftw check\.+Passed/);
    assert.notEqual(git(project, 'rev-parse', 'HEAD'), head);
  });
});
