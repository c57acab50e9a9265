import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// The web extension's side of the manifest and bundles (docs/architecture.md, "The web build"); test/web runs the
// worker's server itself in Chromium. VS Code for the Web loads an extension through `browser`
// (https://code.visualstudio.com/api/extension-guides/web-extensions, "Web extension enablement").
const REPO = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  browser: string;
  contributes: {
    commands: Array<{ command: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    views: Record<string, Array<{ id: string; when?: string }>>;
  };
};
const WEB_CLIENT = join(REPO, manifest.browser);
const WEB_SOURCE = readFileSync(join(REPO, 'client', 'src', 'web', 'extension.ts'), 'utf8');
const DESKTOP_ONLY = [...WEB_SOURCE.matchAll(/^ {2}'(finetune\.[\w.]+)': /gm)].map((m) => m[1]);

describe('the web extension (browser entry)', () => {
  it('package.json names dist/web/client.js, and the build made it with the worker next to it', () => {
    assert.equal(manifest.browser, './dist/web/client.js');
    assert.ok(existsSync(WEB_CLIENT), `${WEB_CLIENT} is missing: npm run compile`);
    assert.ok(existsSync(join(REPO, 'dist', 'web', 'server.js')));
  });

  it('the web client requires nothing but vscode (a web extension host has no Node modules)', () => {
    const required = new Set([...readFileSync(WEB_CLIENT, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
    assert.deepEqual([...required], ['vscode']);
  });

  it('every contributed command is answered in the browser: by the web client, or with the desktop-only message', () => {
    const registered = new Set([...WEB_SOURCE.matchAll(/registerCommand\('([\w.]+)'/g)].map((m) => m[1]).concat(DESKTOP_ONLY));
    assert.ok(DESKTOP_ONLY.includes('finetune.launch'), `desktop-only: ${DESKTOP_ONLY.join(', ')}`);
    for (const { command } of manifest.contributes.commands) assert.ok(registered.has(command), `${command} has no handler in client/src/web/extension.ts`);
  });

  it('the menus hide the desktop-only commands in the web worker host (!finetune.webWorkerHost), and the Training Jobs view', () => {
    // Not isWeb: true in every browser workbench, code-server's too, where the Node host launches (test/editor/e2e.test.ts).
    for (const [menu, items] of Object.entries(manifest.contributes.menus))
      for (const item of items) {
        assert.doesNotMatch(item.when ?? '', /\bisWeb\b/, `${menu}: ${item.command}`);
        if (DESKTOP_ONLY.includes(item.command)) assert.match(item.when ?? '', /!finetune\.webWorkerHost\b/, `${menu}: ${item.command}`);
      }
    assert.equal(manifest.contributes.views.explorer.find((v) => v.id === 'finetune.jobs')?.when, '!finetune.webWorkerHost');
    assert.match(WEB_SOURCE, /'setContext', 'finetune\.webWorkerHost', true/);
  });
});
