#!/usr/bin/env node
// Extracts, per torchtune release and recipe, the top-level config keys the recipe code reads, into
// schemas/src/torchtune-recipe-keys.json (committed: generate.mjs reads it, and needs no torchtune checkout).
//
// A recipe reads its config through the DictConfig it is given, always named `cfg` in torchtune's recipes (sub-configs
// are `cfg_model`, `cfg_dataset`, ...): `cfg.x`, `cfg.get("x")`, `cfg["x"]`, `"x" in cfg`, `getattr(cfg, "x")`,
// `cfg.pop("x")`, and the same through `self.cfg` / `self._cfg`. The whole config also goes to torchtune's
// CheckpointClient (read the same way, at the same release) and to loggers that only print it. A recipe that hands
// `cfg` to anything else, or reads a key whose name is not a literal, is marked incomplete: no key is judged for it.
// The dev/ recipes are left out (they pass the config to workers of their own).
//
// Usage: node schemas/tools/torchtuneRecipeKeys.mjs [path to a pytorch/torchtune git directory]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Parser, Language } = require('web-tree-sitter');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GIT_DIR = process.argv[2] ?? '/work/.mirror/pytorch+torchtune/repo';
// Releases, and the commit the torchtune schema describes (its snapshot).
const VERSIONS = [
  { version: '0.5.0', rev: 'v0.5.0' },
  { version: '0.6.0', rev: 'v0.6.0' },
  { version: '0.6.1', rev: 'v0.6.1' },
  { version: '0.6.1+bd2a0fc7', rev: 'bd2a0fc7c31430972728494fa01aaeeb0ebf1ba1' },
];
const CLIENT = 'torchtune/training/checkpointing/_checkpoint_client.py';
/** Callables that take the whole config and read no key of it (they print or resolve it). */
const READS_NOTHING = new Set(['log_config', 'config.log_config', 'OmegaConf.resolve', 'OmegaConf.to_container', 'OmegaConf.to_yaml', 'print']);
/** DictConfig methods that read one key named by their first argument. */
const KEYED_METHODS = new Set(['get', 'pop', 'setdefault']);

const git = (...args) =>
  execFileSync('git', ['--git-dir', GIT_DIR, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });

await Parser.init({ locateFile: () => require.resolve('web-tree-sitter/tree-sitter.wasm') });
const parser = new Parser();
parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));

/** Module-level string constants of torchtune at the release being read (`PROFILER_KEY = "profiler"`). */
let CONSTANTS = new Map();

function stringValue(node) {
  if (node?.type === 'identifier') return CONSTANTS.get(node.text);
  if (node?.type !== 'string') return undefined;
  const content = node.namedChildren.filter((c) => c.type === 'string_content');
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return content.map((c) => c.text).join('');
}

const isConfig = (node) => node && /^(?:self\.)?_?cfg$/.test(node.text) && (node.type === 'identifier' || node.type === 'attribute');

