import type { Node, PythonParser } from '../common/python';
import { dataclassFields } from './hydra/userClass';
import type { FileAccess } from './rules/types';

/**
 * Recipe scripts of the workspace (alignment-handbook, open-r1 and their kind) read a TRL config with
 * `TrlParser((ScriptArguments, SFTConfig, ModelConfig))` or `HfArgumentParser(...)`: every field of those argument
 * dataclasses is a key the config may set. When such a script is in the workspace, its dataclasses are read with
 * tree-sitter and their fields accepted, following the classes into the workspace modules they are imported from.
 * Classes outside the workspace (TRL's own SFTConfig, transformers' TrainingArguments) are the schema's business.
 */
export interface ScriptFields {
  /** Field -> `Class (path)` that declares it, for hover or messages. */
  fields: Map<string, string>;
}

/** Where scripts live in the repositories that have them: the root, scripts/ (and one level below), src/<pkg>/. */
const SCRIPT_DIRS = ['', 'scripts', 'src'];
const MAX_DEPTH = 2;
const MAX_FILES = 200;
const MAX_CHARS = 256 * 1024;
const PARSER_CALL = /\b(?:TrlParser|HfArgumentParser)\s*\(/;
const PARSERS = new Set(['TrlParser', 'HfArgumentParser', 'trl.TrlParser', 'transformers.HfArgumentParser']);
const MAX_BASES = 4;

/** Per file text, what it declares: parsed once per version of the file, not on every keystroke in the config. */
interface ModuleFacts {
  /** Names passed to a TrlParser / HfArgumentParser call. */
  parsed: string[];
  /** Dataclasses defined here: name -> fields and the names of their bases. */
  dataclasses: Map<string, { fields: string[]; bases: string[] }>;
  /** `from x import A as B`: B -> x.A (relative modules left with their dots). */
  imports: Map<string, string>;
}

type FactsCache = Map<string, { text: string; facts: ModuleFacts }>;

function readFacts(cache: FactsCache, path: string, text: string, parser: PythonParser): ModuleFacts | undefined {
  const hit = cache.get(path);
  if (hit && hit.text === text) return hit.facts;
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    const facts: ModuleFacts = { parsed: [], dataclasses: new Map(), imports: new Map() };
    for (const stmt of tree.rootNode.namedChildren) {
      if (!stmt) continue;
      if (stmt.type === 'import_from_statement') addImports(stmt, facts.imports);
      if (stmt.type === 'decorated_definition') {
        const def = stmt.childForFieldName('definition');
        const isDataclass = stmt.namedChildren.some((d) => d?.type === 'decorator' && /^@\s*(?:dataclasses\.)?dataclass\b/.test(d.text));
        if (def?.type === 'class_definition' && isDataclass) {
          const bases = (def.childForFieldName('superclasses')?.namedChildren ?? [])
            .filter((b): b is Node => b !== null && (b.type === 'identifier' || b.type === 'attribute'))
            .map((b) => b.text);
          facts.dataclasses.set(def.childForFieldName('name')?.text ?? '', { fields: dataclassFields(def), bases });
        }
      }
    }
    if (PARSER_CALL.test(text)) {
      for (const call of tree.rootNode.descendantsOfType('call')) {
        if (!call || !PARSERS.has(call.childForFieldName('function')?.text ?? '')) continue;
        const first = call.childForFieldName('arguments')?.namedChildren[0];
        if (!first) continue;
        const items = first.type === 'tuple' || first.type === 'list' ? first.namedChildren : [first];
        for (const item of items) if (item?.type === 'identifier') facts.parsed.push(item.text);
      }
    }
    if (cache.size > 512) cache.clear();
    cache.set(path, { text, facts });
    return facts;
  } finally {
    tree.delete();
  }
}

function addImports(stmt: Node, into: Map<string, string>): void {
  const module = stmt.childForFieldName('module_name')?.text.replace(/\s+/g, '');
  if (!module) return;
  for (const item of stmt.childrenForFieldName('name')) {
    if (item?.type === 'dotted_name') into.set(item.text, `${module}.${item.text}`);
    else if (item?.type === 'aliased_import') {
      const name = item.childForFieldName('name')?.text;
      const alias = item.childForFieldName('alias')?.text;
      if (name && alias) into.set(alias, `${module}.${name}`);
    }
  }
}

