import { dottedName, type Node } from './python';

/**
 * Lightning ships under three names (pytorch_lightning, lightning.pytorch, lightning); we map all of them to
 * one canonical prefix, `pl`, so the tables and checks are written once.
 */
export function canonical(path: string): string | undefined {
  if (path === 'pytorch_lightning' || path === 'lightning.pytorch' || path === 'lightning') return 'pl';
  for (const prefix of ['pytorch_lightning.', 'lightning.pytorch.', 'lightning.']) {
    if (path.startsWith(prefix)) return `pl.${path.slice(prefix.length)}`;
  }
  return undefined;
}

export interface ImportBinding {
  /** The canonical Lightning path (`pl.callbacks.Callback`), or the module path of a non-Lightning import. */
  target: string;
  lightning: boolean;
  /** The import statement, for "moved module" findings. */
  node: Node;
  /** The module path as written (`pytorch_lightning.metrics`). */
  module: string;
  /** Inside a compatibility shim (try/except ImportError, a version check): never report it. */
  shim: boolean;
}

/** What the checks read of a binding (a re-check keeps these from the last full check, without the nodes). */
export type ImportTarget = Pick<ImportBinding, 'target' | 'lightning' | 'module'>;

/** Local name -> what it refers to, for every import in the file (later imports win, as in Python). */
export function collectImports(root: Node, isShim: (n: Node) => boolean, indexed?: Map<string, Node[]>): Map<string, ImportBinding> {
  return bindingsOf(
    indexed
      ? [...(indexed.get('import_statement') ?? []), ...(indexed.get('import_from_statement') ?? [])].sort((a, b) => a.startIndex - b.startIndex)
      : topLevelImports(root),
    isShim,
  );
}

/** The bindings of import statements, in order (what collectImports makes of the file's). */
export function bindingsOf(statements: Node[], isShim: (n: Node) => boolean): Map<string, ImportBinding> {
  const names = new Map<string, ImportBinding>();
  for (const stmt of statements) {
    const shim = isShim(stmt);
    if (stmt.type === 'import_statement') {
      for (const child of stmt.namedChildren) {
        if (!child) continue;
        const module = child.type === 'aliased_import' ? dottedName(child.childForFieldName('name')) : dottedName(child);
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : module?.split('.')[0];
        if (!module || !alias) continue;
        const target = child.type === 'aliased_import' ? module : module.split('.')[0];
        const c = canonical(target);
        names.set(alias, { target: c ?? target, lightning: Boolean(c), node: stmt, module, shim });
      }
    } else {
      const moduleNode = stmt.childForFieldName('module_name');
      const module = dottedName(moduleNode);
      if (!module) continue;
      for (const child of stmt.namedChildren) {
        if (!child || child === moduleNode || child.startIndex === moduleNode?.startIndex) continue;
        const name =
          child.type === 'aliased_import' ? dottedName(child.childForFieldName('name')) : child.type === 'dotted_name' ? dottedName(child) : undefined;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : name;
        if (!name || !alias) continue;
        const full = `${module}.${name}`;
        const c = canonical(full);
        names.set(alias, { target: c ?? full, lightning: Boolean(c), node: stmt, module, shim });
      }
    }
  }
  return names;
}

const IMPORT = new Set(['import_statement', 'import_from_statement']);
const BLOCKS = new Set(['try_statement', 'if_statement', 'block', 'except_clause', 'else_clause', 'elif_clause', 'finally_clause', 'with_statement']);

/** Import statements of the module: at the top level and in top-level try/if/with blocks (not inside functions). */
export function topLevelImports(root: Node): Node[] {
  return root.namedChildren.flatMap((child) => (child ? importsOf(child) : []));
}

/** The import statements that one top-level statement contributes to topLevelImports. */
export function importsOf(statement: Node): Node[] {
  const out: Node[] = [];
  const visit = (node: Node, depth: number) => {
    if (IMPORT.has(node.type)) out.push(node);
    else if (depth < 6 && BLOCKS.has(node.type)) for (const child of node.namedChildren) if (child) visit(child, depth + 1);
  };
  visit(statement, 0);
  return out;
}

/** What an expression such as `pl.Trainer` or `L.pytorch.callbacks.Callback` refers to, canonically. */
export function resolveName(node: Node | null | undefined, imports: Map<string, ImportTarget>): string | undefined {
  const dotted = dottedName(node);
  if (!dotted) return undefined;
  const [head, ...rest] = dotted.split('.');
  const binding = imports.get(head);
  if (!binding) return undefined;
  const full = [binding.target, ...rest].join('.');
  return binding.lightning ? full.replace(/^pl\.pytorch\./, 'pl.') : full;
}
