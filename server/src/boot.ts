/**
 * Entry of dist/server.js: the language server the VS Code client starts (IPC) and other editors run (--stdio).
 * It loads the server itself (dist/server-main.js, server/src/main.ts) through the code cache (codeCache.ts), so that
 * a fresh process skips compiling what an earlier one already compiled on this runtime.
 */
import { join } from 'node:path';
import { CodeCache, codeCacheDir, requireCompiled, setActiveCodeCache } from './codeCache';

const dir = codeCacheDir();
if (dir) setActiveCodeCache(new CodeCache(dir));
requireCompiled(join(__dirname, 'server-main.js'));
