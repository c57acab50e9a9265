import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fixAllEdits, fixesOf, proveFixes } from '../../server/src/core/config';
import { CORPUS, needsCorpus } from '../corpus';
import { analyze, AXOLOTL_BASE, doc, REPO, service, summary } from './helpers';

// Issue 14 (4): a fix is safe (fix-all, `ftw fix`) only when the fixed text, checked again, gains no diagnostic.
// Issue 14 (2): Accelerate reads fsdp_config / fp8_config keys with or without their prefix, and its FP8 backend as
// an enum in capitals.

const ACCELERATE = ['compute_environment: LOCAL_MACHINE', 'distributed_type: MULTI_GPU', 'mixed_precision: fp8', 'num_processes: 2'].join('\n');

describe('safe fixes are proven safe', () => {
  it('a did-you-mean rename that would give the value to a key refusing it is offered, but not as safe', () => {
    const a = proveFixes(analyze(`${AXOLOTL_BASE}\nlora_dropuot: high`));
    assert.deepEqual(summary(a), ["8:0-8:12 FT101 warning Unknown key 'lora_dropuot': Axolotl ignores it silently. Did you mean 'lora_dropout'?"]);
    assert.deepEqual(
      fixesOf(a.diagnostics[0]).map((f) => [f.title, f.preferred]),
      [["Change 'lora_dropuot' to 'lora_dropout'", false]],
    );
    assert.deepEqual(fixAllEdits(a.diagnostics), []);
  });

  it('the same rename with a value the key takes stays safe', () => {
    const a = proveFixes(analyze(`${AXOLOTL_BASE}\nlora_dropuot: 0.05`));
    assert.deepEqual(
      fixesOf(a.diagnostics[0]).map((f) => [f.title, f.preferred]),
      [["Change 'lora_dropuot' to 'lora_dropout'", true]],
    );
  });

  it('the proof runs when fixes are asked for, not on every check; code actions answer with the proven fixes', () => {
    const text = `${AXOLOTL_BASE}\nlora_dropuot: high`;
    const a = analyze(text);
    // What the client holds: the diagnostics as published, before any proof (a candidate still marked preferred).
    const published = JSON.parse(JSON.stringify(a.diagnostics)) as typeof a.diagnostics;
    assert.equal(fixesOf(published[0])[0].preferred, true);
    const actions = service().codeActions(doc(text), published[0].range, published, ['quickfix'], a);
    assert.deepEqual(
      actions.map((x) => [x.title, x.isPreferred]),
      [["Change 'lora_dropuot' to 'lora_dropout'", false]],
    );
    assert.equal(fixesOf(a.diagnostics[0])[0].preferred, false);
    // Proven once: a second request does not check again (the fix stays as the proof left it).
    assert.equal(proveFixes(a), a);
  });

  it('Accelerate fp8_config.backend: TE is right, te is refused with a safe fix to TE', () => {
    assert.deepEqual(summary(analyze(`${ACCELERATE}\nfp8_config:\n  backend: TE\n  fp8_format: hybrid`, '/work/project/accelerate.yaml')), []);
    const a = proveFixes(analyze(`${ACCELERATE}\nfp8_config:\n  backend: te`, '/work/project/accelerate.yaml'));
    assert.deepEqual(summary(a), [
      "5:11-5:13 FT103 warning 'te' is not a value Accelerate knows for 'fp8_config.backend'. Did you mean 'TE'? Allowed: AO, TE, MSAMP, NO.",
    ]);
    assert.deepEqual(
      fixesOf(a.diagnostics[0])
        .filter((f) => f.preferred)
        .map((f) => f.title),
      ["Change to 'TE'"],
    );
  });

  it('Accelerate adds the section prefix to keys without it: amax_history_len, amax_compute_algo, ignored_modules are read', () => {
    const text = `${ACCELERATE}\nfp8_config:\n  backend: TE\n  amax_history_len: 16\n  amax_compute_algo: max\nfsdp_config:\n  fsdp_ignored_modules: vision_tower\n  offload_params: false\n  zz_unknown: 1`;
    assert.deepEqual(summary(analyze(text, '/work/project/accelerate.yaml')), [
      "11:2-11:12 FT101 warning Unknown key 'zz_unknown' in 'fsdp_config': Accelerate ignores it silently.",
    ]);
  });
});

function configsOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...configsOf(p));
    else if (/\.(ya?ml|json)$/.test(name)) out.push(p);
  }
  return out;
}

describe('ftw fix on the whole corpus, then ftw check', needsCorpus('ftw fix on the corpus'), () => {
  it('no file gains a diagnostic, and every fixed file still loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-corpus-fix-'));
    cpSync(join(CORPUS!, 'configs'), dir, { recursive: true });
    const ftw = (args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin', 'ftw'), ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    const count = (json: string) => {
      const out = new Map<string, number>();
      for (const p of JSON.parse(json) as Array<{ file: string; code: string }>) out.set(`${p.file} ${p.code}`, (out.get(`${p.file} ${p.code}`) ?? 0) + 1);
      return out;
    };
    const before = count(ftw(['check', '.', '--format', 'json']).stdout);
    const fixed = ftw(['fix', '.']);
    assert.match(fixed.stdout, /^Fixed \d+ problems/m, fixed.stderr);
    const after = count(ftw(['check', '.', '--format', 'json']).stdout);
    const gained = [...after].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k]) => k);
    assert.deepEqual(gained, []);
    const changed = configsOf(dir).filter((f) => readFileSync(f, 'utf8') !== readFileSync(join(CORPUS!, 'configs', f.slice(dir.length + 1)), 'utf8'));
    assert.ok(changed.length > 10, `${changed.length} files changed`);
    for (const f of changed) assert.ok(!after.has(`${f.slice(dir.length + 1)} FT001`), `${f} does not load after the fix`);
  });
});
