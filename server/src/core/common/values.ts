/** Coercions of config values every feature reads the way the tools read them (numbers written as strings, `auto`). */

export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export function isAuto(v: unknown): boolean {
  return typeof v === 'string' && v.trim().toLowerCase() === 'auto';
}
