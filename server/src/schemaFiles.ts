import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { type JsonSchema, type SchemaSet, registerPrebuiltValidator } from './core/config';
import { requireCompiled } from './codeCache';

/** The bundled `schemas/` folder: next to dist/ in the .vsix and in the repo, or above out/server/src in tests. */
export function findSchemasDir(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'axolotl.schema.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`Fine-Tune Workbench: the schemas folder was not found above ${start}`);
}

/**
 * Reads every `<name>.schema.json`; the core gets them as plain objects. Each is paired with the validator the build
 * compiled from it (`dist/validators/<name>.js` beside `schemas/`, schemas/tools/validators.mjs), used only when it
 * was built from this very file (same SHA-256); otherwise the core compiles the schema on first use.
 */
export function loadSchemas(dir: string = findSchemasDir()): SchemaSet {
  const out: SchemaSet = {};
  for (const file of readdirSync(dir)) {
    const m = /^(.+)\.schema\.json$/.exec(file);
    if (!m) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    const schema = JSON.parse(text) as JsonSchema;
    const built = join(dir, '..', 'dist', 'validators', `${m[1]}.js`);
    registerPrebuiltValidator(schema, () => prebuiltValidator(built, text));
    out[m[1]] = schema;
  }
  return out;
}

type Prebuilt = ValidateFunction & { sourceHash?: string };

function prebuiltValidator(path: string, schemaText: string): ValidateFunction | undefined {
  if (!existsSync(path)) return undefined;
  // A path known only at run time: the bundler leaves it to Node (through the code cache in the server).
  const fn = requireCompiled(path) as Prebuilt;
  return typeof fn === 'function' && fn.sourceHash === createHash('sha256').update(schemaText).digest('hex') ? fn : undefined;
}
