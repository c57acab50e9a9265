/**
 * Entry of dist/web/server.js: the language server in a browser's web worker (vscode.dev, github.dev), started by
 * the web client (client/src/web/extension.ts). The same server.ts as the desktop; client/build.mjs bundles it for
 * the browser with web/schemaFiles.ts and web/pythonParser.ts in place of the files they replace, and web/shims/
 * in place of Node's built-ins: no file but the open documents can be read here, and nothing can be run.
 */
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from 'vscode-languageserver/browser';
import { startServer } from '../server';

// The worker's global scope is the port; the DOM's worker types are not in the server's lib, hence `never`.
const scope = globalThis as never;
startServer(createConnection(new BrowserMessageReader(scope), new BrowserMessageWriter(scope)));
