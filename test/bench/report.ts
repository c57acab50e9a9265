// Prints the benchmark tables and returns the target checks (targets are shown next to figures, never enforced).
import type { Results } from './run';
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

export function printReport(r: Results): Check[] {
  const checks: Check[] = [];
  const m = r.machine;
  console.log(`\nFine-Tune Workbench benchmarks — ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);
  const load = m.loadAverageAtStart[0];
  console.log(`Load average at start: ${m.loadAverageAtStart.join(' / ')}${load > m.cpus / 2 ? '  (busy machine: expect noisy figures)' : ''}`);
  console.log(`Reference: yaml-language-server ${r.yamlLanguageServer} with schemas/axolotl.schema.json`);
  console.log(`Fixtures: ${r.fixtures.map((f) => `${f.name} (${f.lines} lines, ${(f.bytes / 1024).toFixed(1)} KiB)`).join(', ')}`);

  const rows: string[][] = [];
  for (const f of r.fixtures) {
    const target = f.lines > 1000 ? 50 : 5;
    const ours = r.core.find((c) => c.fixture === f.name && c.validator.startsWith(OURS));
    const ref = r.core.find((c) => c.fixture === f.name && c.validator.startsWith('yaml-language-server'));
    const met = ours ? ours.validate.p50 < target : null;
    checks.push({ what: `core validate p50, ${f.name}`, value: ours?.validate.p50 ?? null, target: `< ${target} ms`, met });
    rows.push([
      `core validate (in process)`, f.name,
      ms(ours?.validate.p50 ?? NaN), ms(ours?.validate.p95 ?? NaN), ms(ref?.validate.p50 ?? NaN), ms(ref?.validate.p95 ?? NaN),
      fmtRatio(ratio(ours?.validate.p50, ref?.validate.p50)), `p50 < ${target} ms`, verdict(met),
    ]);
  }
  for (const f of r.fixtures) {
    const floor = r.parseFloor.find((c) => c.fixture === f.name);
    rows.push([
      'floor: yaml parseDocument alone', f.name, ms(floor?.validate.p50 ?? NaN), ms(floor?.validate.p95 ?? NaN), '', '', '', '', '',
    ]);
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
        label, f.name,
        ms(ours?.roundTrip.p50 ?? NaN), ms(ours?.roundTrip.p95 ?? NaN), ms(ref?.roundTrip.p50 ?? NaN), ms(ref?.roundTrip.p95 ?? NaN),
        fmtRatio(q), '≤ 0.2×', verdict(met),
      ]);
    }
  }
  for (const f of r.fixtures) {
    const ours = r.roundTrip.find((x) => x.server === OURS && x.fixture === f.name);
    const ref = r.roundTrip.find((x) => x.server === YLS_SHIPPED && x.fixture === f.name);
    rows.push([
      'didOpen→first diagnostics (cold)', f.name, ms(ours?.openToFirstDiagnosticsMs ?? NaN), '', ms(ref?.openToFirstDiagnosticsMs ?? NaN), '',
      fmtRatio(ratio(ours?.openToFirstDiagnosticsMs, ref?.openToFirstDiagnosticsMs)), '', '—',
    ]);
  }
  const su = r.startup.find((s) => s.server === OURS);
  const suRef = r.startup.find((s) => s.server === YLS_SHIPPED);
  rows.push([
    `spawn→initialize result (median of ${suRef?.runs ?? 0})`, '', ms(su?.initializeMedianMs ?? NaN), ms(su?.initialize.p95 ?? NaN),
    ms(suRef?.initializeMedianMs ?? NaN), ms(suRef?.initialize.p95 ?? NaN), fmtRatio(ratio(su?.initializeMedianMs, suRef?.initializeMedianMs)), '', '—',
  ]);
  console.log('\nLatency (ms; "yls" = yaml-language-server, same files, same schema)\n');
  console.log(table(['Measure', 'File', 'Ours p50', 'Ours p95', 'yls p50', 'yls p95', 'Ours/yls', 'Target', 'Met'], rows));

  const act = activationMs(r.activation);
  checks.push({ what: 'extension activation', value: act, target: '< 100 ms', met: act === null ? null : act < 100 });
  const vsixMiB = r.vsix ? r.vsix.bytes / 2 ** 20 : null;
  checks.push({ what: '.vsix size (MiB)', value: vsixMiB, target: '< 3 MB', met: r.vsix ? r.vsix.bytes < 3_000_000 : null });
  console.log('\nPackage and activation\n');
  console.log(
    table(['Measure', 'Value', 'Target', 'Met'], [
      ['.vsix size', r.vsix ? `${(r.vsix.bytes / 1e6).toFixed(2)} MB (${r.vsix.bytes} B)` : 'not built', '< 3 MB', verdict(checks[checks.length - 1].met)],
      ['extension activation', act !== null ? `${ms(act)} ms` : r.activation ? JSON.stringify(r.activation) : 'not measured', '< 100 ms', verdict(checks[checks.length - 2].met)],
    ]),
  );

  console.log('\nDiagnostics on the last version of each file (planted: ' + r.fixtures[0].plantedMistakes.length + ' mistakes)');
  for (const x of r.roundTrip) {
    console.log(`  ${x.server.padEnd(36)} ${x.fixture.padEnd(13)} ${String(x.diagnostics).padStart(3)} diagnostics (${x.schemaDiagnostics} schema)` +
      (x.unexpectedPublishes ? `, ${x.unexpectedPublishes} extra publishes` : ''));
  }
  for (const s of r.skipped) console.log(`Skipped: ${s}`);
  for (const p of r.problems) console.log(`PROBLEM: ${p}`);
  return checks;
}
