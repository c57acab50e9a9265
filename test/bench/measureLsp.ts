// Round trips over stdio (didChange → publishDiagnostics) and server start-up (spawn → initialize result).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { Fixture, withSeed } from './fixtures';
import { LspSession, ServerSpec, sleep } from './lspSession';
import { fileUri, fixtureDir, repoRoot } from './servers';
import { median, summarize, Summary } from './stats';

export interface DiagnosticDigest {
  line: number;
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}

export interface RoundTripResult {
  server: string;
  fixture: string;
  /** didOpen → first publishDiagnostics (includes schema loading and compiling on first use). */
  openToFirstDiagnosticsMs: number;
  /** didChange → publishDiagnostics for that change. */
  roundTrip: Summary;
  /** roundTrip.p50 minus the server's known debounce: the time spent working. */
  p50MinusDebounce: number;
  debounceMs: number;
  diagnostics: number;
  schemaDiagnostics: number;
  /** publishDiagnostics that nobody waited for (e.g. two publishes per change). */
  unexpectedPublishes: number;
  sample: DiagnosticDigest[];
}

export interface RoundTripOptions {
  warmup: number;
  iterations: number;
}

const digest = (d: Diagnostic): DiagnosticDigest => ({
  line: d.range.start.line,
  severity: d.severity,
  code: typeof d.code === 'object' ? undefined : d.code,
  source: d.source,
  message: d.message.length > 160 ? d.message.slice(0, 157) + '...' : d.message,
});

/**
 * Every server gets its own session; for each fixture, the servers take turns change by change (never two at
 * once), so that load from other work on the machine falls on all of them alike. Each change waits for its
 * diagnostics before the next one is sent. `iterations(spec, fixture)` may differ per server: a server that
 * debounces 200 ms gets fewer.
 */
export async function measureRoundTrips(
  specs: ServerSpec[],
  fixtures: Fixture[],
  options: (spec: ServerSpec, f: Fixture) => RoundTripOptions,
): Promise<RoundTripResult[]> {
  const sessions: LspSession[] = [];
  const results: RoundTripResult[] = [];
  try {
    for (const spec of specs) sessions.push((await LspSession.start(spec, fileUri(repoRoot))).session);
    // Servers pull their settings after `initialized`; opening before that lands would cost an extra validation.
    await Promise.all(sessions.map((s) => s.settle(300)));
    for (const f of fixtures) {
      const uri = fileUri(path.join(fixtureDir, f.fileName));
      const state = [];
      for (const session of sessions) {
        const first = session.nextDiagnostics(uri, 1);
        const tOpen = performance.now();
        await session.open(uri, f.text, 1);
        const opened = await first;
        await sleep(session.spec.debounceMs + 100); // let stragglers from the open arrive before counting
        const { warmup, iterations } = options(session.spec, f);
        state.push({
          session,
          version: 1,
          warmup,
          iterations,
          samples: [] as number[],
          last: opened,
          openMs: opened.at - tOpen,
          unexpected: session.unexpectedPublishes,
        });
      }
      const rounds = Math.max(...state.map((s) => s.warmup + s.iterations));
      for (let i = 0; i < rounds; i++) {
        for (const s of state) {
          if (i >= s.warmup + s.iterations) continue;
          s.version++;
          const next = s.session.nextDiagnostics(uri, s.version);
          const t0 = await s.session.change(uri, s.version, (f.edit ?? withSeed)(f.text, 1000 + s.version));
          s.last = await next;
          if (i >= s.warmup) s.samples.push(s.last.at - t0);
        }
      }
      await sleep(Math.max(...specs.map((x) => x.debounceMs)) + 100);
      for (const s of state) {
        const spec = s.session.spec;
        const diagnostics = s.last.params.diagnostics;
        const roundTrip = summarize(s.samples);
        results.push({
          server: spec.name,
          fixture: f.name,
          openToFirstDiagnosticsMs: s.openMs,
          roundTrip,
          p50MinusDebounce: roundTrip.p50 - spec.debounceMs,
          debounceMs: spec.debounceMs,
          diagnostics: diagnostics.length,
          schemaDiagnostics: diagnostics.filter((d) => spec.isSchemaDiagnostic(d)).length,
          unexpectedPublishes: s.session.unexpectedPublishes - s.unexpected,
          sample: diagnostics.slice(0, 12).map(digest),
        });
      }
    }
  } finally {
    await Promise.all(sessions.map((s) => s.stop()));
  }
  return results;
}

export interface StartupResult {
  server: string;
  runs: number;
  /** Median of spawn → initialize result. */
  initializeMedianMs: number;
  initialize: Summary;
}

