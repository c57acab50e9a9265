import type { TextDocumentContentChangeEvent, TextDocumentsConfiguration } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

/**
 * How the server keeps open documents. TextDocument.update (vscode-languageserver-textdocument 1.0.12) counts the
 * line breaks of the inserted text on its own, so an edit that joins a `\r` and a `\n` into one break, or splits
 * one, leaves a line too many or too few: every position after it is a line off, and diagnostics land on the wrong
 * line (found by the fuzz oracle, test/lsp/fuzz.test.ts). A document with a `\r` is rebuilt from its text after
 * each change, which counts its lines afresh.
 */
export const TEXT_DOCUMENTS: TextDocumentsConfiguration<TextDocument> = {
  create: TextDocument.create,
  update: updateDocument,
};

export function updateDocument(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
  const updated = TextDocument.update(document, changes, version);
  const text = updated.getText();
  return text.includes('\r') ? TextDocument.create(document.uri, document.languageId, version, text) : updated;
}
