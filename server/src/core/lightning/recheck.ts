import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-types';
import { fixesOf } from '../common/diagnostics';
import type { ToolVersion } from '../common/versions';
import { detectStatement, kindsOf, RANKED_PHASES, type ClassFact, type ClassKind, type DetectContext, type DetectFacts, type LightningFinding } from './detect';
import { importsOf, type ImportTarget } from './imports';
import type { PythonChange } from './incremental';
import type { Node, Tree } from './python';

// A re-check after an edit confined to one top-level statement: that statement is detected again with what the
// rest of the file contributes (imports, class kinds and ranks, Trainer variables), and its diagnostics take the
// place of its old ones; the other statements' move with the text after the edit. Whenever the edit could change
// what another statement reports (an import, a class another derives from, a Trainer variable, a splatted dict,
// a fix that edits other statements), the whole file is checked again.

/** A diagnostic of the last check, with where it sorts and which top-level statement its node is in. */
interface Kept {
  phase: number;
  unit: number;
  statement: number;
  diagnostic: Diagnostic;
  /** Its fix edits outside its statement. */
  foreign?: Range[];
}

interface Statement {
  start: number;
  end: number;
  startPos: Position;
  endPos: Position;
  imports: boolean;
  classes: ClassFact[];
  trainers: string[];
  splats: string[];
  splatAssignments: boolean;
  fits: boolean;
}

/** What a check found, kept to start the next one from. */
export interface CheckState {
  text: string;
  context: { parser: unknown; path: string; files: unknown; version: string; source: string };
  statements: Statement[];
  /** The Lightning classes in rank order: name, kind, the statement and the index among its classes. */
  kinds: Array<{ name: string; kind: ClassKind; statement: number; at: number }>;
  /** The file's imports, without their nodes (those of a tree since deleted). */
  imports: Map<string, ImportTarget>;
  trainerVars: Set<string>;
  splatNames: Set<string>;
  kept: Kept[];
  diagnostics: Diagnostic[];
  /**
   * The next check has to be a full one: a base class came from a sibling module (whose text may change
   * without this file's), or a node lies outside every top-level statement.
   */
  whole: boolean;
  /** A finding has a fix built from the whole file (Tuner), or one that edits `.fit()` calls (resume). */
  tuner: boolean;
  resume: boolean;
}

export type Diagnose = (f: LightningFinding) => Diagnostic;

interface Context extends DetectContext {
  version: ToolVersion;
}

/** How often a check after an edit re-checked one statement, and how often the whole file (tests, benchmark). */
export const recheckCounts = { statement: 0, whole: 0 };

/** Rank-ordered phases (see detect.ts): their unit is a class's rank, not an offset. */
const RANKED = RANKED_PHASES;

function contextOf(ctx: Context): CheckState['context'] {
  return { parser: ctx.parser, path: ctx.path, files: ctx.files, version: ctx.version.version, source: ctx.version.source };
}

/** Whether a state was made under the same settings (its diagnostics would be the same for the same text). */
export function sameContext(state: CheckState, ctx: Context): boolean {
  const a = state.context;
  const b = contextOf(ctx);
  return a.parser === b.parser && a.path === b.path && a.files === b.files && a.version === b.version && a.source === b.source;
}

