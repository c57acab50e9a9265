/**
 * Remote development, as code-server shows it: the browser is the client (the VS Code window), code-server is the
 * remote host, and the extension host with our language server runs beside code-server ("extensionKind":
 * ["workspace"]). Everything the extension reads must come from the remote side: the workspace folder, the DeepSpeed
 * file a config links, the Hugging Face cache of the remote user, nvidia-smi of the remote host, and the environment
 * a job runs with.
 *
 * The two sides are set apart on this one machine:
 *   - "remote": code-server runs with HOME=<tmp>/remote-home (its Hugging Face cache under ~/.cache/huggingface, a
 *     model found nowhere else), PATH with a fake nvidia-smi reporting an A10G, and the workspace folder
 *     <tmp>/workspace, which exists only there (the browser is given its path in a URL, never its files);
 *   - "client": this test process and the Chromium it starts run with HOME=<tmp>/client-home, which holds decoys at the
 *     same relative paths: the same project with other content, the same model id with 70B dimensions in its
 *     Hugging Face cache, and an nvidia-smi reporting an H100 first on the client's PATH.
 * What appears in the editor (problems, VRAM lens, hover, pre-flight) and what a job sees must be the remote side's;
 * and no decoy file may be read at all, which the test sees in the files' access times (the file system updates a
 * file's atime on a read when it is older than a day; every decoy is set to the year 2000 first, and the remote
 * files read as a control must change).
 *
 * What this cannot show: a real SSH connection, two machines, or VS Code desktop's split between a local UI
 * extension host and the remote one (code-server has only the remote one; our extension has no UI part, and its
 * webviews run in the browser without file access). A read through os.userInfo() (the passwd entry, not $HOME) of the
 * runner's real home would not be seen here.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchActive, Session, step, waitUntil } from './harness';

const MODEL = 'acme/remote-only-1b';
const SNAPSHOT = 'hub/models--acme--remote-only-1b/snapshots/0123456789abcdef';

/** Llama-3.2-1B's dimensions (its config.json): the model as the remote host's cache has it. */
const REMOTE_MODEL_CONFIG = {
  model_type: 'llama',
  architectures: ['LlamaForCausalLM'],
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  head_dim: 64,
  vocab_size: 128256,
  hidden_act: 'silu',
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
};
/** Llama-3.1-70B's dimensions: the same id in the client's cache would never fit an A10G. */
const CLIENT_MODEL_CONFIG = {
  ...REMOTE_MODEL_CONFIG,
  hidden_size: 8192,
  intermediate_size: 28672,
  num_hidden_layers: 80,
  num_attention_heads: 64,
  head_dim: 128,
  tie_word_embeddings: false,
};

const qlora = (typo: string) =>
  [
    `base_model: ${MODEL}`,
    'adapter: qlora',
    'load_in_4bit: true',
    'datasets:',
    '  - path: mhenrichsen/alpaca_2k_test',
    '    type: alpaca',
    'output_dir: ./outputs/qlora-out',
    'lora_r: 16',
    'lora_alpha: 32',
    `${typo}: 0.05`,
    'lora_target_linear: true',
    'sequence_len: 1024',
    'gradient_accumulation_steps: 4',
    'micro_batch_size: 1',
    'num_epochs: 1',
    'optimizer: paged_adamw_8bit',
    'learning_rate: 0.0002',
    'gradient_checkpointing: true',
    'deepspeed: deepspeed_configs/zero2.json',
    '',
  ].join('\n');
const MICRO_BATCH_LINE = 14;

const ZERO2 = JSON.stringify({ zero_optimization: { stage: 2 }, train_micro_batch_size_per_gpu: 'auto', gradient_accumulation_steps: 'auto' }, null, 2);
/** The job writes where and as whom it ran. */
const TRAIN_PY =
  "import os\nwith open('ran.txt', 'w') as f:\n    f.write(os.environ.get('HOME', '') + '\\n' + os.getcwd() + '\\n')\nprint({'loss': 1.0}, flush=True)\n";
const BROKEN = `base_model: ${MODEL}\nadapter: qlora\nload_in_4bit: maybe\nmicro_batch_size: 2\ndatasets:\n  - path: x\n    type: alpaca\n`;

/** The remote workspace. */
const REMOTE_FILES: Record<string, string> = {
  'qlora.yml': qlora('lora_dropuot'),
  'deepspeed_configs/zero2.json': ZERO2,
  'broken.yml': BROKEN,
  'train.py': TRAIN_PY,
};
/** The client's copy of "the same project": other mistakes, a valid broken.yml. */
const CLIENT_FILES: Record<string, string> = {
  'qlora.yml': qlora('lora_alhpa'),
  'deepspeed_configs/zero2.json': ZERO2,
  'broken.yml': BROKEN.replace('maybe', 'true'),
  'train.py': TRAIN_PY,
};

