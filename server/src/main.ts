/** Entry of dist/server.js: the language server the VS Code client starts (IPC) and other editors run (--stdio). */
import { startServer } from './server';

startServer();
