import type { FileAccess } from '../rules/types';
import type { Node, PythonParser } from '../../common/python';

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
    const name = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
    if (name) params.push(name.text);
  }
  return { params: dropFirst ? params.slice(1) : params, kwargs };
}

/** Fields of a `@dataclass` body (`name: type = default`), which its generated __init__ takes (ClassVar included:
 *  rare, and harmless to accept). */
export function dataclassFields(cls: Node): string[] {
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

/** How far `followBases` goes up a chain of workspace classes without their own `__init__`. */
const MAX_BASES = 4;

/** What `from X import Name [as Alias]` at the top of a module binds: alias -> `X.Name` (relative X resolved). */
function importedNames(root: Node, moduleOfFile: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const stmt of root.namedChildren) {
    if (stmt?.type !== 'import_from_statement') continue;
    const from = stmt.childForFieldName('module_name');
    if (!from) continue;
    let module = from.text.replace(/\s+/g, '');
    if (module.startsWith('.')) {
      // `from .base import Base` inside pkg/models.py is pkg.base; we only know pkg when the target named it.
      if (moduleOfFile === undefined) continue;
      const dots = /^\.+/.exec(module)![0].length;
      const pkg = moduleOfFile.split('.').slice(0, -dots);
      if (pkg.length !== moduleOfFile.split('.').length - dots) continue;
      module = [...pkg, module.slice(dots)].filter(Boolean).join('.');
    }
    for (const item of stmt.childrenForFieldName('name')) {
      if (!item) continue;
      if (item.type === 'dotted_name') out.set(item.text, `${module}.${item.text}`);
      else if (item.type === 'aliased_import') {
        const name = item.childForFieldName('name')?.text;
        const alias = item.childForFieldName('alias')?.text;
        if (name && alias) out.set(alias, `${module}.${name}`);
      }
    }
  }
  return out;
}

export interface SignatureOptions {
  /**
   * A class without its own `__init__` takes its base's, when that base is one class of the workspace (defined in the
   * same module or imported with `from x import Base`), followed up to MAX_BASES levels. Off for Hydra, which keeps
   * such classes silent.
   */
  followBases?: boolean;
}

/** What one module says about one name: its signature, the workspace base it inherits `__init__` from, or nothing. */
type ClassReading = UserSignature | { base: string } | undefined;

/**
 * Readings of unchanged module texts, so that a config checked on every keystroke does not parse the same Python
 * module again: keyed by file, name and whether bases are followed, kept while the file's text stays the same.
 */
const readings = new Map<string, { text: string; reading: ClassReading }>();
const MAX_READINGS = 256;

function readClass(file: string, text: string, module: string, name: string, parser: PythonParser, followBase: boolean): ClassReading {
  const key = `${file}\0${name}\0${followBase}`;
  const kept = readings.get(key);
  if (kept?.text === text) return kept.reading;
  const reading = parseClass(file, text, module, name, parser, followBase);
  if (readings.size >= MAX_READINGS) readings.clear();
  readings.set(key, { text, reading });
  return reading;
}

function parseClass(file: string, text: string, module: string, name: string, parser: PythonParser, followBase: boolean): ClassReading {
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    const defs = definitions(tree.rootNode);
    const node = defs.get(name);
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
    const bases = (def.childForFieldName('superclasses')?.namedChildren ?? []).filter((b): b is Node => b !== null);
    const dataclass = node.namedChildren.some((d) => d?.type === 'decorator' && /^@\s*(?:dataclasses\.)?dataclass\b/.test(d.text));
    if (decorated && dataclass && !bases.length) {
      return { file, label: `${name} (dataclass)`, params: dataclassFields(def), kwargs: false };
    }
    // One plain base (no metaclass=, no Generic[...]), no decorator that could rewrite __init__.
    if (!followBase || decorated || bases.length !== 1 || bases[0].type !== 'identifier') return undefined;
    const baseName = bases[0].text;
    const base = defs.has(baseName)
      ? `${module}.${baseName}`
      : importedNames(tree.rootNode, file.endsWith('/__init__.py') ? `${module}.__init__` : module).get(baseName);
    return base ? { base } : undefined;
  } finally {
    tree.delete();
  }
}

/**
 * The signature of `_target_: pkg.module.Name` when pkg/module.py is in the workspace and defines Name with its own
 * `__init__` (or is a dataclass, or a function). Undefined whenever we cannot be sure: the source is absent, the class
 * inherits its `__init__` (unless `followBases` can follow it), the name is imported from elsewhere.
 */
export function userSignature(
  target: string,
  configPath: string,
  roots: string[],
  files: FileAccess,
  parser: PythonParser,
  options: SignatureOptions = {},
  depth = 0,
): UserSignature | undefined {
  const dot = target.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const module = target.slice(0, dot);
  const name = target.slice(dot + 1);
  for (const file of moduleFiles(module, configPath, roots)) {
    const text = files.read(file);
    if (text === undefined) continue;
    const found = readClass(file, text, module, name, parser, options.followBases === true && depth < MAX_BASES);
    if (!found || 'file' in found) return found;
    const inherited = userSignature(found.base, configPath, roots, files, parser, options, depth + 1);
    return inherited && { ...inherited, label: `${name} (${inherited.label}, inherited)` };
  }
  return undefined;
}
