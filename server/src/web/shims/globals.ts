// Node globals the bundled server modules touch, for the web worker (esbuild's `inject`, client/build.mjs): an empty
// environment (no HF_HOME, no FTW_NVIDIA_SMI), no memory figures, and setImmediate as a zero timeout.
export const process = {
  env: {} as Record<string, string | undefined>,
  platform: 'browser',
  versions: {} as Record<string, string>,
  cwd: (): string => '/',
  memoryUsage: (): { heapUsed: number; rss: number } => ({ heapUsed: 0, rss: 0 }),
};
export const setImmediate = (fn: (...args: unknown[]) => void): ReturnType<typeof setTimeout> => setTimeout(fn, 0);
