/** The language server, bundled as dist/server-main.js; dist/server.js (boot.ts) loads it. */
import { setPathStyle } from './core/common/paths';
import { startServer } from './server';

// The core's paths follow this machine's, as node:path does (win32 on Windows, where URIs give `c:\\...`).
setPathStyle(process.platform === 'win32' ? 'win32' : 'posix');
startServer();
