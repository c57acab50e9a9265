import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveYamlSyntax } from '../../client/src/yamlSyntaxSetting';
import { normalise } from '../../server/src/settings';

// finetune.validation.yamlSyntax: what the VS Code client sends the server (see test/lsp/redHatYaml.test.ts for what
// the server then publishes beside yaml-language-server).
describe('finetune.validation.yamlSyntax', () => {
  const cases: Array<[unknown, { installed: boolean; validate: boolean }, string]> = [
    ['auto', { installed: true, validate: true }, 'leaveToRedHatYaml'],
    ['auto', { installed: true, validate: false }, 'show'],
    ['auto', { installed: false, validate: true }, 'show'],
    [undefined, { installed: true, validate: true }, 'leaveToRedHatYaml'],
    ['show', { installed: true, validate: true }, 'show'],
    ['leaveToRedHatYaml', { installed: false, validate: true }, 'leaveToRedHatYaml'],
    [42, { installed: false, validate: true }, 'show'],
  ];
  for (const [setting, redHat, expected] of cases) {
    it(`${JSON.stringify(setting)} with Red Hat YAML ${redHat.installed ? 'installed' : 'absent'}, yaml.validate ${redHat.validate} → ${expected}`, () => {
      assert.equal(resolveYamlSyntax(setting, redHat), expected);
    });
  }

  it('the server shows them unless told to leave them: "auto" from a client that does not resolve it is "show"', () => {
    assert.equal(normalise({ validation: { yamlSyntax: 'auto' } } as never).validation.yamlSyntax, 'show');
    assert.equal(normalise({ validation: { yamlSyntax: 'leaveToRedHatYaml' } } as never).validation.yamlSyntax, 'leaveToRedHatYaml');
    assert.equal(normalise(undefined).validation.yamlSyntax, 'show');
  });
});
