import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CODE_TITLES, CODES } from '../../server/src/core/config';
import { REPO } from './helpers';

describe('repository consistency', () => {
  it('the committed schemas are what schemas/tools/generate.mjs produces', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'schemas', 'tools', 'generate.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('every diagnostic code has a title and an entry in docs/rules.md', () => {
    const rules = readFileSync(join(REPO, 'docs', 'rules.md'), 'utf8');
    for (const code of Object.values(CODES)) {
      assert.ok(CODE_TITLES[code], `${code} has a title`);
      assert.match(rules, new RegExp(`^## ${code}\\b`, 'm'), `${code} is documented in docs/rules.md`);
    }
  });

  it('the extension runs where the workspace is (Remote-SSH, WSL, Dev Containers): extensionKind workspace only', () => {
    // The server reads the configs, the Hugging Face cache and nvidia-smi, and jobs run there: all of it on the
    // remote host. "ui" would run it on the laptop, reading the laptop's disk.
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      extensionKind?: string[];
      browser?: unknown;
      contributes: { configuration: { properties: Record<string, unknown> } };
    };
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    // VS Code for the Web (no Node extension host) loads `browser` instead, whose server runs in a web worker.
    assert.equal(pkg.browser, './dist/web/client.js');
  });

  it('every setting the server reads is declared in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      extensionKind?: string[];
      browser?: unknown;
      contributes: { configuration: { properties: Record<string, unknown> } };
    };
    const declared = Object.keys(pkg.contributes.configuration.properties);
    for (const key of ['finetune.validation.enable', 'finetune.validation.delay', 'finetune.validation.maxFileSizeKB', 'finetune.formatAssociations']) {
      assert.ok(declared.includes(key), key);
    }
  });
});
