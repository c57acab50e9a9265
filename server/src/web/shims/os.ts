// node:os in the web worker: no home folder (so no Hugging Face cache), one core.
export const homedir = (): string => '/';
export const tmpdir = (): string => '/tmp';
export const availableParallelism = (): number => 1;
export const platform = (): string => 'browser';
export default { homedir, tmpdir, availableParallelism, platform };