/** The index of the statement containing `offset` (the last one starting at or before it). */
function statementAt(statements: Array<{ start: number }>, offset: number): number {
  let lo = 0;
  let hi = statements.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (statements[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function outside(range: Range, start: Position, end: Position): boolean {
  return before(range.start, start) || before(end, range.end);
}

/** The fix edits of a diagnostic that lie outside [start, end]. */
function foreignEdits(d: Diagnostic, start: Position, end: Position): Range[] | undefined {
  const out = fixesOf(d).flatMap((f) => f.edits.filter((e) => outside(e.range, start, end)).map((e) => e.range));
  return out.length ? out : undefined;
}

function keptOf(f: LightningFinding, statement: number, diagnostic: Diagnostic, s: Statement): Kept {
  return { phase: f.phase!, unit: f.unit!, statement, diagnostic, foreign: foreignEdits(diagnostic, s.startPos, s.endPos) };
}

/** The state of a full check: its findings with their diagnostics, and the facts of each top-level statement. */
export function checkState(
  textDocument: TextDocument,
  tree: Tree,
  findings: LightningFinding[],
  diagnostics: Diagnostic[],
  facts: DetectFacts,
  ctx: Context,
): CheckState {
  const statements: Statement[] = tree.rootNode.namedChildren
    .filter((n): n is Node => n !== null)
    .map((n) => ({
      start: n.startIndex,
      end: n.endIndex,
      startPos: textDocument.positionAt(n.startIndex),
      endPos: textDocument.positionAt(n.endIndex),
      imports: false,
      classes: [],
      trainers: [],
      splats: [],
      splatAssignments: false,
      fits: false,
    }));
  let whole = facts.siblings;
  const at = (offset: number): Statement => {
    const s = statements[statementAt(statements, offset)];
    if (s && offset < s.end) return s;
    whole = true;
    return {
      start: offset,
      end: offset,
      startPos: { line: 0, character: 0 },
      endPos: { line: 0, character: 0 },
      imports: false,
      classes: [],
      trainers: [],
      splats: [],
      splatAssignments: false,
      fits: false,
    };
  };
  for (const offset of facts.imports) at(offset).imports = true;
  for (const c of facts.classes) at(c.start).classes.push(c);
  for (const t of facts.trainers) {
    const s = at(t.start);
    if (t.name) s.trainers.push(t.name);
    s.splats.push(...t.splats);
  }
  for (const offset of facts.splatAssignments) at(offset).splatAssignments = true;
  for (const offset of facts.fits) at(offset).fits = true;
  const statementOfClass = facts.classes.map((c) => statementAt(statements, c.start));
  const ordinal = facts.classes.map((c, i) => statements[statementOfClass[i]].classes.indexOf(c));
  const kept = findings.map((f, i) => {
    const s = statementAt(statements, f.node.startIndex);
    if (!statements[s] || f.node.startIndex >= statements[s].end) whole = true;
    return keptOf(f, s, diagnostics[i], statements[s] ?? at(f.node.startIndex));
  });
  return {
    text: textDocument.getText(),
    context: contextOf(ctx),
    statements,
    kinds: facts.kinds.map(({ name, kind, at: i }) => ({ name, kind, statement: statementOfClass[i], at: ordinal[i] })),
    imports: new Map([...facts.bindings].map(([name, b]) => [name, { target: b.target, lightning: b.lightning, module: b.module }])),
    trainerVars: new Set(facts.trainers.flatMap((t) => (t.name ? [t.name] : []))),
    splatNames: new Set(facts.trainers.flatMap((t) => t.splats)),
    kept,
    diagnostics,
    whole,
    tuner: findings.some((f) => f.rule.fix.kind === 'tuner'),
    resume: findings.some((f) => f.rule.fix.kind === 'resumeFromCheckpoint'),
  };
}

/**
 * The state after `change`, when the edit lies inside one top-level statement and nothing another statement
 * reads of it changed; undefined when the whole file has to be checked.
 */
export function recheck(
  state: CheckState,
  tree: Tree,
  change: PythonChange,
  textDocument: TextDocument,
  ctx: Context,
  diagnose: Diagnose,
): CheckState | undefined {
  const next = recheckStatement(state, tree, change, textDocument, ctx, diagnose);
  if (next) recheckCounts.statement++;
  else recheckCounts.whole++;
  return next;
}

function recheckStatement(
  state: CheckState,
  tree: Tree,
  change: PythonChange,
  textDocument: TextDocument,
  ctx: Context,
  diagnose: Diagnose,
): CheckState | undefined {
  if (!sameContext(state, ctx) || state.whole || state.tuner) return undefined;
  const { statements } = state;
  const i = statementAt(statements, change.start);
  const old = statements[i];
  if (!old || change.oldEnd > old.end) return undefined;
  const delta = change.newEnd - change.oldEnd;
  const start = old.start;
  const end = old.end + delta;
  // The statements around it are those of the last check, moved; the syntax changed inside it only.
  const root = tree.rootNode;
  if (root.namedChildCount !== statements.length) return undefined;
  const node = root.namedChild(i);
  if (!node || node.startIndex !== start || node.endIndex !== end) return undefined;
  const previous = statements[i - 1];
  const next = statements[i + 1];
  if (previous && (root.namedChild(i - 1)?.endIndex !== previous.end || previous.endPos.line === old.startPos.line)) return undefined;
  if (next && (root.namedChild(i + 1)?.startIndex !== next.start + delta || next.startPos.line === old.endPos.line)) return undefined;
  if (change.ranges.some((r) => r.startIndex < start || r.endIndex > end)) return undefined;
  // What other statements read of this one.
  if (old.imports || old.splats.length || old.splatAssignments || (old.fits && state.resume) || importsOf(node).length) return undefined;
  if (state.kept.some((k) => k.statement !== i && k.foreign?.some((r) => !(before(r.end, old.startPos) || before(old.endPos, r.start))))) return undefined;

  const found = detectStatement(tree, ctx, {
    statement: node,
    imports: state.imports,
    splatNames: state.splatNames,
    kinds: (facts, sibling) => {
      const all: ClassFact[] = [];
      const where: Array<[number, number]> = [];
      statements.forEach((s, j) => {
        const classes = j === i ? facts : s.classes;
        classes.forEach((c, at) => {
          all.push(c);
          where.push([j, at]);
        });
      });
      let siblings = false;
      const kinds = kindsOf(all, (name) => {
        if (sibling(name)) siblings = true;
        return undefined;
      });
      if (siblings || kinds.size !== state.kinds.length) return undefined;
      const out = new Map<string, { kind: ClassKind; rank: number; at?: number }>();
      let rank = 0;
      for (const [name, { kind, at }] of kinds) {
        const was = state.kinds[rank];
        const [j, ordinal] = where[at];
        if (was.name !== name || was.kind !== kind || was.statement !== j || was.at !== ordinal) return undefined;
        out.set(name, { kind, rank, at: j === i ? ordinal : undefined });
        rank++;
      }
      return out;
    },
    trainerVars: (names) => {
      const vars = new Set(names);
      statements.forEach((s, j) => {
        if (j !== i) for (const n of s.trainers) vars.add(n);
      });
      return vars.size === state.trainerVars.size && [...vars].every((v) => state.trainerVars.has(v)) ? state.trainerVars : undefined;
    },
  });
  if (!found) return undefined;
  const { findings, facts } = found;
  if (findings.some((f) => f.rule.fix.kind === 'tuner' || f.rule.fix.kind === 'resumeFromCheckpoint') || (facts.fits.length && state.resume)) return undefined;

  const startPos = old.startPos;
  const endPos = textDocument.positionAt(end);
  const statement: Statement = {
    start,
    end,
    startPos,
    endPos,
    imports: false,
    classes: facts.classes,
    trainers: facts.trainers.flatMap((t) => (t.name ? [t.name] : [])),
    splats: [],
    splatAssignments: false,
    fits: facts.fits.length > 0,
  };
  const fresh: Kept[] = [];
  for (const f of findings) {
    const k = keptOf(f, i, diagnose(f), statement);
    if (k.foreign || outside(k.diagnostic.range, startPos, endPos)) return undefined;
    fresh.push(k);
  }

  // Everything after the statement moves with the text.
  const lines = endPos.line - old.endPos.line;
  const move = (p: Position): Position => {
    if (p.line > old.endPos.line) return lines ? { line: p.line + lines, character: p.character } : p;
    if (p.line === old.endPos.line && p.character >= old.endPos.character)
      return { line: endPos.line, character: endPos.character + p.character - old.endPos.character };
    return p;
  };
  const moveRange = (r: Range): Range => {
    const s = move(r.start);
    const e = move(r.end);
    return s === r.start && e === r.end ? r : { start: s, end: e };
  };
  // Diagnostics after the statement are copied with their new positions when lines were added or removed (or
  // when a fix reaches past the statement); the rest are the same objects. The last state is not used again:
  // its entries are updated in place.
  const moves = (r: Range) => move(r.start) !== r.start || move(r.end) !== r.end;
  const moved = (k: Kept): Kept => {
    if (k.statement > i && !RANKED.has(k.phase) && k.phase !== 1) k.unit += delta;
    if ((k.statement < i || !lines) && !k.foreign) return k;
    const d = k.diagnostic;
    const fixes = fixesOf(d);
    if (!moves(d.range) && !fixes.some((f) => f.edits.some((e) => moves(e.range)))) return k;
    const diagnostic: Diagnostic = { ...d, range: moveRange(d.range) };
    if (fixes.length)
      diagnostic.data = { ...(d.data as object), fixes: fixes.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, range: moveRange(e.range) })) })) };
    k.diagnostic = diagnostic;
    k.foreign = k.foreign?.map(moveRange);
    return k;
  };
  // Both lists are in (phase, unit) order; no two entries of them share a unit.
  const kept: Kept[] = [];
  let n = 0;
  for (const k of state.kept) {
    if (k.statement === i) continue;
    const m = moved(k);
    while (n < fresh.length && (fresh[n].phase < m.phase || (fresh[n].phase === m.phase && fresh[n].unit < m.unit))) kept.push(fresh[n++]);
    kept.push(m);
  }
  while (n < fresh.length) kept.push(fresh[n++]);
  statements[i] = statement;
  for (let j = i + 1; j < statements.length; j++) {
    const s = statements[j];
    s.start += delta;
    s.end += delta;
    if (lines) {
      s.startPos = move(s.startPos);
      s.endPos = move(s.endPos);
    }
  }

  return {
    ...state,
    text: textDocument.getText(),
    kept,
    diagnostics: kept.map((k) => k.diagnostic),
  };
}
