import type { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetRange, type Fix } from '../config/diagnostics';
import { argumentSpan, type Node } from './python';
import { MIGRATIONS, type MigrationRule } from './table';

/** Rows that move a class or function to a new path (`pytorch_lightning.plugins.DDPPlugin` -> `...strategies.DDPStrategy`). */
const SYMBOL_MOVES = MIGRATIONS.filter((r) => r.fix.kind === 'replaceImport' && r.fix.to && /\.[A-Za-z_]\w*$/.test(r.name));

/** Writes a path in the package family the file already uses (pytorch_lightning or lightning.pytorch). */
function inFamily(path: string, module: string): string {
  if (module.startsWith('lightning.pytorch') && path.startsWith('pytorch_lightning')) return path.replace(/^pytorch_lightning/, 'lightning.pytorch');
  if (module.startsWith('pytorch_lightning') && path.startsWith('lightning.pytorch')) return path.replace(/^lightning\.pytorch/, 'pytorch_lightning');
  return path;
}

function canonical(path: string): string {
  return path.replace(/^(?:pytorch_lightning|lightning\.pytorch)(?=\.|$)/, 'pl');
}

function importedNames(stmt: Node, moduleNode: Node): Node[] {
  return stmt.namedChildren.filter((c): c is Node => c !== null && c.startIndex !== moduleNode.startIndex && (c.type === 'dotted_name' || c.type === 'aliased_import'));
}

function nameOf(n: Node): string {
  return n.type === 'aliased_import' ? n.childForFieldName('name')!.text : n.text;
}

/**
 * Rewrites an import for a moved module or symbol, keeping every local name the file uses:
 * `from pytorch_lightning.plugins import DDPPlugin` -> `from pytorch_lightning.strategies import DDPStrategy as DDPPlugin`.
 */
export function migrateImport(textDocument: TextDocument, rule: MigrationRule, stmt: Node): Fix[] {
  const to = rule.fix.to;
  if (!to) return [];
  const text = textDocument.getText();
  if (stmt.type !== 'import_from_statement') {
    // `import pytorch_lightning.metrics as m`: the module path is all there is to rewrite.
    const replaced = stmt.text.split(rule.name).join(to);
    return replaced !== stmt.text ? [{ title: `Import ${to}`, edits: [{ range: offsetRange(textDocument, stmt.startIndex, stmt.endIndex), newText: replaced }], preferred: true }] : [];
  }
  const moduleNode = stmt.childForFieldName('module_name');
  if (!moduleNode) return [];
  const module = moduleNode.text;
  const names = importedNames(stmt, moduleNode);
  const oldModule = rule.name.slice(0, rule.name.lastIndexOf('.'));
  const oldName = rule.name.slice(rule.name.lastIndexOf('.') + 1);

  // The row names one symbol of this module: import it from its new place, under the name the file uses.
  if (canonical(module) === canonical(oldModule)) {
    const target = names.find((n) => nameOf(n) === oldName);
    const newPath = inFamily(to, module);
    const newModule = newPath.slice(0, newPath.lastIndexOf('.'));
    const newName = newPath.slice(newPath.lastIndexOf('.') + 1);
    if (!target || !newModule) return [];
    const alias = target.type === 'aliased_import' ? target.childForFieldName('alias')!.text : oldName;
    const line = `from ${newModule} import ${newName}${alias !== newName ? ` as ${alias}` : ''}`;
    if (names.length === 1) return [{ title: `Import ${newName} from ${newModule}`, edits: [{ range: offsetRange(textDocument, stmt.startIndex, stmt.endIndex), newText: line }], preferred: true }];
    const [start, end] = argumentSpan(text, target.startIndex, target.endIndex);
    const lineEnd = text.indexOf('\n', stmt.endIndex);
    const at = lineEnd < 0 ? text.length : lineEnd;
    const indent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', stmt.startIndex - 1) + 1))![0];
    return [{
      title: `Import ${newName} from ${newModule}`,
      edits: [
        { range: offsetRange(textDocument, start, end), newText: '' },
        { range: offsetRange(textDocument, at, at), newText: `\n${indent}${line}` },
      ],
      preferred: true,
    }];
  }

  // The row moves a whole module: rewrite its path; classes renamed on the way keep their local name.
  if (canonical(module) !== canonical(rule.name) && !canonical(module).startsWith(`${canonical(rule.name)}.`)) return [];
  const newModule = inFamily(to, module) + module.slice(rule.name.length);
  const edits = [{ range: offsetRange(textDocument, moduleNode.startIndex, moduleNode.endIndex), newText: newModule }];
  for (const n of names) {
    if (n.type === 'aliased_import') continue;
    const move = SYMBOL_MOVES.find((r) => r.name.endsWith(`.${n.text}`) && canonical(inFamily(r.fix.to!, module)).startsWith(canonical(r.name.slice(0, r.name.lastIndexOf('.')))));
    const renamed = move?.fix.to?.split('.').pop();
    // Only when the renamed class lives in (a parent of) the new module, so the import still resolves.
    if (move && renamed && renamed !== n.text && canonical(newModule).startsWith(canonical(inFamily(move.fix.to!, module).slice(0, move.fix.to!.lastIndexOf('.'))))) {
      edits.push({ range: offsetRange(textDocument, n.startIndex, n.endIndex), newText: `${renamed} as ${n.text}` });
    }
  }
  return [{ title: `Import from ${newModule}`, edits, preferred: true }];
}
