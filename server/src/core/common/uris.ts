/** Paths of document URIs, and back: the core works on paths, the protocol on URIs. */
import { resolve } from './paths';

/** The path of a document's URI: a file's path, or the path of another scheme's URI (the authority left out). */
export function pathOfUri(uri: string): string {
  if (uri.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(uri).pathname);
    } catch {
      return uri.slice('file://'.length);
    }
  }
  // Another scheme, as in a browser (vscode-remote://host:port/…, vscode-vfs://github/owner/repo/…): its path without
  // the authority. Kept, "//host:port/dir" would become "/host:port/dir" once path.resolve normalises it, and a
  // relative name (`deepspeed: ../ds.json`) would never match the open document it names.
  try {
    const url = new URL(uri);
    if (url.host) return decodeURIComponent(url.pathname);
  } catch {
    /* as written, below */
  }
  return uri.replace(/^[a-z][\w+.-]*:/i, '');
}

/**
 * The inverse of pathOfUri: the URI of a path, in the file system of a base URI (a workspace folder, an open
 * document); its segments are percent-encoded. The core's paths are
 * pathOfUri's: a file: URI's path decoded, any other URI's path without its scheme and authority
 * (`vscode-vfs://github/owner/repo/x.yml` is `/owner/repo/x.yml`). The base whose own path holds the path, the
 * deepest first, gives the scheme and authority; a path under none of them goes to the first base (a browser's
 * workspace is one file system). Undefined without a base.
 */
export function uriOfPath(path: string, bases: readonly string[]): string | undefined {
  const target = resolve(path);
  let best: { depth: number; uri: string } | undefined;
  for (const base of bases) {
    const m = /^([a-z][\w+.-]*):(?:\/\/([^/?#]*))?/i.exec(base);
    if (!m) continue;
    const [, scheme, authority] = m;
    const own = resolve(pathOfUri(base));
    const depth = target === own || target.startsWith(own.endsWith('/') ? own : `${own}/`) ? own.length + 1 : 0;
    if (best && best.depth >= depth) continue;
    const encoded = target.split('/').map(encodeURIComponent).join('/');
    const uri = scheme.toLowerCase() === 'file' ? `file://${encoded}` : authority !== undefined ? `${scheme}://${authority}${encoded}` : `${scheme}:${encoded}`;
    best = { depth, uri };
  }
  return best?.uri;
}
