/** "Did you mean" for keys and values: optimal string alignment distance on a normalised spelling. */

function normalise(s: string): string {
  return s.toLowerCase().replace(/[-\s]/g, '_');
}

/** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters counts as one edit. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prevPrev = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const cur = new Array<number>(cols);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[cols - 1];
}

/** The candidates close enough to be a likely typo of `word`, closest first (at most `max`). */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = normalise(word);
  const limit = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    // Normalising keeps the length, so most candidates are ruled out before any string is built.
    const lengthGap = c.length - w.length;
    if (lengthGap < -limit || (lengthGap > limit && !(w.length >= 4 && c.includes(w)))) continue;
    const n = normalise(c);
    if (n === w) {
      scored.push([c, 0]);
      continue;
    }
    const d = editDistance(w, n, limit);
    if (d <= limit) scored.push([c, d]);
    else if (w.length >= 4 && (n.startsWith(w) || (n.includes(w) && w.length >= 6))) scored.push([c, limit + 0.5]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].length - y[0].length || x[0].localeCompare(y[0]));
  return scored.slice(0, max).map(([c]) => c);
}

/** All values ordered by closeness to `word` (for one quick fix per allowed value, closest first). */
export function byCloseness(word: string, values: string[]): string[] {
  const w = normalise(word);
  return values
    .map((v, i) => [v, editDistance(w, normalise(v)), i] as const)
    .sort((x, y) => x[1] - y[1] || x[2] - y[2])
    .map(([v]) => v);
}
