import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixAllEdits, FIX_ALL_KIND } from '../../server/src/core/config';
import { analyze, AXOLOTL_BASE, doc, service } from './helpers';

function complete(text: string, path = '/p/config.yml') {
  const offset = text.indexOf('|');
  const clean = text.replace('|', '');
  const d = doc(clean, path);
  const analysis = analyze(clean, path);
  return service().complete(d, d.positionAt(offset), analysis).items;
}

function hover(text: string, path = '/p/config.yml') {
  const offset = text.indexOf('|');
  const clean = text.replace('|', '');
  const d = doc(clean, path);
  return service().hover(d, d.positionAt(offset), analyze(clean, path));
}

describe('completion', () => {
  it('offers top-level keys with type, default and description, without those already present', () => {
    const items = complete(`${AXOLOTL_BASE}\nlora_dr|`);
    const item = items.find((i) => i.label === 'lora_dropout');
    assert.ok(item, 'lora_dropout offered');
    assert.equal(item.detail, 'number | null = 0');
    assert.match((item.documentation as { value: string }).value, /\*\*lora_dropout\*\*/);
    assert.deepEqual(item.textEdit, { range: { start: { line: 8, character: 0 }, end: { line: 8, character: 7 } }, newText: 'lora_dropout: ' });
    assert.equal(
      items.some((i) => i.label === 'micro_batch_size'),
      false,
      'present keys are not offered again',
    );
  });

  it('offers the keys of a nested section', () => {
    const labels = complete(`${AXOLOTL_BASE}\nspecial_tokens:\n  pad_token: "<pad>"\n  |`).map((i) => i.label);
    assert.deepEqual(labels.sort(), ['additional_special_tokens', 'bos_token', 'eos_token', 'unk_token']);
  });

  it('offers dataset item keys inside a list item', () => {
    const labels = complete(AXOLOTL_BASE.replace('    type: alpaca', '    type: alpaca\n    sp|')).map((i) => i.label);
    assert.ok(labels.includes('split'));
    assert.ok(!labels.includes('path') && !labels.includes('type'));
  });

  it('offers dataset item keys on a new list item', () => {
    const labels = complete(AXOLOTL_BASE.replace('    type: alpaca', '    type: alpaca\n  - |')).map((i) => i.label);
    assert.ok(labels.includes('path') && labels.includes('type'));
  });

  it('offers allowed values after the colon', () => {
    const items = complete(`${AXOLOTL_BASE}\ngradient_checkpointing: |`).sort((a, b) => a.sortText!.localeCompare(b.sortText!));
    assert.deepEqual(
      items.map((i) => i.label),
      ['false', 'offload', 'offload_disk', 'true'],
      'the default first',
    );
    assert.equal(items[0].detail, 'default');
  });

  it('offers enum values filtered by the client, with the range of the partial word', () => {
    const items = complete(`${AXOLOTL_BASE}\nchat_template: chat|`);
    assert.ok(items.some((i) => i.label === 'chatml'));
    assert.deepEqual((items[0].textEdit as { range: unknown }).range, { start: { line: 8, character: 15 }, end: { line: 8, character: 19 } });
  });

  it('inserts a block for object-valued keys', () => {
    const item = complete(`${AXOLOTL_BASE}\nspecial_tok|`).find((i) => i.label === 'special_tokens')!;
    assert.equal((item.textEdit as { newText: string }).newText, 'special_tokens:\n  $0');
  });

  it('JSON: keys inside a section, quoted', () => {
    const items = complete('{\n  "zero_optimization": {\n    "stage": 3,\n    "|"\n  }\n}', '/p/ds_config.json');
    const item = items.find((i) => i.label === 'offload_optimizer');
    assert.ok(item);
    assert.equal((item.textEdit as { newText: string }).newText, 'offload_optimizer');
    assert.equal(
      items.some((i) => i.label === 'stage'),
      false,
    );
  });

  it('JSON: values of a key', () => {
    const labels = complete('{\n  "zero_optimization": {\n    "offload_optimizer": {"device": |}\n  }\n}', '/p/ds_config.json').map((i) => i.label);
    assert.deepEqual(labels, ['none', 'cpu', 'nvme']);
  });

  it('nothing inside comments or in files that are not configs', () => {
    assert.deepEqual(complete(`${AXOLOTL_BASE}\n# lora_dr|`), []);
    assert.deepEqual(complete('services:\n  web:\n    im|', '/p/docker-compose.yml'), []);
  });
});

