// The web worker's schemas: each `<name>.schema.json` and the validator the build compiled from it, inside the
// bundle (the virtual module `ftw-web:schemas` that client/build.mjs writes, after checking each validator's
// SHA-256 against its schema as schemaFiles.ts does at run time on the desktop).
import { SCHEMAS } from 'ftw-web:schemas';
import type { ValidateFunction } from 'ajv';
import { type JsonSchema, type SchemaSet, registerPrebuiltValidator } from '../core/config';

export function loadSchemas(): SchemaSet {
  const out: SchemaSet = {};
  for (const [name, entry] of Object.entries(SCHEMAS)) {
    const schema = entry.schema as JsonSchema;
    registerPrebuiltValidator(schema, () => entry.validator as ValidateFunction);
    out[name] = schema;
  }
  return out;
}
