/**
 * Only the cold-open part of `npm run bench`: fresh servers, ours and yaml-language-server (debounce 0), taking
 * turns, on the 300- and 3,000-line fixtures. Prints initialize → first diagnostics and the CPU of the first file.
 *   npm run --silent compile && node client/build.mjs --production && node out/test/bench/coldBench.js [--runs N] [--profile]
 * (the packaged build, as `npm run bench` measures it; without the second step it measures the development build,
 * and says so).
 * --profile runs our server under `node --cpu-prof` (profiles in out/bench/prof-cold/).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { largeAxolotl, mediumAxolotl } from './fixtures';
import { measureColdOpens, primeCodeCache } from './measureLsp';
import { benchCodeCacheDir, fixtureDir, ourServerBuild, ourServer, ourServerFirstEver, outDir, yamlLsNoDebounce } from './servers';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 10;
const profile = argv.includes('--profile');

void (async () => {
  const fixtures = [mediumAxolotl(), largeAxolotl()];
  fs.mkdirSync(fixtureDir, { recursive: true });
  for (const f of fixtures) fs.writeFileSync(path.join(fixtureDir, f.fileName), f.text);
  const profArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(outDir, 'prof-cold')}`] : [];
  await primeCodeCache(ourServer(), benchCodeCacheDir, fixtures[0]);
  const specs = [
    { ...ourServerFirstEver(), args: [...profArgs, ...ourServerFirstEver().args] },
    { ...ourServer(profArgs), name: 'finetune-workbench (later process: code cache from an earlier one)' },
    yamlLsNoDebounce(fixtures.map((f) => f.fileName)),
  ];
  console.log(`our server: dist/, ${ourServerBuild()}`);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${runs} runs`,
  );
  const results = await measureColdOpens(specs, fixtures, runs);
  for (const f of fixtures) {
    const found = specs.map((s) => results.find((r) => r.server === s.name && r.fixture === f.name)!);
    const yls = found[found.length - 1];
    for (const r of found) {
      const cpu = r.openCpuMeanMs === null ? 'n/a' : r.openCpuMeanMs.toFixed(0);
      const q = r.openCpuMeanMs !== null && yls.openCpuMeanMs ? (r.openCpuMeanMs / yls.openCpuMeanMs).toFixed(2) : 'n/a';
      console.log(
        `${f.name.padEnd(13)} ${r.server.padEnd(68)} initialize→diagnostics p50 ${r.initializeToDiagnostics.p50.toFixed(0).padStart(4)} ms ` +
          `(p95 ${r.initializeToDiagnostics.p95.toFixed(0)}); first-file CPU mean ${cpu} ms [${r.openCpuMs.join(' ')}], ${q}× yls; ` +
          `JavaScript thread ${r.openMainThreadCpuMeanMs?.toFixed(0) ?? 'n/a'} ms`,
      );
    }
  }
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
})();
