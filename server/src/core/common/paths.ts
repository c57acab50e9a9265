/**
 * File paths for the core, without `node:path`, so the core also runs in a browser's web worker (vscode.dev).
 *
 * The functions the core uses (basename, dirname, extname, join, relative, resolve, isAbsolute), with node:path's
 * results on ordinary paths, in two styles: POSIX, and win32 (drive letters, UNC shares, `\` and `/` both separators,
 * case-insensitive `relative`), which is what node:path is on Windows. The style is POSIX unless the host says
 * otherwise: the Node server and CLI call `setPathStyle('win32')` on Windows (server/src/main.ts, cli/main.ts), where the
 * paths come from `file:` URIs as `c:\...`. One difference from node:path: nothing here knows a current directory,
 * so `resolve` of relative paths only gives a normalized relative path (the core resolves against a config's folder,
 * which is absolute). test/unit/paths.test.ts checks both styles against node:path.posix and node:path.win32.
 */

export type PathStyle = 'posix' | 'win32';

let style: PathStyle = 'posix';

/** The path style of the host's file system: 'win32' on Windows, 'posix' everywhere else (the default). */
export function setPathStyle(next: PathStyle): void {
  style = next;
}

export function pathStyle(): PathStyle {
  return style;
}

const SEPARATORS = { posix: /\/+/, win32: /[\\/]+/ } as const;
const SEP = { posix: '/', win32: '\\' } as const;

function isSep(c: string | undefined, s: PathStyle): boolean {
  return c === '/' || (s === 'win32' && c === '\\');
}

/** The root of a path ('' when relative) and the rest. win32 roots: `C:\`, `C:` (drive-relative), `\`, `\\server\share\`. */
function splitRoot(p: string, s: PathStyle): [string, string] {
  if (s === 'posix') return p.startsWith('/') ? ['/', p.slice(1)] : ['', p];
  const unc = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)(?:[\\/]+|$)/.exec(p);
  if (unc) return [`\\\\${unc[1]}\\${unc[2]}\\`, p.slice(unc[0].length)];
  const drive = /^([A-Za-z]:)([\\/]+)?/.exec(p);
  if (drive) return [drive[2] ? `${drive[1]}\\` : drive[1], p.slice(drive[0].length)];
  const rooted = /^[\\/]+/.exec(p);
  if (rooted) return ['\\', p.slice(rooted[0].length)];
  return ['', p];
}

/** A root that names a whole location: `/`, `C:\` or a UNC share (not `\` alone, nor `C:`). */
function isFullRoot(root: string, s: PathStyle): boolean {
  return s === 'posix' ? root === '/' : root.length > 2 && root !== '\\';
}

