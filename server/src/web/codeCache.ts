/**
 * The web build's stand-in for codeCache.ts (swapped in by client/build.mjs): a web worker keeps no V8 code cache
 * of ours (the browser caches compiled scripts itself), so there is never an active one.
 */
export function activeCodeCache(): undefined {
  return undefined;
}
