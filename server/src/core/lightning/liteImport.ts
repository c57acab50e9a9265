import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver-types';
import { offsetRange, type Fix } from '../common/diagnostics';
import type { ImportBinding } from './imports';
import type { Node } from './python';
import { MIGRATIONS, type MigrationRule } from './table';

// lightning_lite existed in Lightning 1.8 only; 1.9 renamed the package lightning_fabric, module for module, and its
// LightningLite class Fabric (#16244). 2.x installs lightning_fabric (and lightning.fabric in the lightning package).

const LITE = /^lightning_lite(?=\.|$)/;
const PACKAGE = MIGRATIONS.find((r) => r.id === 'import.lightning_lite')!;
const LITE_CLASS = MIGRATIONS.find((r) => r.id === 'import.lightning_lite.LightningLite')!;
/** Modules of lightning_lite that lightning_fabric does not have. */
const GONE = /^lightning_lite\.(?:lite|strategies\.(?:ddp_spawn|fairscale))(?:\.|$)/;

/** The rows an import statement of lightning_lite gets: the package, and the LightningLite class when it imports it. */
export function liteImportRules(bindings: Iterable<ImportBinding>): Array<{ rule: MigrationRule; node: Node }> {
  const out: Array<{ rule: MigrationRule; node: Node }> = [];
  const seen = new Set<string>();
  for (const b of bindings) {
    if (b.shim || !LITE.test(b.module)) continue;
    const rule = /(?:^|\.)LightningLite$/.test(b.target) || GONE.test(b.module) ? LITE_CLASS : PACKAGE;
    const key = `${rule.id}:${b.node.startIndex}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ rule, node: b.node });
  }
  return out;
}

/** The module path rewritten to lightning_fabric: `lightning.fabric` where the file imports the lightning package. */
export function migrateLiteImport(textDocument: TextDocument, stmt: Node): Fix[] {
  const text = textDocument.getText();
  // LightningLite (a class to subclass) became Fabric (an object to build): not a rename.
  if (/\bLightningLite\b/.test(text) && stmt.type === 'import_statement') return [];
  const unified = /^\s*(?:import|from)\s+lightning(?:\.pytorch)?\b(?!_)/m.test(text);
  const to = unified ? 'lightning.fabric' : 'lightning_fabric';
  const edits: TextEdit[] = [];
  for (const n of stmt.descendantsOfType('dotted_name')) {
    if (!n || !LITE.test(n.text) || (n.parent?.type === 'aliased_import' && n.parent.childForFieldName('alias')?.startIndex === n.startIndex)) continue;
    // Only module paths: the module of a from-import, or a name of a plain import.
    const isModule = stmt.type === 'import_statement' || stmt.childForFieldName('module_name')?.startIndex === n.startIndex;
    if (!isModule) continue;
    const head = n.namedChildren[0];
    if (!head) continue;
    edits.push({ range: offsetRange(textDocument, head.startIndex, head.endIndex), newText: to });
  }
  // `import lightning_lite` binds the name lightning_lite: it stays bound (`import lightning_fabric as lightning_lite`);
  // `import lightning_lite.utilities` binds it too, with no such spelling.
  if (stmt.type === 'import_statement') {
    for (const c of stmt.namedChildren) {
      if (c?.type !== 'dotted_name' || !LITE.test(c.text)) continue;
      if (c.text !== 'lightning_lite') return [];
      const i: number = edits.findIndex((e) => textDocument.offsetAt(e.range.start) === c.startIndex);
      if (i >= 0) edits[i] = { range: offsetRange(textDocument, c.startIndex, c.endIndex), newText: `${to} as lightning_lite` };
    }
  }
  return edits.length ? [{ title: `Import from ${to}`, edits, preferred: true }] : [];
}
