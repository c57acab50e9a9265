// In-process validation time: our core service, and yaml-language-server's language service as a reference.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { parseAllDocuments } from 'yaml';
import { getLanguageService } from 'yaml-language-server';
import { Fixture, withSeed } from './fixtures';
import { axolotlSchemaPath, fileUri, fixtureDir } from './servers';
import { summarize, Summary } from './stats';

export type Validate = (doc: TextDocument) => Diagnostic[] | Promise<Diagnostic[]>;

export interface CoreResult {
  validator: string;
  fixture: string;
  /** The first call on a fresh service (schema compile, caches cold). */
  firstCallMs: number;
  validate: Summary;
  diagnostics: number;
}

export interface NamedValidator {
  name: string;
  validate: Validate;
}

/**
 * Times each validator on fresh documents: every call gets a new version and new content (the `seed:` value), so
 * a cache keyed on URI, version or text cannot answer. The validators take turns call by call, so that load from
 * other work on the machine falls on all of them alike. Samples cover only the call (and its promise, if any).
 */
export async function measureCore(validators: NamedValidator[], f: Fixture, warmup: number, iterations: number): Promise<CoreResult[]> {
  const uri = fileUri(path.join(fixtureDir, f.fileName));
  let version = 1;
  const state = [];
  for (const v of validators) {
    const t0 = performance.now();
    const diagnostics = await v.validate(TextDocument.create(uri, 'yaml', version, f.text));
    state.push({ v, firstCallMs: performance.now() - t0, samples: [] as number[], diagnostics });
  }
  for (let i = 0; i < warmup + iterations; i++) {
    version++;
    const text = (f.edit ?? withSeed)(f.text, 1000 + version);
    for (const s of state) {
      const doc = TextDocument.create(uri, 'yaml', version, text);
      const start = performance.now();
      const out = s.v.validate(doc);
      s.diagnostics = out instanceof Promise ? await out : out;
      const elapsed = performance.now() - start;
      if (i >= warmup) s.samples.push(elapsed);
    }
  }
  return state.map((s) => ({
    validator: s.v.name,
    fixture: f.name,
    firstCallMs: s.firstCallMs,
    validate: summarize(s.samples),
    diagnostics: s.diagnostics.length,
  }));
}

/** yaml-language-server's in-process service with our Axolotl schema bound to the fixture file names. */
export function yamlLsValidator(fileNames: string[]): Validate {
  const ls = getLanguageService({
    schemaRequestService: (uri: string) => fs.promises.readFile(new URL(uri), 'utf8'),
    workspaceContext: { resolveRelativePath: (rel: string, resource: string) => new URL(rel, resource).toString() },
  });
  ls.configure({
    validate: true,
    hover: false,
    completion: false,
    yamlVersion: '1.1',
    schemas: [{ uri: fileUri(axolotlSchemaPath), fileMatch: fileNames }],
  });
  return (doc) => ls.doValidation(doc, false);
}

/**
 * The parser alone: `yaml` (the package our core and yaml-language-server both parse with) building Documents
 * with ranges, YAML 1.1 like PyYAML. Not a validator; it shows how much of a validation is parsing, a floor that
 * no schema check goes under.
 */
export const yamlParseOnly: Validate = (doc) => {
  parseAllDocuments(doc.getText(), { version: '1.1', uniqueKeys: false });
  return [];
};
