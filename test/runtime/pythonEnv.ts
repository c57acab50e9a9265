/**
 * The Python of the runtime suites: CPU torch, Lightning 2.x, transformers, PEFT and datasets from this machine's
 * local package index (pip config global.extra-index-url), in test/.cache/venv-runtime. Built once, about a minute;
 * where no local index exists the suites say so loudly and skip. No network: pip reads only the local index.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..', '..');
const CACHE = join(REPO, 'test', '.cache');
const LOCK = join(CACHE, 'venv-runtime.lock');

/** Everything the runtime suites import, installed together so that one venv serves them all. */
const PACKAGES = ['torch', 'lightning', 'torchmetrics', 'transformers', 'peft', 'accelerate', 'datasets', 'pyyaml'];
const IMPORTS = 'import torch, lightning, torchmetrics, transformers, peft, accelerate, datasets, yaml';

/** The local index and find-links folder pip is configured with, or null where there are none. */
function localIndex(): { indexes: string[]; links: string } | null {
  const get = (key: string) => {
    const r = spawnSync('pip', ['config', 'get', key], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : '';
  };
  const indexes = get('global.extra-index-url').split(/\s+/).filter(Boolean);
  return indexes.length ? { indexes, links: get('global.find-links') } : null;
}

/** pip's complaints about index folders that lack a package ("Location ... is ignored") are noise here. */
export function pipNoise(line: string): boolean {
  return /^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$/.test(line.trim());
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One installer at a time: the suites run in parallel processes and share the venv. */
function withLock<T>(fn: () => T): T {
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than the longest install is left over from a killed run.
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${LOCK} is held for too long`);
      sleep(1000);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * A venv under test/.cache with `packages` from the local index, built once under the lock; `imports` (a Python
 * statement) decides whether it is complete. Null where this machine has no local package index.
 */
export function venvWith(name: string, packages: string[], imports: string): string | null {
  const venv = join(CACHE, name);
  const python = join(venv, 'bin', 'python');
  const ready = () => existsSync(python) && spawnSync(python, ['-c', imports]).status === 0;
  if (ready()) return python;
  const idx = localIndex();
  if (!idx) return null;
  return withLock(() => {
    if (ready()) return python;
    if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv]);
    const [first, ...more] = idx.indexes;
    const args = [
      'install',
      '-q',
      '--index-url',
      first,
      ...more.flatMap((u) => ['--extra-index-url', u]),
      ...(idx.links ? ['--find-links', idx.links] : []),
      ...packages,
    ];
    // The venv's own python runs pip (not bin/pip, whose first line names the python of the folder it was made in).
    const r = spawnSync(python, ['-m', 'pip', ...args], { encoding: 'utf8', timeout: 900_000 });
    const said = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => l.trim() && !pipNoise(l));
    if (said.length) console.warn(said.join('\n'));
    if (r.status !== 0) throw new Error(`pip install ${packages.join(' ')} failed (exit ${r.status ?? r.signal})`);
    return python;
  });
}

/** The venv's python, installing it first if needed; null where this machine has no local package index. */
export function runtimePython(): string | null {
  return venvWith('venv-runtime', PACKAGES, IMPORTS);
}

export const NO_INDEX = '\n*** No local Python package index (pip config global.extra-index-url): the runtime suite is SKIPPED. ***\n';