const smi = (line: string) => `#!/bin/sh\necho "${line}"\n`;
const LONG_AGO = new Date('2000-01-01T00:00:00Z');

function write(file: string, text: string, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, mode === undefined ? undefined : { mode });
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

function ageAccessTime(file: string): void {
  fs.utimesSync(file, LONG_AGO, fs.statSync(file).mtime);
}
const wasRead = (file: string) => fs.statSync(file).atimeMs > LONG_AGO.getTime() + 1000;

/** Whether this file system records reads in atime (relatime and strictatime do; noatime does not). */
function atimeWorks(dir: string): boolean {
  const probe = path.join(dir, 'atime-probe');
  fs.writeFileSync(probe, 'x');
  ageAccessTime(probe);
  fs.readFileSync(probe);
  const works = wasRead(probe);
  fs.rmSync(probe);
  return works;
}

describe('Remote development: code-server on a folder only the remote host has', { timeout: 300_000 }, () => {
  let s: Session | undefined;
  let homes: string;
  let remoteHome: string;
  let clientHome: string;
  const saved: Record<string, string | undefined> = {};
  let canSeeReads = false;
  /** The decoys, listed before anything starts (Chromium writes files of its own under the client's HOME). */
  let decoys: string[] = [];

  before(
    async () => {
      homes = fs.mkdtempSync(path.join(os.tmpdir(), 'ftw-remote-homes-'));
      remoteHome = path.join(homes, 'remote-home');
      clientHome = path.join(homes, 'client-home');
      write(path.join(remoteHome, '.cache', 'huggingface', SNAPSHOT, 'config.json'), JSON.stringify(REMOTE_MODEL_CONFIG));
      write(path.join(clientHome, '.cache', 'huggingface', SNAPSHOT, 'config.json'), JSON.stringify(CLIENT_MODEL_CONFIG));
      for (const [rel, text] of Object.entries(CLIENT_FILES)) write(path.join(clientHome, 'project', rel), text);
      write(path.join(clientHome, 'bin', 'nvidia-smi'), smi('NVIDIA H100 80GB HBM3, 81559, 9.0'), 0o755);
      canSeeReads = atimeWorks(homes);

      // The client side: this process (and so Chromium) with the client's HOME and its nvidia-smi first on PATH.
      // No Hugging Face variables anywhere: the cache is found through HOME, on each side its own.
      for (const k of ['HOME', 'PATH', 'HF_HOME', 'HF_HUB_CACHE', 'FTW_NVIDIA_SMI']) saved[k] = process.env[k];
      const pathBefore = process.env.PATH ?? '';
      delete process.env.HF_HOME;
      delete process.env.HF_HUB_CACHE;
      delete process.env.FTW_NVIDIA_SMI;
      process.env.HOME = clientHome;
      process.env.PATH = [path.join(clientHome, 'bin'), pathBefore].join(path.delimiter);

      s = new Session({
        name: 'remote',
        files: REMOTE_FILES,
        // The remote host: its own HOME, and a PATH without the client's programs (the harness puts bin/ first).
        env: { HOME: remoteHome, PATH: pathBefore },
        bin: { 'nvidia-smi': smi('NVIDIA A10G, 23028, 8.6') },
      });
      // Access times from now on: every decoy, and the remote files that must be read (the control).
      decoys = filesUnder(clientHome);
      for (const f of decoys) ageAccessTime(f);
      ageAccessTime(path.join(remoteHome, '.cache', 'huggingface', SNAPSHOT, 'config.json'));
      ageAccessTime(path.join(s.workspace, 'deepspeed_configs', 'zero2.json'));
      await s.start();
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await s?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (homes && process.env.FTW_KEEP_TMP !== '1') fs.rmSync(homes, { recursive: true, force: true });
  });

  it("validation reads the remote folder's qlora.yml, and the DeepSpeed file it links there", { timeout: 90_000 }, () =>
    step(s, 'validation', async (s) => {
      await s.openFile('qlora.yml');
      await s.openProblems();
      await s
        .problemRows("Unknown key 'lora_dropuot'")
        .first()
        .waitFor({ state: 'visible', timeout: 30_000 })
        .catch(async () => {
          assert.fail(`no problem about the remote file's 'lora_dropuot'; the panel shows: ${JSON.stringify(await s.problemsText())}`);
        });
      const all = await s.problemsText();
      assert.doesNotMatch(all, /lora_alhpa/, "the client's copy of qlora.yml was validated");
      // The linked file exists on the remote side only under that relative path: no "missing file" (FT210).
      assert.doesNotMatch(all, /deepspeed_configs\/zero2\.json.*(not found|does not exist)/i, all);
      await s.screenshot('remote-problems');
    }),
  );

  it("the VRAM lens: the model from the remote user's Hugging Face cache, the GPU from the remote host's nvidia-smi", { timeout: 90_000 }, () =>
    step(s, 'vram', async (s) => {
      await s.goToLine(1, 1);
      const lens = s.page.locator('.part.editor .codelens-decoration a', { hasText: 'VRAM ≈' }).first();
      await lens.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
        assert.fail(
          `no "VRAM ≈" lens (the model is only in the remote cache); lenses: ${JSON.stringify(
            await s.page
              .locator('.codelens-decoration')
              .allInnerTexts()
              .catch(() => []),
          )}; problems: ${JSON.stringify(await s.problemsText())}`,
        );
      });
      const title = (await lens.innerText()).replace(/\s+/g, ' ');
      // One GPU, the remote one; a 1B model in 4 bits fits it (the client's 70B of the same name would not).
      const m = /^VRAM ≈ (\d+\.\d) GiB \(up to (\d+\.\d)\) · A10G ✓$/.exec(title);
      assert.ok(m, `lens text: ${title}`);
      assert.ok(Number(m[2]) < 12, `a 1B QLoRA at micro batch 1 is a few GiB; ${m[2]} GiB means other dimensions were read: ${title}`);
      assert.doesNotMatch(await s.problemsText(), /No VRAM estimate/);
      await s.screenshot('remote-vram-lens');
    }),
  );

  it('hover on micro_batch_size says what it costs, for the model of the remote cache (1.24 B parameters)', { timeout: 60_000 }, () =>
    step(s, 'hover', async (s) => {
      await s.goToLine(MICRO_BATCH_LINE, 3);
      await s.page.keyboard.press('Control+K');
      await s.page.keyboard.press('Control+I');
      const hover = s.page.locator('.monaco-hover:not(.hidden)', { hasText: 'micro_batch_size' }).first();
      await hover.waitFor({ state: 'visible', timeout: 20_000 }).catch(() => assert.fail('no hover on micro_batch_size'));
      const text = (await hover.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /VRAM — the micro batch/, text);
      // The model's size as the remote cache's config.json gives it (the client's copy would say about 70 B).
      assert.match(text, /acme\/remote-only-1b \(1\.24 B params\)/, text);
      await s.screenshot('remote-hover');
      await s.page.keyboard.press('Escape');
    }),
  );

  it("pre-flight judges the remote broken.yml (the client's copy is valid)", { timeout: 90_000 }, () =>
    step(s, 'preflight', async (s) => {
      await s.openFile('broken.yml');
      await launchActive(s);
      const dialog = s.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => assert.fail('no pre-flight dialog for the remote broken.yml'));
      assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /\d+ problems? in broken\.yml would stop the run/);
      await s.screenshot('remote-preflight');
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    }),
  );

  it('a job runs on the remote host, in the remote folder, as the remote user (HOME)', { timeout: 90_000 }, () =>
    step(s, 'job', async (s) => {
      await s.openFile('train.py');
      await launchActive(s);
      const ran = path.join(s.workspace, 'ran.txt');
      await waitUntil(
        async () => fs.existsSync(ran) && fs.readFileSync(ran, 'utf8').split('\n').length >= 3,
        45_000,
        async () => `train.py wrote no ${ran}`,
      );
      assert.deepEqual(fs.readFileSync(ran, 'utf8').split('\n').slice(0, 2), [remoteHome, fs.realpathSync(s.workspace)]);
      assert.equal(fs.existsSync(path.join(clientHome, 'project', 'ran.txt')), false);
    }),
  );

  it("no file of the client's side was read; the remote cache and linked file were (the control)", (t) => {
    if (!canSeeReads) {
      t.skip(`this file system does not update access times on reads (noatime): the decoys cannot be watched here (${homes})`);
      return;
    }
    assert.ok(s, 'session was not started');
    assert.ok(
      wasRead(path.join(remoteHome, '.cache', 'huggingface', SNAPSHOT, 'config.json')),
      "the remote user's cached config.json was never read: the control failed",
    );
    assert.ok(wasRead(path.join(s.workspace, 'deepspeed_configs', 'zero2.json')), 'the remote deepspeed_configs/zero2.json was never read: the control failed');
    assert.equal(decoys.length, 6);
    const read = decoys.filter((f) => wasRead(f)).map((f) => path.relative(clientHome, f));
    assert.deepEqual(read, [], `files of the client's HOME were read: ${read.join(', ')}`);
  });
});