/** Spawn → initialize result, `runs` fresh processes, one at a time. */
export async function measureStartup(spec: ServerSpec, runs: number): Promise<StartupResult> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { session, initializeMs } = await LspSession.start(spec, fileUri(repoRoot));
    samples.push(initializeMs);
    await session.stop();
  }
  return { server: spec.name, runs, initializeMedianMs: median(samples), initialize: summarize(samples) };
}

/**
 * Leaves in `dir` the code cache our server writes after its first diagnostics (server/src/codeCache.ts): a fresh
 * server opens `f`, and the folder is read until the cache files appear. `spec` must point the server at `dir`.
 * Returns the files written.
 */
export async function primeCodeCache(spec: ServerSpec, dir: string, f: Fixture): Promise<string[]> {
  fs.rmSync(dir, { recursive: true, force: true });
  const { session } = await LspSession.start(spec, fileUri(repoRoot));
  try {
    const uri = fileUri(path.join(fixtureDir, f.fileName));
    const first = session.nextDiagnostics(uri, 1);
    await session.open(uri, f.text, 1);
    await first;
    for (let waited = 0; waited < 10_000; waited += 100) {
      const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.v8cache')) : [];
      if (files.some((n) => n.startsWith('server-main-'))) return files;
      await sleep(100);
    }
    throw new Error(`${spec.name} wrote no code cache into ${dir} within 10 s:\n${session.tail()}`);
  } finally {
    await session.stop();
  }
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export interface ColdOpenResult {
  server: string;
  fixture: string;
  runs: number;
  /** initialize result → first publishDiagnostics, the file opened right after `initialized`. */
  initializeToDiagnostics: Summary;
  /** CPU the server spends on a file opened in a fresh, settled server: didOpen until its diagnostics are out and
   *  the server is quiet again. Mean over the runs (the kernel counts in 10 ms ticks), and each run's figure. */
  openCpuMeanMs: number | null;
  openCpuMs: number[];
  /** The same, the JavaScript thread alone (the rest is V8's compiler and garbage-collector threads). */
  openMainThreadCpuMeanMs: number | null;
}

/**
 * A config opened in a fresh server, `runs` times per server and file, the servers taking turns run by run:
 * (1) opened right after `initialized`, timed from the initialize result to the first diagnostics (what a user
 * waits for when VS Code starts with the file open); (2) in another fresh process, after the server settled,
 * the CPU time it spends on that first file (no schema is compiled or loaded before a file asks for it).
 */
export async function measureColdOpens(specs: ServerSpec[], fixtures: Fixture[], runs: number): Promise<ColdOpenResult[]> {
  const results: ColdOpenResult[] = [];
  for (const f of fixtures) {
    const uri = fileUri(path.join(fixtureDir, f.fileName));
    const firstMs = new Map<string, number[]>(specs.map((s) => [s.name, []]));
    const cpu = new Map<string, number[]>(specs.map((s) => [s.name, []]));
    const mainCpu = new Map<string, number[]>(specs.map((s) => [s.name, []]));
    for (let i = 0; i < runs; i++) {
      for (const spec of specs) {
        {
          const { session } = await LspSession.start(spec, fileUri(repoRoot));
          const t0 = performance.now();
          const first = session.nextDiagnostics(uri, 1);
          await session.open(uri, f.text, 1);
          firstMs.get(spec.name)!.push((await first).at - t0);
          await session.stop();
        }
        {
          const { session } = await LspSession.start(spec, fileUri(repoRoot));
          await session.settle(300);
          await sleep(300);
          const before = session.cpuMs();
          const beforeMain = session.cpuMs(true);
          const first = session.nextDiagnostics(uri, 1);
          await session.open(uri, f.text, 1);
          await first;
          await sleep(spec.debounceMs + 300);
          const after = session.cpuMs();
          const afterMain = session.cpuMs(true);
          if (before !== null && after !== null) cpu.get(spec.name)!.push(after - before);
          if (beforeMain !== null && afterMain !== null) mainCpu.get(spec.name)!.push(afterMain - beforeMain);
          await session.stop();
        }
      }
    }
    for (const spec of specs) {
      const c = cpu.get(spec.name)!;
      results.push({
        server: spec.name,
        fixture: f.name,
        runs,
        initializeToDiagnostics: summarize(firstMs.get(spec.name)!),
        openCpuMeanMs: c.length ? c.reduce((a, b) => a + b, 0) / c.length : null,
        openCpuMs: c,
        openMainThreadCpuMeanMs: mean(mainCpu.get(spec.name)!),
      });
    }
  }
  return results;
}
