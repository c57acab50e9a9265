// node:url in the web worker: the two conversions between POSIX paths and file: URLs.
export function pathToFileURL(path: string): URL {
  return new URL(`file://${path.split('/').map(encodeURIComponent).join('/')}`);
}
export function fileURLToPath(url: string | URL): string {
  return decodeURIComponent(new URL(String(url)).pathname);
}
export default { pathToFileURL, fileURLToPath };
