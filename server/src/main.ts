/** The language server, bundled as dist/server-main.js; dist/server.js (boot.ts) loads it. */
import { startServer } from './server';

startServer();