/** Keys read from the top-level config in one module, the callables it is handed to, and whether all reads were literal. */
function readsIn(source) {
  const tree = parser.parse(source);
  const keys = new Set();
  const handedTo = new Set();
  const problems = [];
  const defined = new Set();
  for (const n of tree.rootNode.descendantsOfType(['function_definition', 'class_definition'])) defined.add(n.childForFieldName('name')?.text);
  const visit = (node) => {
    if (node.type === 'attribute' && isConfig(node.childForFieldName('object'))) {
      const name = node.childForFieldName('attribute').text;
      const parent = node.parent;
      const called = parent?.type === 'call' && parent.childForFieldName('function')?.id === node.id;
      if (called) {
        const args = parent.childForFieldName('arguments')?.namedChildren ?? [];
        if (KEYED_METHODS.has(name)) {
          const key = stringValue(args[0]);
          if (key === undefined) problems.push(`${name}(${args[0]?.text ?? ''}) at line ${node.startPosition.row + 1}`);
          else keys.add(key);
        } else problems.push(`cfg.${name}(...) at line ${node.startPosition.row + 1}`);
      } else if (!(node.parent?.type === 'attribute' && isConfig(node.parent) && node.parent.childForFieldName('object')?.id === node.id)) {
        keys.add(name);
      }
    } else if (node.type === 'subscript' && isConfig(node.childForFieldName('value'))) {
      const key = stringValue(node.childForFieldName('subscript'));
      if (key === undefined) problems.push(`cfg[${node.childForFieldName('subscript')?.text}] at line ${node.startPosition.row + 1}`);
      else keys.add(key);
    } else if (node.type === 'comparison_operator' && /\bin\b/.test(node.text) && isConfig(node.namedChildren[1])) {
      const key = stringValue(node.namedChildren[0]);
      if (key === undefined) problems.push(`'in cfg' at line ${node.startPosition.row + 1}`);
      else keys.add(key);
    } else if (node.type === 'call') {
      const fn = node.childForFieldName('function')?.text ?? '';
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      const passed = args.some((a) => isConfig(a) || (a.type === 'keyword_argument' && isConfig(a.childForFieldName('value'))));
      if (fn === 'getattr' && isConfig(args[0])) {
        const key = stringValue(args[1]);
        if (key === undefined) problems.push(`getattr(cfg, ${args[1]?.text}) at line ${node.startPosition.row + 1}`);
        else keys.add(key);
      } else if (passed) {
        const last = fn.split('.').pop();
        if (READS_NOTHING.has(fn) || READS_NOTHING.has(last) || fn.endsWith('.log_config')) {
          /* prints it */
        } else if (defined.has(last)) {
          /* a function or class of this module: its `cfg` parameter is read here too */
        } else handedTo.add(fn);
      }
    }
    for (const c of node.namedChildren) visit(c);
  };
  visit(tree.rootNode);
  // `cfg = something` rebinding the name: then `cfg.x` may not be the top-level config.
  for (const a of tree.rootNode.descendantsOfType('assignment')) {
    if (/^(?:self\.)?_?cfg$/.test(a.childForFieldName('left')?.text ?? '') && !/^(?:self\.)?_?cfg$/.test(a.childForFieldName('right')?.text ?? ''))
      problems.push(`cfg assigned at line ${a.startPosition.row + 1}`);
  }
  tree.delete();
  return { keys, handedTo, problems };
}

const out = {
  $comment:
    "Generated by schemas/tools/torchtuneRecipeKeys.mjs from pytorch/torchtune: per release, the top-level keys each recipe (recipes/<name>.py) reads from its config, with CheckpointClient's reads. Do not edit by hand.",
  versions: {},
};
for (const { version, rev } of VERSIONS) {
  const commit = git('rev-parse', `${rev}^{commit}`).trim();
  CONSTANTS = new Map();
  const conflicting = new Set();
  for (const line of git('grep', '-h', '-E', '^[A-Z_][A-Z0-9_]* = "[A-Za-z_]+"$', commit, '--', 'torchtune', 'recipes').split('\n')) {
    const m = /^(\w+) = "(\w+)"$/.exec(line);
    if (!m) continue;
    if (CONSTANTS.has(m[1]) && CONSTANTS.get(m[1]) !== m[2]) conflicting.add(m[1]);
    CONSTANTS.set(m[1], m[2]);
  }
  for (const name of conflicting) CONSTANTS.delete(name);
  const files = git('ls-tree', '--name-only', commit, 'recipes/')
    .split('\n')
    .filter((f) => /^recipes\/[a-z0-9_]+\.py$/.test(f) && !f.endsWith('__init__.py'));
  let client; // CheckpointClient appeared in v0.6.0
  try {
    client = readsIn(git('show', `${commit}:${CLIENT}`));
  } catch {
    client = undefined;
  }
  const recipes = {};
  for (const file of files) {
    const name = file.slice('recipes/'.length, -3);
    const r = readsIn(git('show', `${commit}:${file}`));
    const keys = new Set(r.keys);
    const unknown = [];
    for (const callee of r.handedTo) {
      if (callee.split('.').pop() === 'CheckpointClient' && client && !client.problems.length && !client.handedTo.size)
        for (const k of client.keys) keys.add(k);
      else unknown.push(callee);
    }
    const problems = [...r.problems, ...unknown.map((c) => `cfg handed to ${c}`)];
    recipes[name] = problems.length ? { file, complete: false, why: problems.slice(0, 3).join('; ') } : { file, complete: true, keys: [...keys].sort() };
  }
  out.versions[version] = { commit, recipes };
}
const target = join(root, 'src', 'torchtune-recipe-keys.json');
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${target}`);
for (const [v, { recipes }] of Object.entries(out.versions)) {
  console.log(
    v,
    Object.entries(recipes)
      .map(([n, r]) => `${n}:${r.complete ? r.keys.length : `incomplete (${r.why})`}`)
      .join('\n  '),
  );
}
