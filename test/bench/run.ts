// `npm run bench`: prints figures and writes out/bench/results.json. Figures, not pass/fail: the exit code is 0
// unless something crashes or a comparison turns out meaningless (a server reported no diagnostics).
// Flags: --editor (also time extension activation in code-server), --quick (few iterations, for trying the harness),
// --profile-server (our server runs under `node --cpu-prof`; profiles land in out/bench/prof/).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { largeAxolotl, largeAxolotlDatasetEdit, mediumAxolotl, smallAxolotl, Fixture } from './fixtures';
import { CoreResult, measureCore, NamedValidator, yamlLsValidator, yamlParseOnly } from './measureCore';
import { ColdOpenResult, measureColdOpens, measureRoundTrips, measureStartup, primeCodeCache, RoundTripResult, StartupResult } from './measureLsp';
import { ourValidator } from './ourCore';
import { Check, printReport } from './report';
import {
  activationBenchPath,
  axolotlSchemaPath,
  benchCodeCacheDir,
  fixtureDir,
  OUR_DEFAULT_DELAY_MS,
  ourServer,
  ourServerFirstEver,
  ourServerPath,
  outDir,
  repoRoot,
  vsixPath,
  yamlLsNoDebounce,
  yamlLsShipped,
  yamlLsVersion,
  ourServerBuild,
} from './servers';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const scale = (n: number): number => (quick ? Math.max(3, Math.ceil(n / 10)) : n);
const isLarge = (f: Fixture): boolean => f.lines > 1000;

export interface Results {
  generatedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; node: string; loadAverageAtStart: number[] };
  /** dist/'s build of our server (ourServerBuild). */
  serverBuild: string;
  yamlLanguageServer: string;
  fixtures: { name: string; fileName: string; lines: number; bytes: number; plantedMistakes: string[] }[];
  core: CoreResult[];
  /** `yaml` parseDocument alone on the same inputs: the part of validation no schema check avoids. */
  parseFloor: CoreResult[];
  roundTrip: RoundTripResult[];
  coldOpen: ColdOpenResult[];
  startup: StartupResult[];
  vsix: { path: string; bytes: number } | null;
  activation: unknown;
  checks: Check[];
  skipped: string[];
  problems: string[];
}

