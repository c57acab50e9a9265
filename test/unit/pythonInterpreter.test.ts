import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActiveEnvironmentPathChangeEvent, EnvironmentPath, ResolvedEnvironment } from '@vscode/python-extension';
import type { Uri, WorkspaceFolder } from 'vscode';
import { InterpreterCache, resolveInterpreter, type InterpreterHost, type PythonEnvironments } from '../../client/src/jobs/pythonInterpreter';

// The job launcher's adapter to the Python extension's API. The extension itself (ms-python.python) cannot be had
// offline here, so the API is played by objects of its published types (npm @vscode/python-extension 1.0.5): a
// change to those types that the adapter does not follow fails to compile, and the behaviour below fails at run time.

/** A file URI as far as the adapter and these tests use one (vscode.Uri cannot be built outside VS Code). */
function uri(path: string): Uri {
  return { scheme: 'file', path, fsPath: path, toString: () => `file://${path}` } as unknown as Uri;
}
const folder = (path: string, index: number): WorkspaceFolder => ({ uri: uri(path), name: path.split('/').pop()!, index });

/** An environment as resolveEnvironment returns it; `exe` undefined = an environment without a Python executable. */
function resolved(envPath: string, exe: string | undefined, name?: string): ResolvedEnvironment {
  return {
    id: envPath,
    path: envPath,
    executable: { uri: exe ? uri(exe) : undefined, bitness: '64-bit', sysPrefix: envPath },
    environment: { type: 'VirtualEnvironment', name, folderUri: uri(envPath), workspaceFolder: undefined },
    version: { major: 3, minor: 11, micro: 9, release: { level: 'final', serial: 0 }, sysVersion: '3.11.9' },
    tools: ['Venv'],
  };
}

/**
 * The Python extension as seen through its API: one selected environment per workspace folder (by path prefix),
 * environments it can resolve, and the change event.
 */
class FakeEnvironments implements PythonEnvironments {
  readonly asked: Array<string | undefined> = [];
  private listeners: Array<(e: ActiveEnvironmentPathChangeEvent) => void> = [];
  constructor(
    public selected: Record<string, string>,
    public known: Record<string, ResolvedEnvironment>,
  ) {}

