/**
 * Entry of dist/web/server.js: the language server in a browser's web worker (vscode.dev, github.dev), started by
 * the web client (client/src/web/extension.ts). The same server.ts as the desktop; client/build.mjs bundles it for
 * the browser with web/schemaFiles.ts and web/pythonParser.ts in place of the files they replace, and web/shims/
 * in place of Node's built-ins: nothing can be run, and no file read but the open documents and what the client
 * reads for the worker (`finetune/readFiles`, web/clientFiles.ts).
 */
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from 'vscode-languageserver/browser';
import { startServer } from '../server';

// The worker's global scope is the port; the DOM's worker types are not in the server's lib, hence `never`.
const scope = globalThis as never;
// No disk: the files a config names are asked of the client (web/clientFiles.ts).
startServer(createConnection(new BrowserMessageReader(scope), new BrowserMessageWriter(scope)), { filesFromClient: true });