/** `.` and `..` resolved; `..` above an absolute root is dropped, above a relative path kept. */
function normalParts(rest: string, s: PathStyle, rooted: boolean): string[] {
  const out: string[] = [];
  for (const part of rest.split(SEPARATORS[s])) {
    if (!part || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  return out;
}

function normalize(p: string, s: PathStyle, keepTrailing: boolean): string {
  const [root, rest] = splitRoot(p, s);
  const parts = normalParts(rest, s, root !== '' && !/^[A-Za-z]:$/.test(root));
  let body = parts.join(SEP[s]);
  if (keepTrailing && body && isSep(p[p.length - 1], s)) body += SEP[s];
  if (!root) return body || (keepTrailing && isSep(p[p.length - 1], s) ? `.${SEP[s]}` : '.');
  return root + body;
}

function joinIn(s: PathStyle, parts: string[]): string {
  const given = parts.filter((p) => p.length > 0);
  return given.length ? normalize(given.join(SEP[s]), s, true) : '.';
}

function resolveIn(s: PathStyle, parts: string[]): string {
  let acc = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    if (!p) continue;
    acc = acc ? `${p}${SEP[s]}${acc}` : p;
    const [root] = splitRoot(acc, s);
    if (isFullRoot(root, s)) break;
    if (s === 'win32' && root === '\\') {
      // `\x` after `C:\a`: the drive of the nearest path to its left that has one.
      for (let j = i - 1; j >= 0; j--) {
        const drive = /^[A-Za-z]:/.exec(parts[j]);
        if (drive) {
          acc = drive[0] + acc;
          break;
        }
      }
      break;
    }
  }
  return acc ? normalize(acc, s, false) : '.';
}

/** The path without trailing separators (a root keeps its own). */
function trimTrailing(rest: string, s: PathStyle): string {
  let end = rest.length;
  while (end > 0 && isSep(rest[end - 1], s)) end--;
  return rest.slice(0, end);
}

function dirnameIn(s: PathStyle, p: string): string {
  const rest = splitRoot(p, s)[1];
  const root = p.slice(0, p.length - rest.length); // as written (node:path keeps `C:/`)
  const trimmed = trimTrailing(rest, s);
  let i = trimmed.length - 1;
  while (i >= 0 && !isSep(trimmed[i], s)) i--;
  if (i < 0) return root || '.';
  return root + trimmed.slice(0, i);
}

function basenameIn(s: PathStyle, p: string, ext?: string): string {
  // Only a drive is not part of the name (node:path's basename of `\\server\share` is 'share').
  const rest = trimTrailing(s === 'win32' ? p.replace(/^[A-Za-z]:/, '') : p, s);
  let i = rest.length - 1;
  while (i >= 0 && !isSep(rest[i], s)) i--;
  const base = rest.slice(i + 1);
  return ext && base !== ext && base.endsWith(ext) ? base.slice(0, base.length - ext.length) : base;
}

function extnameIn(s: PathStyle, p: string): string {
  const base = basenameIn(s, p);
  const dot = base.lastIndexOf('.');
  // A name that is only dots, or starts with its only dot (`.bashrc`), has no extension.
  if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return '';
  return base.slice(dot);
}

function relativeIn(s: PathStyle, from: string, to: string): string {
  const a = resolveIn(s, [from]);
  const b = resolveIn(s, [to]);
  const fold = (x: string) => (s === 'win32' ? x.toLowerCase() : x);
  const [rootA, restA] = splitRoot(a, s);
  const [rootB, restB] = splitRoot(b, s);
  if (fold(rootA) !== fold(rootB)) return b;
  const partsA = restA.split(SEPARATORS[s]).filter(Boolean);
  const partsB = restB.split(SEPARATORS[s]).filter(Boolean);
  let common = 0;
  while (common < partsA.length && common < partsB.length && fold(partsA[common]) === fold(partsB[common])) common++;
  return [...partsA.slice(common).map(() => '..'), ...partsB.slice(common)].join(SEP[s]);
}

function isAbsoluteIn(s: PathStyle, p: string): boolean {
  return s === 'posix' ? p.startsWith('/') : /^(?:[\\/]|[A-Za-z]:[\\/])/.test(p);
}

/** One style's functions, for tests and for code that must use a given style whatever the host's. */
export interface PathFunctions {
  sep: string;
  basename(p: string, ext?: string): string;
  dirname(p: string): string;
  extname(p: string): string;
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
  relative(from: string, to: string): string;
  isAbsolute(p: string): boolean;
}

function functionsOf(s: PathStyle): PathFunctions {
  return {
    sep: SEP[s],
    basename: (p, ext) => basenameIn(s, p, ext),
    dirname: (p) => dirnameIn(s, p),
    extname: (p) => extnameIn(s, p),
    join: (...parts) => joinIn(s, parts),
    resolve: (...parts) => resolveIn(s, parts),
    relative: (from, to) => relativeIn(s, from, to),
    isAbsolute: (p) => isAbsoluteIn(s, p),
  };
}

export const posixPaths: PathFunctions = functionsOf('posix');
export const win32Paths: PathFunctions = functionsOf('win32');

// The host's style (setPathStyle), as node:path's functions are the platform's.
export const basename = (p: string, ext?: string): string => basenameIn(style, p, ext);
export const dirname = (p: string): string => dirnameIn(style, p);
export const extname = (p: string): string => extnameIn(style, p);
export const join = (...parts: string[]): string => joinIn(style, parts);
export const resolve = (...parts: string[]): string => resolveIn(style, parts);
export const relative = (from: string, to: string): string => relativeIn(style, from, to);
export const isAbsolute = (p: string): boolean => isAbsoluteIn(style, p);
/** A relative path with `/` between its parts, whatever the host's separator (for values written into configs). */
export const withSlashes = (p: string): string => (style === 'win32' ? p.replace(/\\/g, '/') : p);
