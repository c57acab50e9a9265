import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JsonSchema, SchemaSet } from './core/config';

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

/** Reads every `<name>.schema.json`; the core gets them as plain objects. */
export function loadSchemas(dir: string = findSchemasDir()): SchemaSet {
  const out: SchemaSet = {};
  for (const file of readdirSync(dir)) {
    const m = /^(.+)\.schema\.json$/.exec(file);
    if (m) out[m[1]!] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as JsonSchema;
  }
  return out;
}