function pythonFiles(root: string, files: FileAccess): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (out.length >= MAX_FILES) return;
    for (const entry of files.list!(dir) ?? []) {
      if (out.length >= MAX_FILES) return;
      const path = `${dir}/${entry.name}`;
      if (entry.dir && depth < MAX_DEPTH && !entry.name.startsWith('.') && entry.name !== '__pycache__') walk(path, depth + 1);
      else if (!entry.dir && entry.name.endsWith('.py')) out.push(path);
    }
  };
  for (const sub of SCRIPT_DIRS) {
    const dir = sub ? `${root}/${sub}` : root;
    if (sub) walk(dir, 1);
    else for (const entry of files.list!(dir) ?? []) if (!entry.dir && entry.name.endsWith('.py')) out.push(`${dir}/${entry.name}`);
  }
  return out;
}

/** Where `a.b` is imported from: a workspace root, or its src/ folder (a package installed from a src layout). */
function moduleFile(module: string, roots: string[], files: FileAccess): { path: string; text: string } | undefined {
  const rel = module.replace(/\./g, '/');
  for (const root of roots) {
    for (const base of [root, `${root}/src`]) {
      for (const path of [`${base}/${rel}.py`, `${base}/${rel}/__init__.py`]) {
        const text = files.read(path);
        if (text !== undefined) return { path, text };
      }
    }
  }
  return undefined;
}

/** The dotted module of a file under a root (or its src/), for resolving `from .x import A`. */
function moduleOf(path: string, roots: string[]): string | undefined {
  for (const root of roots) {
    for (const base of [`${root}/src/`, `${root}/`]) {
      if (path.startsWith(base))
        return path
          .slice(base.length)
          .replace(/\.py$/, '')
          .replace(/\/__init__$/, '')
          .replace(/\//g, '.');
    }
  }
  return undefined;
}

/** Every field of the argument dataclasses that the workspace's recipe scripts parse. Undefined without a script. */
function scriptFields(cache: FactsCache, roots: string[], files: FileAccess, parser: PythonParser): ScriptFields | undefined {
  if (!files.list) return undefined;
  const fields = new Map<string, string>();
  let found = false;
  const collect = (name: string, path: string, facts: ModuleFacts, depth: number): void => {
    if (depth > MAX_BASES) return;
    const local = facts.dataclasses.get(name);
    if (local) {
      const where = `${name} (${path.split('/').slice(-2).join('/')})`;
      for (const f of local.fields) if (!fields.has(f)) fields.set(f, where);
      for (const base of local.bases) collect(base, path, facts, depth + 1);
      return;
    }
    let target = facts.imports.get(name);
    if (!target) return;
    if (target.startsWith('.')) {
      const here = moduleOf(path, roots);
      if (!here) return;
      // `from .x import A` in pkg/mod.py (or pkg/__init__.py) is pkg.x; each further dot goes one package up.
      const dots = /^\.+/.exec(target)![0].length;
      const pkg = here.split('.').slice(0, path.endsWith('/__init__.py') ? undefined : -1);
      if (dots - 1 > pkg.length) return;
      target = [...pkg.slice(0, pkg.length - (dots - 1)), target.slice(dots)].filter(Boolean).join('.');
    }
    const dot = target.lastIndexOf('.');
    const source = moduleFile(target.slice(0, dot), roots, files);
    if (!source || source.text.length > MAX_CHARS) return;
    const facts2 = readFacts(cache, source.path, source.text, parser);
    if (facts2) collect(target.slice(dot + 1), source.path, facts2, depth + 1);
  };
  for (const root of roots) {
    for (const path of pythonFiles(root, files)) {
      const text = files.read(path);
      if (text === undefined || text.length > MAX_CHARS || !PARSER_CALL.test(text)) continue;
      const facts = readFacts(cache, path, text, parser);
      if (!facts?.parsed.length) continue;
      found = true;
      for (const name of facts.parsed) collect(name, path, facts, 0);
    }
  }
  return found ? { fields } : undefined;
}

/**
 * The fields, kept per set of workspace folders until `invalidate` (a Python file of the workspace changed): a config
 * checked on every keystroke does not list folders and read scripts each time. Each module's facts are kept by its
 * text, so an invalidation re-reads the files but parses only the ones that changed.
 */
export class ScriptArgsIndex {
  private readonly facts: FactsCache = new Map();
  private readonly kept = new Map<string, ScriptFields | undefined>();

  fields(roots: string[], files: FileAccess, parser: PythonParser): ScriptFields | undefined {
    const key = roots.join('\0');
    if (this.kept.has(key)) return this.kept.get(key);
    const found = scriptFields(this.facts, roots, files, parser);
    this.kept.set(key, found);
    return found;
  }

  invalidate(): void {
    this.kept.clear();
  }
}
