import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './client';
import { corpusDir, fuzzFiles, runFuzz } from './fuzzDriver';

// Seeded random edits and requests against the built server (fuzzDriver.ts). `npm test` runs a small session on the
// fixtures of test/lsp/fuzz and the corpus when there is one; `npm run fuzz` a long one (FTW_FUZZ_EDITS,
// FTW_FUZZ_SEED, FTW_FUZZ_PER_FILE, FTW_FUZZ_REQUESTS per edit). Failing texts go to out/fuzz/, named by the seed.
const seed = Number(process.env['FTW_FUZZ_SEED'] ?? 12);
const edits = Number(process.env['FTW_FUZZ_EDITS'] ?? 500);
const perFile = Number(process.env['FTW_FUZZ_PER_FILE'] ?? 20);
const requestsPerEdit = Number(process.env['FTW_FUZZ_REQUESTS'] ?? 3);

describe(`fuzz: ${edits} random edits and their requests (seed ${seed})`, () => {
  it(
    'no crash, every request answered (a hang guard of 10 s; the slowest is printed), diagnostics after edits equal a fresh open, memory back after closing',
    { timeout: Math.max(600_000, edits * 1000) },
    async () => {
      if (!corpusDir()) console.log('# no corpus (FTW_CORPUS or ../shared/corpus): fuzzing the fixtures of test/lsp/fuzz only');
      const report = await runFuzz({
        seed,
        edits,
        editsPerFile: perFile,
        requestsPerEdit,
        deadlineMs: 10_000,
        files: fuzzFiles(true),
        failureDir: join(REPO, 'out', 'fuzz'),
      });
      console.log(
        `# fuzz seed ${seed}: ${report.edits} edits, ${report.requests} requests on ${report.documents} documents in ${(report.ms / 1000).toFixed(1)} s; slowest ${report.slowest.method} ${report.slowest.ms} ms (${report.slowest.file}); heap ${mib(report.memory.start.heapUsedBytes)} → ${mib(report.memory.end.heapUsedBytes)} MiB`,
      );
      assert.deepEqual(report.failures, []);
      assert.deepEqual(report.mismatches, []);
      assert.ok(report.edits >= edits);
      // Closing every document leaves nothing kept, and the heap (after a full collection) near where it started.
      assert.ok(report.memory.end.collected);
      assert.deepEqual(
        Object.entries(report.memory.end.kept).filter(([, n]) => n !== 0),
        [],
      );
      assert.ok(
        report.memory.end.heapUsedBytes < report.memory.start.heapUsedBytes + 16 * 1024 * 1024,
        `heap ${mib(report.memory.start.heapUsedBytes)} → ${mib(report.memory.end.heapUsedBytes)} MiB`,
      );
    },
  );
});

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}
