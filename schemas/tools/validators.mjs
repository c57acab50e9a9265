#!/usr/bin/env node
// Compiles every bundled schema into a validator at build time (ajv standalone code), so that no process compiles a
// schema when it starts: ajv needs 40–250 ms per schema and `new Function` for it, the prebuilt module loads in a
// few milliseconds. Each schema gets dist/validators/<name>.js, bundled with ajv's small runtime helpers (esbuild),
// and stamped with the SHA-256 of the schema file it was built from: the server uses it only for that exact file
// (server/src/schemaFiles.ts) and compiles the schema itself when the two differ (a schema regenerated but not
// rebuilt). The ajv options here are the ones server/src/core/config/validate.ts compiles with; a unit test checks
// that both give the same errors.
//
// Usage: node schemas/tools/validators.mjs [--production]   (run by `npm run compile` through client/build.mjs)
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schemasDir = join(root, 'schemas');
const outDir = join(root, 'dist', 'validators');
// The generated sources live under out/ so that esbuild resolves `ajv/dist/runtime/*` from our node_modules.
const srcDir = join(root, 'out', 'validators-src');

/** Must match SchemaValidator's options in server/src/core/config/validate.ts (AJV_OPTIONS there). */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, allowUnionTypes: true, validateFormats: false };

export function schemaHash(text) {
  return createHash('sha256').update(text).digest('hex');
}

export async function buildValidators({ production = false } = {}) {
  rmSync(srcDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(srcDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const names = [];
  for (const file of readdirSync(schemasDir).sort()) {
    const m = /^(.+)\.schema\.json$/.exec(file);
    if (!m) continue;
    const text = readFileSync(join(schemasDir, file), 'utf8');
    const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
    const code = standaloneCode(ajv, ajv.compile(JSON.parse(text)));
    writeFileSync(join(srcDir, `${m[1]}.js`), `${code}\nmodule.exports.sourceHash = ${JSON.stringify(schemaHash(text))};\n`);
    names.push(m[1]);
  }
  await build({
    entryPoints: names.map((n) => join(srcDir, `${n}.js`)),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    minify: production,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return names;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = await buildValidators({ production: process.argv.includes('--production') });
  console.log(`validators: ${names.length} schemas compiled into ${outDir}`);
}