async function main(): Promise<number> {
  const fixtures = [smallAxolotl(), largeAxolotl(), largeAxolotlDatasetEdit()];
  // Fresh servers open these (DESIGN targets name 300 and 3,000 lines).
  const coldFixtures = [mediumAxolotl(), largeAxolotl()];
  fs.mkdirSync(fixtureDir, { recursive: true });
  for (const f of [...fixtures, ...coldFixtures]) fs.writeFileSync(path.join(fixtureDir, f.fileName), f.text);
  const fileNames = [...new Set([...fixtures, ...coldFixtures].map((f) => f.fileName))];
  const cpus = os.cpus();
  const results: Results = {
    generatedAt: new Date().toISOString(),
    command: (process.env.npm_lifecycle_event === 'bench'
      ? `npm run bench${process.argv.length > 2 ? ' --' : ''} ${process.argv.slice(2).join(' ')}`
      : `node ${path.relative(process.cwd(), process.argv[1])} ${process.argv.slice(2).join(' ')}`
    ).trim(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      // Other work on the machine (editor tests, builds) shows up as noise in every figure.
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    serverBuild: ourServerBuild(),
    yamlLanguageServer: yamlLsVersion(),
    fixtures: fixtures.map((f) => ({
      name: f.name,
      fileName: f.fileName,
      lines: f.lines,
      bytes: Buffer.byteLength(f.text),
      plantedMistakes: f.plantedMistakes,
    })),
    core: [],
    parseFloor: [],
    roundTrip: [],
    coldOpen: [],
    startup: [],
    vsix: null,
    activation: null,
    checks: [],
    skipped: [],
    problems: [],
  };
  const progress = (msg: string): void => void process.stderr.write(`· ${msg}\n`);

  if (!fs.existsSync(axolotlSchemaPath)) throw new Error(`${axolotlSchemaPath} is missing: run \`npm run schemas\` first`);

  // 1. Core validation, in process.
  const ours = ourValidator();
  const yls = yamlLsValidator(fileNames);
  for (const f of fixtures) {
    const [warmup, iterations] = isLarge(f) ? [5, 50] : [20, 200];
    const validators: NamedValidator[] = [
      { name: 'finetune-workbench core', validate: ours },
      { name: 'yaml-language-server service', validate: yls },
      { name: 'yaml parseDocument', validate: yamlParseOnly },
    ];
    progress(`core: ${validators.map((v) => v.name).join(', ')} on ${f.name} (taking turns)`);
    for (const r of await measureCore(validators, f, scale(warmup), scale(iterations))) {
      (r.validator === 'yaml parseDocument' ? results.parseFloor : results.core).push(r);
    }
  }

  // 2. Round trips over stdio.
  const haveServer = fs.existsSync(ourServerPath);
  if (!haveServer) results.skipped.push(`our server: ${path.relative(repoRoot, ourServerPath)} not built`);
  const profileArgs = args.has('--profile-server') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(outDir, 'prof')}`] : [];
  const rtSpecs = [...(haveServer ? [ourServer(profileArgs), ourServer([], OUR_DEFAULT_DELAY_MS)] : []), yamlLsNoDebounce(fileNames), yamlLsShipped(fileNames)];
  progress(`round trips: ${rtSpecs.map((s) => s.name).join(', ')} (taking turns)`);
  results.roundTrip.push(
    ...(await measureRoundTrips(rtSpecs, fixtures, (spec, f) =>
      spec.debounceMs > 0
        ? { warmup: scale(3), iterations: scale(isLarge(f) ? 20 : 40) }
        : { warmup: scale(isLarge(f) ? 5 : 10), iterations: scale(isLarge(f) ? 50 : 100) },
    )),
  );

  // 3. A config opened in a fresh server: time to its first diagnostics, and the CPU the server spends on it. Ours
  // twice: its first-ever run (an empty code cache folder per process) and any later process (the code cache that
  // one earlier server wrote after opening the 300-line config).
  if (haveServer) {
    const written = await primeCodeCache(ourServer(), benchCodeCacheDir, coldFixtures[0]);
    progress(`code cache: ${written.length} files written by a first server in ${path.relative(repoRoot, benchCodeCacheDir)}`);
  }
  const coldSpecs = [...(haveServer ? [ourServerFirstEver(), ourServer()] : []), yamlLsNoDebounce(fileNames)];
  progress(`cold opens: ${coldSpecs.map((s) => s.name).join(', ')} (fresh processes, taking turns)`);
  results.coldOpen.push(...(await measureColdOpens(coldSpecs, coldFixtures, scale(10))));

  // 4. Start-up.
  if (haveServer) {
    progress('start-up: ours (later process, then first-ever run)');
    results.startup.push(await measureStartup(ourServer(), scale(10)));
    results.startup.push(await measureStartup(ourServerFirstEver(), scale(10)));
  }
  progress('start-up: yaml-language-server');
  results.startup.push(await measureStartup(yamlLsShipped(fileNames), scale(10)));

  // 5. Package size.
  if (fs.existsSync(vsixPath)) results.vsix = { path: path.relative(process.cwd(), vsixPath), bytes: fs.statSync(vsixPath).size };
  else results.skipped.push(`vsix: ${path.relative(repoRoot, vsixPath)} not built (npm run package)`);

  // 6. Activation, only with --editor (needs code-server).
  if (args.has('--editor')) {
    if (!fs.existsSync(activationBenchPath)) throw new Error(`--editor: ${path.relative(repoRoot, activationBenchPath)} is missing (npm run compile)`);
    progress('activation (code-server)');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(activationBenchPath) as { measureActivation(): Promise<unknown> };
    try {
      results.activation = await mod.measureActivation();
    } catch (err) {
      // The editor set-up is the most fragile part; report it and keep the other figures.
      results.problems.push(`activation: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    results.skipped.push('activation: pass --editor (needs code-server)');
  }

  // A comparison where either side reports nothing compares nothing.
  for (const r of results.roundTrip) {
    if (r.diagnostics === 0) results.problems.push(`${r.server} reported no diagnostics on ${r.fixture}`);
    else if (r.schemaDiagnostics === 0) results.problems.push(`${r.server} reported no schema diagnostics on ${r.fixture} (only syntax?)`);
  }
  for (const c of results.core) {
    if (c.diagnostics === 0) results.problems.push(`${c.validator} returned no diagnostics on ${c.fixture}`);
  }

  const report = printReport(results);
  results.checks = report.checks;
  fs.mkdirSync(outDir, { recursive: true });
  const resultsPath = path.join(outDir, 'results.json');
  fs.writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'results.md'), `Command: \`${results.command}\`  \n${report.markdown}`);
  console.log(`\nWrote ${path.relative(process.cwd(), resultsPath)} and results.md`);
  return results.problems.length > 0 ? 1 : 0;
}

// Only when run directly: `node --test out/test/` loads every file under test/ and must not start a benchmark.
if (require.main === module && !process.env.NODE_TEST_CONTEXT) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(2);
    },
  );
}