  getActiveEnvironmentPath(resource?: Uri | WorkspaceFolder): EnvironmentPath {
    const path = resource ? ('uri' in resource ? resource.uri : resource).path : undefined;
    this.asked.push(path);
    const root = Object.keys(this.selected).find((f) => path === f || path?.startsWith(`${f}/`));
    const env = root ? this.selected[root] : '/usr/bin/python3';
    return { id: env, path: env };
  }
  async resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined> {
    return this.known[typeof environment === 'string' ? environment : environment.path];
  }
  readonly onDidChangeActiveEnvironmentPath: PythonEnvironments['onDidChangeActiveEnvironmentPath'] = (listener) => {
    const l = listener as (e: ActiveEnvironmentPathChangeEvent) => void;
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  select(folderPath: string, env: string, resource: WorkspaceFolder | undefined): void {
    this.selected[folderPath] = env;
    for (const l of this.listeners) l({ id: env, path: env, resource });
  }
  get listenerCount(): number {
    return this.listeners.length;
  }
}

const host = (envs: PythonEnvironments | undefined | (() => Promise<never>), setting = ''): InterpreterHost => ({
  environments: typeof envs === 'function' ? envs : async () => envs,
  setting: () => setting,
});

const A = '/work/project-a';
const B = '/work/project-b';
const envs = () =>
  new FakeEnvironments(
    { [A]: `${A}/.venv`, [B]: '/opt/conda/envs/train' },
    {
      [`${A}/.venv`]: resolved(`${A}/.venv`, `${A}/.venv/bin/python`),
      '/opt/conda/envs/train': resolved('/opt/conda/envs/train', '/opt/conda/envs/train/bin/python', 'train'),
      '/opt/conda/envs/empty': resolved('/opt/conda/envs/empty', undefined, 'empty'),
    },
  );

describe('resolveInterpreter: the Python extension first, then finetune.python, then python3', () => {
  it("the selected environment of the config's own folder (the config's URI is what the API is asked about)", async () => {
    const e = envs();
    assert.deepEqual(await resolveInterpreter(host(e, '/usr/local/bin/python3.12'), uri(`${B}/configs/qlora.yml`)), {
      path: '/opt/conda/envs/train/bin/python',
      source: 'python-extension',
      note: '3.11.9 · train',
    });
    assert.deepEqual(await resolveInterpreter(host(e), uri(`${A}/lora.yml`)), {
      path: `${A}/.venv/bin/python`,
      source: 'python-extension',
      note: '3.11.9 · .venv',
    });
    assert.deepEqual(e.asked, [`${B}/configs/qlora.yml`, `${A}/lora.yml`]);
  });
  it('an environment without a Python executable: finetune.python, saying why', async () => {
    const e = envs();
    e.selected[A] = '/opt/conda/envs/empty';
    assert.deepEqual(await resolveInterpreter(host(e, '/usr/bin/python3.11'), uri(`${A}/lora.yml`)), {
      path: '/usr/bin/python3.11',
      source: 'setting',
      note: "the Python extension's environment /opt/conda/envs/empty has no Python executable",
    });
  });
  it('a selection the extension cannot resolve (a deleted venv): python3 on the PATH when the setting is empty', async () => {
    const e = envs();
    e.selected[A] = `${A}/old-venv`;
    assert.deepEqual(await resolveInterpreter(host(e), uri(`${A}/lora.yml`)), {
      path: undefined,
      source: 'default',
      note: `the Python extension could not resolve ${A}/old-venv`,
    });
  });
  it('no Python extension: the setting, else python3; no note', async () => {
    assert.deepEqual(await resolveInterpreter(host(undefined, ' /usr/bin/python3.10 '), uri(`${A}/lora.yml`)), {
      path: '/usr/bin/python3.10',
      source: 'setting',
    });
    assert.deepEqual(await resolveInterpreter(host(undefined), uri(`${A}/lora.yml`)), { path: undefined, source: 'default' });
  });
  it('an API that throws (an extension that failed to activate) is a fallback, not a failed launch', async () => {
    const failing = host(() => Promise.reject(new Error('activation failed')), '/usr/bin/python3');
    assert.deepEqual(await resolveInterpreter(failing, uri(`${A}/lora.yml`)), {
      path: '/usr/bin/python3',
      source: 'setting',
      note: "the Python extension's API failed: activation failed",
    });
    const e = envs();
    e.resolveEnvironment = async () => {
      throw new Error('resolver crashed');
    };
    assert.deepEqual(await resolveInterpreter(host(e), uri(`${A}/lora.yml`)), {
      path: undefined,
      source: 'default',
      note: "the Python extension's API failed: resolver crashed",
    });
  });
});

describe('InterpreterCache: onDidChangeActiveEnvironmentPath', () => {
  it('a new selection for one folder is used from the next launch on; the other folder keeps its cached answer', async () => {
    const e = envs();
    const changes: Array<string | undefined> = [];
    const cache = new InterpreterCache(host(e), (f) => changes.push(f));
    assert.equal((await cache.get(uri(`${A}/lora.yml`))).path, `${A}/.venv/bin/python`);
    assert.equal((await cache.get(uri(`${B}/qlora.yml`))).path, '/opt/conda/envs/train/bin/python');
    assert.equal(e.asked.length, 2);
    await cache.get(uri(`${A}/lora.yml`));
    assert.equal(e.asked.length, 2, 'cached');

    e.known[`${A}/.venv-new`] = resolved(`${A}/.venv-new`, `${A}/.venv-new/bin/python`);
    e.select(A, `${A}/.venv-new`, folder(A, 0));
    assert.deepEqual(changes, [`file://${A}`]);
    assert.equal((await cache.get(uri(`${A}/lora.yml`))).path, `${A}/.venv-new/bin/python`);
    await cache.get(uri(`${B}/qlora.yml`));
    assert.deepEqual(e.asked, [`${A}/lora.yml`, `${B}/qlora.yml`, `${A}/lora.yml`], 'project-b was not asked again');
    cache.dispose();
    assert.equal(e.listenerCount, 0, 'dispose unsubscribes');
  });
  it('a change without a folder (the global selection) forgets every file', async () => {
    const e = envs();
    const cache = new InterpreterCache(host(e));
    await cache.get(uri(`${A}/lora.yml`));
    await cache.get(uri(`${B}/qlora.yml`));
    e.select(B, '/opt/conda/envs/empty', undefined);
    assert.equal((await cache.get(uri(`${B}/qlora.yml`))).source, 'default');
    await cache.get(uri(`${A}/lora.yml`));
    assert.equal(e.asked.length, 4);
    cache.dispose();
  });
  it('a folder that is a prefix of another is not confused with it (/work/project-a vs /work/project-ab)', async () => {
    const e = envs();
    e.selected['/work/project-ab'] = '/opt/conda/envs/train';
    const cache = new InterpreterCache(host(e));
    await cache.get(uri('/work/project-ab/x.yml'));
    e.select(A, `${A}/.venv`, folder(A, 0));
    await cache.get(uri('/work/project-ab/x.yml'));
    assert.equal(e.asked.length, 1, 'project-ab kept its cached interpreter');
    cache.dispose();
  });
  it('finetune.python changed: every file is resolved again', async () => {
    let setting = '';
    const cache = new InterpreterCache({ environments: async () => undefined, setting: () => setting });
    assert.equal((await cache.get(uri(`${A}/lora.yml`))).path, undefined);
    setting = '/usr/bin/python3.12';
    assert.equal((await cache.get(uri(`${A}/lora.yml`))).path, undefined, 'cached until told');
    cache.settingChanged();
    assert.equal((await cache.get(uri(`${A}/lora.yml`))).path, '/usr/bin/python3.12');
    cache.dispose();
  });
});
