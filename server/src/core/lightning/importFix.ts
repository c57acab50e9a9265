import type { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetRange, type Fix } from '../common/diagnostics';
import { descendants, type Node } from './python';
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
  return stmt.namedChildren.filter(
    (c): c is Node => c !== null && c.startIndex !== moduleNode.startIndex && (c.type === 'dotted_name' || c.type === 'aliased_import'),
  );
}

function nameOf(n: Node): string {
  return n.type === 'aliased_import' ? n.childForFieldName('name')!.text : n.text;
}

/** Rows about import paths: a moved or removed module, class or function. */
const IMPORT_ROWS = MIGRATIONS.filter((r) => r.kind === 'import' || r.kind === 'callbackClass');

/**
 * Where one imported name goes. A row for the symbol itself wins over a row for its module (the module
 * `pytorch_lightning.utilities.apply_func` went to lightning_utilities, but its `move_data_to_device` to
 * lightning.fabric); a symbol with a row but no destination (removed) stays where it is, as does a name no row
 * is about.
 */
function destinationOf(module: string, name: string): { module: string; name: string } | undefined {
  const symbol = IMPORT_ROWS.find((r) => canonical(r.name) === canonical(`${module}.${name}`));
  if (symbol) {
    if (symbol.fix.kind !== 'replaceImport' || !symbol.fix.to) return undefined;
    const path = inFamily(symbol.fix.to, module);
    return { module: path.slice(0, path.lastIndexOf('.')), name: path.slice(path.lastIndexOf('.') + 1) };
  }
  const row = IMPORT_ROWS.find(
    (r) => r.fix.kind === 'replaceImport' && r.fix.to && (canonical(module) === canonical(r.name) || canonical(module).startsWith(`${canonical(r.name)}.`)),
  );
  if (!row) return undefined;
  const newModule = inFamily(row.fix.to!, module) + module.slice(row.name.length);
  // A class renamed on the way (LightningLoggerBase -> Logger), when it lives in (a parent of) the new module.
  const move = SYMBOL_MOVES.find(
    (r) => r.name.endsWith(`.${name}`) && canonical(inFamily(r.fix.to!, module)).startsWith(canonical(r.name.slice(0, r.name.lastIndexOf('.')))),
  );
  const renamed = move?.fix.to?.split('.').pop();
  if (move && renamed && renamed !== name && canonical(newModule).startsWith(canonical(inFamily(move.fix.to!, module).slice(0, move.fix.to!.lastIndexOf('.')))))
    return { module: newModule, name: renamed };
  return { module: newModule, name };
}

/**
 * Rewrites an import of moved modules or symbols, keeping every local name the file uses:
 * `from pytorch_lightning.plugins import DDPPlugin` -> `from pytorch_lightning.strategies import DDPStrategy as DDPPlugin`.
 * The whole statement is planned at once (every finding on it carries the same fix): names bound for one place
 * keep the statement as written; names bound for several places become one statement per module.
 */
export function migrateImport(textDocument: TextDocument, rule: MigrationRule, stmt: Node): Fix[] {
  const to = rule.fix.to;
  if (!to) return [];
  if (stmt.type !== 'import_from_statement') {
    // `import pytorch_lightning.metrics as m`: the module path is all there is to rewrite, unless some of its names
    // went elsewhere (then `m.<name>` would break).
    if (IMPORT_ROWS.some((r) => r !== rule && canonical(r.name).startsWith(`${canonical(rule.name)}.`) && r.fix.to !== undefined && !r.fix.to.startsWith(to)))
      return [];
    const replaced = stmt.text.split(rule.name).join(to);
    return replaced !== stmt.text
      ? [{ title: `Import ${to}`, edits: [{ range: offsetRange(textDocument, stmt.startIndex, stmt.endIndex), newText: replaced }], preferred: true }]
      : [];
  }
  const moduleNode = stmt.childForFieldName('module_name');
  if (!moduleNode) return [];
  const module = moduleNode.text;
  const names = importedNames(stmt, moduleNode);
  if (!names.length) return [];
  const planned = names.map((n) => ({
    node: n,
    name: nameOf(n),
    alias: n.type === 'aliased_import' ? n.childForFieldName('alias')!.text : undefined,
    to: destinationOf(module, nameOf(n)),
  }));
  if (planned.every((p) => !p.to)) return [];
  const spelled = (p: (typeof planned)[number]) => {
    const newName = p.to?.name ?? p.name;
    const local = p.alias ?? p.name;
    return newName === local ? newName : `${newName} as ${local}`;
  };
  const modules = [...new Set(planned.map((p) => p.to?.module ?? module))];
  const target = modules.length === 1 ? modules[0] : undefined;
  if (target) {
    // One destination: the statement stays as written (parentheses, comments), with a new module and renames.
    const edits = [{ range: offsetRange(textDocument, moduleNode.startIndex, moduleNode.endIndex), newText: target }];
    for (const p of planned)
      if (spelled(p) !== p.node.text) edits.push({ range: offsetRange(textDocument, p.node.startIndex, p.node.endIndex), newText: spelled(p) });
    const only = planned.length === 1 ? (planned[0].to?.name ?? planned[0].name) : undefined;
    return [{ title: only ? `Import ${only} from ${target}` : `Import from ${target}`, edits, preferred: true }];
  }
  // Several destinations: one statement each, in the order the names were written. Comments inside the statement
  // would have no place to go.
  if (descendants(stmt, new Set(['comment'])).length) return [];
  const text = textDocument.getText();
  const indent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', stmt.startIndex - 1) + 1))![0];
  const lines = modules.map(
    (m) =>
      `from ${m} import ${planned
        .filter((p) => (p.to?.module ?? module) === m)
        .map(spelled)
        .join(', ')}`,
  );
  return [
    {
      title: `Import from ${modules.filter((m) => m !== module).join(' and ')}`,
      edits: [{ range: offsetRange(textDocument, stmt.startIndex, stmt.endIndex), newText: lines.join(`\n${indent}`) }],
      preferred: true,
    },
  ];
}
