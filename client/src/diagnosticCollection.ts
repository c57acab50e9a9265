/**
 * The name of the language server's diagnostic collection (LanguageClientOptions.diagnosticCollectionName), in both
 * entries. VS Code keeps markers by the collection's owner, one store for all extension hosts, and without a name
 * vscode-languageclient 9 creates an unnamed collection (lib/common/client.js, start()), which VS Code names
 * `_generated_diagnostic_collection_name_#N`, N counting in each extension host (extHostDiagnostics.ts,
 * createDiagnosticCollection, VS Code 1.99.3). The first unnamed collections of two hosts are then one owner: in
 * code-server's web worker host ours was #0, and so was the JSON language features' pull-diagnostics collection in the
 * remote Node host, and each host's update of a file replaced the other's diagnostics (docs/architecture.md, "The web
 * build"). Not 'finetune' either: that is the owner of our problem matchers (package.json), and a task that uses one
 * removes the markers of that owner when it starts (VS Code's problemCollectors.ts, StartStopProblemCollector).
 */
export const DIAGNOSTIC_COLLECTION = 'finetune-workbench';
