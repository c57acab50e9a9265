import type { FileAccess } from '../rules/types';
import type { Node, PythonParser } from '../../lightning/python';

/** The keyword arguments a class or function of the user's own code accepts, read from its source. */
export interface UserSignature {
  /** Absolute path of the module it was read from. */
  file: string;
  /** `MNISTLitModule.__init__` or `build_model`, for messages. */
  label: string;
  params: string[];
  /** It takes `**kwargs`: any keyword goes. */
  kwargs: boolean;
}

const MAX_ANCESTORS = 8;

function parentOf(dir: string): string | undefined {
  const trimmed = dir.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i > 0 ? trimmed.slice(0, i) : undefined;
}

/** Where Python would import `a.b` from: the workspace folders, then the folders above the config (Hydra apps run
 *  from their project root, which is on sys.path). */
function moduleFiles(module: string, configPath: string, roots: string[]): string[] {
  const bases: string[] = [...roots.map((r) => r.replace(/\/+$/, ''))];
  let dir = parentOf(configPath);
  for (let i = 0; dir && i < MAX_ANCESTORS; i++, dir = parentOf(dir)) if (!bases.includes(dir)) bases.push(dir);
  const rel = module.replace(/\./g, '/');
  return bases.flatMap((b) => [`${b}/${rel}.py`, `${b}/${rel}/__init__.py`]);
}

function definitions(root: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const child of root.namedChildren) {
    if (!child) continue;
    const def = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (def && (def.type === 'class_definition' || def.type === 'function_definition')) out.set(def.childForFieldName('name')?.text ?? '', child);
  }
  return out;
}

function signatureOf(fn: Node, dropFirst: boolean): { params: string[]; kwargs: boolean } {
  const params: string[] = [];
  let kwargs = false;
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    if (p.text.startsWith('**')) {
      kwargs = true;
      continue;
    }
    if (p.text.startsWith('*') || p.type === 'keyword_separator' || p.type === 'positional_separator') continue;
    const name = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
    if (name) params.push(name.text);
  }
  return { params: dropFirst ? params.slice(1) : params, kwargs };
}

/** Fields of a `@dataclass` body (`name: type = default`), which its generated __init__ takes. */
function dataclassFields(cls: Node): string[] {
  const out: string[] = [];
  for (const stmt of cls.childForFieldName('body')?.namedChildren ?? []) {
    const assign = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    if (assign?.type === 'assignment' && assign.childForFieldName('type')) {
      const left = assign.childForFieldName('left');
      if (left?.type === 'identifier') out.push(left.text);
    }
  }
  return out;
}

/**
 * The signature of `_target_: pkg.module.Name` when pkg/module.py is in the workspace and defines Name with its own
 * `__init__` (or is a dataclass, or a function). Undefined whenever we cannot be sure: the source is absent, the class
 * inherits its `__init__`, the name is imported from elsewhere.
 */
export function userSignature(target: string, configPath: string, roots: string[], files: FileAccess, parser: PythonParser): UserSignature | undefined {
  const dot = target.lastIndexOf('.');
  const module = target.slice(0, dot);
  const name = target.slice(dot + 1);
  for (const file of moduleFiles(module, configPath, roots)) {
    const text = files.read(file);
    if (text === undefined) continue;
    const tree = parser.parse(text);
    if (!tree) return undefined;
    try {
      const node = definitions(tree.rootNode).get(name);
      if (!node) return undefined;
      const decorated = node.type === 'decorated_definition';
      const def = decorated ? node.childForFieldName('definition')! : node;
      if (def.type === 'function_definition') return { file, label: `${name}()`, ...signatureOf(def, false) };
      let init: Node | undefined;
      for (const child of def.childForFieldName('body')?.namedChildren ?? []) {
        const fn = child?.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
        if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === '__init__') init = fn;
      }
      if (init) return { file, label: `${name}.__init__`, ...signatureOf(init, true) };
      // A dataclass without bases: its generated __init__ takes exactly its fields.
      const hasBases = Boolean(def.childForFieldName('superclasses')?.namedChildren.length);
      const dataclass = node.namedChildren.some((d) => d?.type === 'decorator' && /^@\s*(?:dataclasses\.)?dataclass\b/.test(d.text));
      if (decorated && dataclass && !hasBases) {
        return { file, label: `${name} (dataclass)`, params: dataclassFields(def), kwargs: false };
      }
      return undefined;
    } finally {
      tree.delete();
    }
  }
  return undefined;
}
