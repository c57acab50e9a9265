// node:fs in the web worker: there is no file system, so every file is missing (the server then works from the open
// documents alone, as it does for a file it cannot read on the desktop). Only what the bundled modules call.
function missing(path: unknown): Error {
  return Object.assign(new Error(`ENOENT: no file system in the browser, '${String(path)}'`), { code: 'ENOENT' });
}

export const constants = { O_RDONLY: 0, O_WRONLY: 1, O_NONBLOCK: 0, O_NOCTTY: 0 };
export const existsSync = (): boolean => false;
const fail = (path: unknown): never => {
  throw missing(path);
};
export const openSync = fail;
export const statSync = fail;
export const fstatSync = fail;
export const readdirSync = fail;
export const readFileSync = fail;
export const realpathSync = fail;
export const readSync = fail;
export const writeSync = fail;
export const ftruncateSync = fail;
export const closeSync = (): void => undefined;
export const promises = { readFile: (path: unknown): Promise<never> => Promise.reject(missing(path)) };
export default {
  constants,
  existsSync,
  openSync,
  statSync,
  fstatSync,
  readdirSync,
  readFileSync,
  realpathSync,
  readSync,
  writeSync,
  ftruncateSync,
  closeSync,
  promises,
};
