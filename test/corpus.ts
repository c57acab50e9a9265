/**
 * The conformance corpus: real public configs (configs/), legacy Lightning 1.x modules (lightning/) and unrelated
 * YAML/JSON (unrelated/). It is not part of the repository: the suites that read it look for it at $FTW_CORPUS,
 * then at ../shared/corpus beside the repository (where CI has it). A clone on its own has neither; those suites
 * then print one loud line saying what they skip and how to run them, and skip.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root: this file runs from out/test/. */
const REPO = join(__dirname, '..', '..');

function locate(): string | undefined {
  const given = process.env['FTW_CORPUS'];
  if (given) {
    // A path someone set on purpose and got wrong is an error, not a reason to skip.
    if (!existsSync(given) || !statSync(given).isDirectory()) throw new Error(`FTW_CORPUS=${given} is not a folder`);
    return resolve(given);
  }
  const beside = join(REPO, '..', 'shared', 'corpus');
  return existsSync(beside) ? beside : undefined;
}

/** The corpus folder, or undefined when this checkout has none. */
export const CORPUS = locate();

const told = new Set<string>();

/**
 * node:test options for a suite that needs the corpus: `{ skip: false }` when it is there; else `{ skip: reason }`,
 * after printing (once per suite) what is skipped and how to get it.
 */
export function needsCorpus(suite: string): { skip: string | false } {
  if (CORPUS) return { skip: false };
  if (!told.has(suite)) {
    told.add(suite);
    console.warn(
      `\n*** SKIPPED: ${suite}. No conformance corpus here (FTW_CORPUS unset, no ../shared/corpus beside the repository): set FTW_CORPUS to a copy of the project's corpus folder, or place it at ../shared/corpus as CI does, to run it. ***\n`,
    );
  }
  return { skip: 'no conformance corpus (FTW_CORPUS or ../shared/corpus)' };
}

/** A path inside the corpus; only call it where `needsCorpus` did not skip. */
export function corpusPath(...parts: string[]): string {
  if (!CORPUS) throw new Error('no conformance corpus: guard this suite with needsCorpus()');
  return join(CORPUS, ...parts);
}
