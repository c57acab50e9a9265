// Prints the benchmark tables and returns the target checks (targets are shown next to figures, never enforced)
// and the same tables in Markdown (out/bench/results.md, pasted into docs/benchmarks.md).
import type { Results } from './run';
import { OURS_FIRST_EVER } from './servers';
import { ms } from './stats';

export interface Check {
  what: string;
  value: number | null;
  target: string;
  met: boolean | null;
}

const OURS = 'finetune-workbench';
const OURS_DEFAULT = 'finetune-workbench (delay 200)';
const YLS_SHIPPED = 'yaml-language-server';
const YLS_ZERO = 'yaml-language-server (debounce 0)';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

const verdict = (met: boolean | null): string => (met === null ? '—' : met ? 'yes' : 'NO');
const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;
const fmtRatio = (r: number | null): string => (r === null ? 'n/a' : `${r.toFixed(3)}×`);

/** Activation results come from another module; accept a number of ms or an object with a recognisable field. */
export function activationMs(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') {
    for (const key of ['p50', 'median', 'medianMs', 'activationMs', 'ms', 'durationMs']) {
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'number') return v;
    }
  }
  return null;
}

export function printReport(r: Results): { checks: Check[]; markdown: string } {
  const checks: Check[] = [];
  const m = r.machine;
  const load = m.loadAverageAtStart[0];
  const intro = [
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`,
    `Load average at start: ${m.loadAverageAtStart.join(' / ')}${load > m.cpus / 2 ? ' (busy machine: expect noisy figures)' : ''}`,
    `Our server: dist/, ${r.serverBuild}`,
    `Reference: yaml-language-server ${r.yamlLanguageServer} with schemas/axolotl.schema.json`,
    `Fixtures: ${r.fixtures.map((f) => `${f.name} (${f.lines} lines, ${(f.bytes / 1024).toFixed(1)} KiB)`).join(', ')}`,
  ];
  console.log(`\nFine-Tune Workbench benchmarks\n${intro.join('\n')}`);

  const rows: string[][] = [];
  for (const f of r.fixtures) {
    const target = f.lines > 1000 ? 50 : 5;
    const ours = r.core.find((c) => c.fixture === f.name && c.validator.startsWith(OURS));
    const ref = r.core.find((c) => c.fixture === f.name && c.validator.startsWith('yaml-language-server'));
    const met = ours ? ours.validate.p50 < target : null;
    checks.push({ what: `core validate p50, ${f.name}`, value: ours?.validate.p50 ?? null, target: `< ${target} ms`, met });
    rows.push([
      `core validate (in process)`,
      f.name,
      ms(ours?.validate.p50 ?? NaN),
      ms(ours?.validate.p95 ?? NaN),
      ms(ref?.validate.p50 ?? NaN),
      ms(ref?.validate.p95 ?? NaN),
      fmtRatio(ratio(ours?.validate.p50, ref?.validate.p50)),
      `p50 < ${target} ms`,
      verdict(met),
    ]);
  }
  {
    // The service is shared across fixtures, so only the first fixture's first call is cold (schema compile).
    const f = r.fixtures[0];
    const ours = r.core.find((c) => c.fixture === f.name && c.validator.startsWith(OURS));
    const ref = r.core.find((c) => c.fixture === f.name && c.validator.startsWith('yaml-language-server'));
    rows.push([
      'core first call (cold: schema compile)',
      f.name,
      ms(ours?.firstCallMs ?? NaN),
      '',
      ms(ref?.firstCallMs ?? NaN),
      '',
      fmtRatio(ratio(ours?.firstCallMs, ref?.firstCallMs)),
      '',
      '—',
    ]);
  }
  for (const f of r.fixtures) {
    const floor = r.parseFloor.find((c) => c.fixture === f.name);
    rows.push(['floor: yaml parseDocument alone', f.name, ms(floor?.validate.p50 ?? NaN), ms(floor?.validate.p95 ?? NaN), '', '', '', '', '']);
  }
  const pairs: [string, string, string][] = [
    [OURS, YLS_ZERO, 'didChange→diagnostics, no debounce either side'],
    [OURS, YLS_SHIPPED, 'didChange→diagnostics, ours delay 0 vs yls shipped'],
    [OURS_DEFAULT, YLS_SHIPPED, 'didChange→diagnostics, both shipped (200 ms each)'],
  ];
  for (const [oursName, refName, label] of pairs) {
    for (const f of r.fixtures) {
      const ours = r.roundTrip.find((x) => x.server === oursName && x.fixture === f.name);
      const ref = r.roundTrip.find((x) => x.server === refName && x.fixture === f.name);
      const q = ratio(ours?.roundTrip.p50, ref?.roundTrip.p50);
      const met = q === null ? null : q <= 0.2;
      checks.push({ what: `round trip p50 ${oursName} / ${refName}, ${f.name}`, value: q, target: '≤ 0.2×', met });
      rows.push([
        label,
        f.name,
        ms(ours?.roundTrip.p50 ?? NaN),
        ms(ours?.roundTrip.p95 ?? NaN),
        ms(ref?.roundTrip.p50 ?? NaN),
        ms(ref?.roundTrip.p95 ?? NaN),
        fmtRatio(q),
        '≤ 0.2×',
        verdict(met),
      ]);
    }
  }
  for (const f of r.fixtures) {
    const ours = r.roundTrip.find((x) => x.server === OURS && x.fixture === f.name);
    const ref = r.roundTrip.find((x) => x.server === YLS_SHIPPED && x.fixture === f.name);
    rows.push([
      'didOpen→first diagnostics (cold)',
      f.name,
      ms(ours?.openToFirstDiagnosticsMs ?? NaN),
      '',
      ms(ref?.openToFirstDiagnosticsMs ?? NaN),
      '',
      fmtRatio(ratio(ours?.openToFirstDiagnosticsMs, ref?.openToFirstDiagnosticsMs)),
      '',
      '—',
    ]);
  }
  for (const fixture of [...new Set(r.coldOpen.map((x) => x.fixture))]) {
    const ref = r.coldOpen.find((x) => x.server === YLS_ZERO && x.fixture === fixture);
    for (const [server, label] of [
      [OURS_FIRST_EVER, 'first-ever run, empty code cache'],
      [OURS, 'later process, code cache from an earlier one'],
    ]) {
      const ours = r.coldOpen.find((x) => x.server === server && x.fixture === fixture);
      if (!ours) continue;
      const first = ours.initializeToDiagnostics.p50;
      const firstMet = first <= 100;
      checks.push({ what: `initialize→first diagnostics p50, ${fixture}, ${label}`, value: first, target: '≤ 100 ms', met: firstMet });
      rows.push([
        `initialize→first diagnostics (fresh server, ${ours.runs} runs; ours: ${label})`,
        fixture,
        ms(first),
        ms(ours.initializeToDiagnostics.p95),
        ms(ref?.initializeToDiagnostics.p50 ?? NaN),
        ms(ref?.initializeToDiagnostics.p95 ?? NaN),
        fmtRatio(ratio(first, ref?.initializeToDiagnostics.p50)),
        '≤ 100 ms',
        verdict(firstMet),
      ]);
      const q = ratio(ours.openCpuMeanMs ?? undefined, ref?.openCpuMeanMs ?? undefined);
      const cpuMet = q === null ? null : q <= 0.5;
      checks.push({ what: `server CPU per freshly opened config, ${fixture}, ${label}`, value: q, target: '≤ 0.5×', met: cpuMet });
      rows.push([
        `server CPU, first file in a fresh server (mean; ours: ${label})`,
        fixture,
        ms(ours.openCpuMeanMs ?? NaN),
        '',
        ms(ref?.openCpuMeanMs ?? NaN),
        '',
        fmtRatio(q),
        '≤ 0.5×',
        verdict(cpuMet),
      ]);
      rows.push([
        `  of it the JavaScript thread (the rest: V8's compiler and GC threads; ours: ${label})`,
        fixture,
        ms(ours.openMainThreadCpuMeanMs ?? NaN),
        '',
        ms(ref?.openMainThreadCpuMeanMs ?? NaN),
        '',
        fmtRatio(ratio(ours.openMainThreadCpuMeanMs ?? undefined, ref?.openMainThreadCpuMeanMs ?? undefined)),
        '',
        '—',
      ]);
    }
  }
  const suRef = r.startup.find((s) => s.server === YLS_SHIPPED);
  for (const [server, label] of [
    [OURS, 'later process'],
    [OURS_FIRST_EVER, 'first-ever run'],
  ]) {
    const su = r.startup.find((s) => s.server === server);
    if (!su) continue;
    rows.push([
      `spawn→initialize result (median of ${suRef?.runs ?? 0}; ours: ${label})`,
      '',
      ms(su.initializeMedianMs),
      ms(su.initialize.p95),
      ms(suRef?.initializeMedianMs ?? NaN),
      ms(suRef?.initialize.p95 ?? NaN),
      fmtRatio(ratio(su.initializeMedianMs, suRef?.initializeMedianMs)),
      '',
      '—',
    ]);
  }
  const latencyHeader = ['Measure', 'File', 'Ours p50', 'Ours p95', 'yls p50', 'yls p95', 'Ours/yls', 'Target', 'Met'];
  console.log('\nLatency (ms; "yls" = yaml-language-server, same files, same schema)\n');
  console.log(table(latencyHeader, rows));

  const act = activationMs(r.activation);
  const actMet = act === null ? null : act < 100;
  checks.push({ what: 'extension activation (ms)', value: act, target: '< 100 ms', met: actMet });
  const vsixMet = r.vsix ? r.vsix.bytes < 3_000_000 : null;
  checks.push({ what: '.vsix size (bytes)', value: r.vsix?.bytes ?? null, target: '< 3 MB', met: vsixMet });
  const pkgHeader = ['Measure', 'Value', 'Target', 'Met'];
  const pkgRows = [
    ['.vsix size', r.vsix ? `${(r.vsix.bytes / 1e6).toFixed(2)} MB (${r.vsix.bytes} B)` : 'not built', '< 3 MB', verdict(vsixMet)],
    ['extension activation', act !== null ? `${ms(act)} ms` : r.activation ? JSON.stringify(r.activation) : 'not measured', '< 100 ms', verdict(actMet)],
  ];
  console.log('\nPackage and activation\n');
  console.log(table(pkgHeader, pkgRows));

  const diagLines = r.roundTrip.map(
    (x) =>
      `${x.server}, ${x.fixture}: ${x.diagnostics} diagnostics (${x.schemaDiagnostics} schema)` +
      (x.unexpectedPublishes ? `, ${x.unexpectedPublishes} extra publishes` : ''),
  );
  const markdown = [
    ...intro.map((l) => `${l}  `),
    '',
    markdownTable(latencyHeader, rows),
    '',
    markdownTable(pkgHeader, pkgRows),
    '',
    'Diagnostics on the last version of each file:',
    '',
    ...diagLines.map((l) => `- ${l}`),
    ...r.skipped.map((l) => `- Skipped: ${l}`),
    ...r.problems.map((l) => `- PROBLEM: ${l}`),
    '',
  ].join('\n');

  console.log('\nDiagnostics on the last version of each file (see plantedMistakes in results.json)');
  for (const l of diagLines) console.log(`  ${l}`);
  for (const s of r.skipped) console.log(`Skipped: ${s}`);
  for (const p of r.problems) console.log(`PROBLEM: ${p}`);
  return { checks, markdown };
}