describe('hover', () => {
  it('explains a key: type, description, default and allowed values', () => {
    const h = hover(`${AXOLOTL_BASE}\ngradient_check|pointing: true`)!;
    const text = (h.contents as { value: string }).value;
    assert.match(text, /^\*\*gradient_checkpointing\*\* `boolean \| null \| "offload" \| "offload_disk"`/);
    assert.match(text, /Allowed: `offload`, `offload_disk`/);
    assert.deepEqual(h.range, { start: { line: 8, character: 0 }, end: { line: 8, character: 22 } });
  });

  it('works on values and in nested sections, and in JSON', () => {
    assert.match((hover(`${AXOLOTL_BASE}\nspecial_tokens:\n  pad_tok|en: x`)!.contents as { value: string }).value, /\*\*pad_token\*\*/);
    assert.match((hover('{"zero_optimization": {"sta|ge": 3}}', '/p/ds_config.json')!.contents as { value: string }).value, /\*\*stage\*\* `0 \| 1 \| 2 \| 3`/);
  });

  it('shows ranges and deprecation', () => {
    assert.match((hover(`${AXOLOTL_BASE}\nlora_drop|out: 0.1`)!.contents as { value: string }).value, /Range: ≥ 0 and ≤ 1/);
    assert.match(
      (hover(`${AXOLOTL_BASE}\nevaluation_str|ategy: steps`)!.contents as { value: string }).value,
      /\*\*Deprecated\*\* since Axolotl v0\.5\.1: use `eval_strategy`/,
    );
  });

  it('is silent on unknown keys and outside configs', () => {
    assert.equal(hover(`${AXOLOTL_BASE}\nzzz|q: 1`), null);
    assert.equal(hover('services:\n  we|b: {}', '/p/docker-compose.yml'), null);
  });
});

describe('document symbols', () => {
  it('outline keys, with dataset items named by their path', () => {
    const d = doc(AXOLOTL_BASE);
    const symbols = service().symbols(d, analyze(AXOLOTL_BASE));
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['base_model', 'datasets', 'micro_batch_size', 'gradient_accumulation_steps', 'learning_rate', 'output_dir'],
    );
    assert.equal(symbols[1].children![0].name, 'path: mhenrichsen/alpaca_2k_test');
    assert.equal(symbols[0].detail, 'NousResearch/Llama-3.2-1B');
  });
});

describe('code actions', () => {
  const text = `${AXOLOTL_BASE}\nlora_dropuot: 0.05\nevaluation_strategy: steps\nchat_template: chatm`;
  const a = analyze(text);
  const d = doc(text);

  it('one quick fix per fix in the diagnostic, preferred first', () => {
    const actions = service().codeActions(d, a.diagnostics[0].range, a.diagnostics, undefined, a);
    assert.equal(actions[0].title, "Change 'lora_dropuot' to 'lora_dropout'");
    assert.equal(actions[0].kind, 'quickfix');
    assert.equal(actions[0].isPreferred, true);
  });

  it('fix all applies the preferred fixes only', () => {
    const actions = service().codeActions(d, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], [FIX_ALL_KIND], a);
    assert.equal(actions.length, 1);
    const edits = actions[0].edit!.changes![d.uri];
    assert.deepEqual(
      edits.map((e) => e.newText),
      ['lora_dropout', 'eval_strategy', 'chatml'],
    );
    assert.deepEqual(fixAllEdits(a.diagnostics), edits);
  });
});
