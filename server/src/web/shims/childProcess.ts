// node:child_process in the web worker: nothing can be run in a browser (nvidia-smi, launching, the HF cache are
// desktop-only). Callers get the error a missing program gives, asynchronously, as from Node.
type Callback = (error: Error, stdout: string, stderr: string) => void;

export function execFile(file: string, ...rest: unknown[]): void {
  const callback = rest.find((r): r is Callback => typeof r === 'function');
  const error = Object.assign(new Error(`${file}: programs cannot run in the browser (desktop only)`), { code: 'ENOENT' });
  if (callback) setTimeout(() => callback(error, '', ''), 0);
}
export function spawn(file: string): never {
  throw Object.assign(new Error(`${file}: programs cannot run in the browser (desktop only)`), { code: 'ENOENT' });
}
export const spawnSync = spawn;
export default { execFile, spawn, spawnSync };
