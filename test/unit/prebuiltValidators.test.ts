// The validators compiled at build time (schemas/tools/validators.mjs) stand in for ajv compiling the schemas at run
// time: they must exist for every bundled schema, be used only for the exact schema file they were built from, and
// report exactly the errors the run-time compile reports.
import { strict as assert } from 'node:assert';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import type { JsonSchema } from '../../server/src/core/config';
import { AJV_OPTIONS, SchemaValidator } from '../../server/src/core/config/validate';
import { loadSchemas } from '../../server/src/schemaFiles';
import { analyze, AXOLOTL_BASE, REPO, summary, workspace } from './helpers';

const schemas = loadSchemas(join(REPO, 'schemas'));

/** Values of the wrong kind for every property of an object schema, one property at a time, plus an unknown key. */
function mutations(schema: JsonSchema): unknown[] {
  const props = Object.keys(schema.properties ?? {});
  const wrong: unknown[] = ['not-a-value', 3.5, -1, true, null, [1, 'two'], { nested: { deeper: 1 } }];
  const out: unknown[] = [{}, { lora_droput: 0.1, constructor: 1, __proto__: { x: 1 } }];
  props.forEach((p, i) => out.push({ [p]: wrong[i % wrong.length], [props[(i + 1) % props.length]]: wrong[(i + 3) % wrong.length] }));
  return out;
}

function inputsFor(name: string, schema: JsonSchema): unknown[] {
  const files: unknown[] = [];
  const dir = join(REPO, 'examples', name);
  try {
    for (const f of readdirSync(dir)) if (/\.(ya?ml|json)$/.test(f)) files.push(parse(readFileSync(join(dir, f), 'utf8')));
  } catch {
    // no examples for this format
  }
  return [...files, ...mutations(schema)];
}

const comparable = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => ({
    instancePath: e.instancePath,
    schemaPath: e.schemaPath,
    keyword: e.keyword,
    params: e.params,
    message: e.message,
    parentSchema: e.parentSchema,
    data: e.data,
  }));

describe('validators compiled at build time', () => {
  it('exist for every bundled schema and are the ones the core uses', () => {
    assert.ok(Object.keys(schemas).length >= 9);
    for (const [name, schema] of Object.entries(schemas)) {
      const fn = new SchemaValidator().validatorFor(schema) as ValidateFunction & { sourceHash?: string };
      assert.equal(typeof fn.sourceHash, 'string', `${name}: dist/validators/${name}.js is missing or stale; run npm run compile`);
    }
  });

  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: the same errors as compiling the schema at run time`, () => {
      const prebuilt = new SchemaValidator().validatorFor(schema);
      const runtime = new Ajv(AJV_OPTIONS).compile(schema);
      const inputs = inputsFor(name, schema);
      let failing = 0;
      for (const value of inputs) {
        const a = prebuilt(value);
        const b = runtime(value);
        assert.equal(a, b, `${name}: ${JSON.stringify(value).slice(0, 200)}`);
        if (!a) failing++;
        assert.deepEqual(comparable(prebuilt.errors), comparable(runtime.errors), `${name}: ${JSON.stringify(value).slice(0, 200)}`);
      }
      // Hydra's schema holds the callables table, not a config's properties: its mutations are all valid.
      if (Object.keys(schema.properties ?? {}).length)
        assert.ok(failing >= inputs.length / 2, `${name}: the mutations should mostly be invalid (${failing} of ${inputs.length})`);
    });
  }

  it('a schema file that changed after the build is compiled at run time, and validates right', () => {
    const dir = workspace({});
    cpSync(join(REPO, 'schemas'), join(dir, 'schemas'), { recursive: true });
    cpSync(join(REPO, 'dist', 'validators'), join(dir, 'dist', 'validators'), { recursive: true });
    const file = join(dir, 'schemas', 'axolotl.schema.json');
    const edited = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
    edited.properties!['lora_r'] = { type: 'string' };
    writeFileSync(file, JSON.stringify(edited));
    const loaded = loadSchemas(join(dir, 'schemas'));
    const fn = new SchemaValidator().validatorFor(loaded['axolotl']) as ValidateFunction & { sourceHash?: string };
    assert.equal(fn.sourceHash, undefined);
    const loraErrors = (value: unknown) => (fn(value), (fn.errors ?? []).filter((e) => e.instancePath === '/lora_r'));
    assert.deepEqual(loraErrors({ lora_r: 'sixteen' }), []);
    assert.equal(loraErrors({ lora_r: 16 })[0]?.keyword, 'type');
    // The unchanged schemas beside it still use their build-time validators.
    const other = new SchemaValidator().validatorFor(loaded['deepspeed']) as ValidateFunction & { sourceHash?: string };
    assert.equal(typeof other.sourceHash, 'string');
  });

  it('the service reports the same diagnostics through them', () => {
    const lines = summary(analyze(`${AXOLOTL_BASE}\nadapter: lora\nlora_r: [16]\nlora_droput: 0.1`, '/w/axolotl.yml'));
    assert.ok(
      lines.some((l) => / FT101 warning Unknown key 'lora_droput'.*Did you mean 'lora_dropout'\?/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => l.startsWith('9:8-9:12 ') && l.includes("'lora_r' must be an integer")),
      lines.join('\n'),
    );
  });
});
