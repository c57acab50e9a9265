import type { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetRange, type Fix } from '../common/diagnostics';
import type { LightningFinding } from './detect';
import { assignedBefore } from './dataflow';
import { removeArguments, toEdits } from './edits';
import type { Node } from './python';

// Fixes of Trainer(...) arguments whose 2.x spelling depends on the value: a rename alone would change what the
// code does (a checkpoint callback discarded, a CPU run sent to a GPU).

/** The keyword arguments of the call a keyword belongs to, by name. */
function keywordsOf(argList: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const a of argList.namedChildren) {
    if (a?.type === 'keyword_argument') out.set(a.childForFieldName('name')?.text ?? '', a);
  }
  return out;
}

const BOOL = /^(?:True|False)$/;

/**
 * What a `checkpoint_callback=` value is: a bool literal (→ enable_checkpointing), a callback instance (a call, or
 * a name bound to a call), or unknown. `assigned` gives the value a plain name was last bound to above.
 */
export function checkpointValueKind(value: Node, assigned: (name: string) => Node | undefined): 'bool' | 'callback' | 'unknown' {
  if (BOOL.test(value.text)) return 'bool';
  if (checkpointCall(value)) return 'callback';
  if (value.type === 'identifier') {
    const bound = assigned(value.text);
    if (bound && BOOL.test(bound.text)) return 'bool';
    if (bound && checkpointCall(bound)) return 'callback';
  }
  return 'unknown';
}

/** `ModelCheckpoint(...)`, `callbacks.ModelCheckpoint(...)`, a subclass such as `BestCheckpoint(...)`: a class whose
 *  name ends in Checkpoint. Any other call (`bool(x)`, `args.get(...)`) may return a bool. */
function checkpointCall(node: Node): boolean {
  return node.type === 'call' && /(?:^|\.)\w*Checkpoint$/.test(node.childForFieldName('function')?.text ?? '');
}

/**
 * `checkpoint_callback=True/False` → `enable_checkpointing=`; a ModelCheckpoint instance goes into `callbacks=[...]`
 * (2.x would take `enable_checkpointing=<the callback>` as True and add a default ModelCheckpoint of its own,
 * dropping the user's: lightning/pytorch/trainer/connectors/callback_connector.py, _configure_checkpoint_callbacks).
 */
export function migrateCheckpointCallback(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const arg = f.node.parent;
  const value = arg?.childForFieldName('value');
  const argList = arg?.parent;
  if (arg?.type !== 'keyword_argument' || !value || argList?.type !== 'argument_list') return [];
  const kind = checkpointValueKind(value, (name) => assignedBefore(arg, name));
  if (kind === 'bool') {
    return [
      {
        title: 'Rename to enable_checkpointing',
        edits: [{ range: offsetRange(textDocument, f.node.startIndex, f.node.endIndex), newText: 'enable_checkpointing' }],
        preferred: true,
      },
    ];
  }
  if (kind !== 'callback') return [];
  const text = textDocument.getText();
  const callbacks = keywordsOf(argList).get('callbacks');
  if (!callbacks) {
    return [
      {
        title: `Pass ${value.text} in callbacks=[...]`,
        edits: [{ range: offsetRange(textDocument, arg.startIndex, arg.endIndex), newText: `callbacks=[${value.text}]` }],
        preferred: true,
      },
    ];
  }
  const list = callbacks.childForFieldName('value');
  if (list?.type !== 'list') return [];
  const removed = removeArguments(text, argList, [arg]);
  if (!removed) return [];
  const items = list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  const close = list.endIndex - 1;
  let insert: { start: number; end: number; newText: string };
  if (!items.length) insert = { start: list.startIndex + 1, end: close, newText: value.text };
  else {
    const last = items[items.length - 1];
    let b = last.endIndex;
    while (b < close && /[ \t]/.test(text[b])) b++;
    // A trailing comma stays a trailing comma: the callback goes after it, on the same terms as the others.
    if (text[b] === ',') {
      const multiline = text.slice(list.startIndex, close).includes('\n');
      const indent = multiline ? /[ \t]*$/.exec(text.slice(0, last.startIndex))![0] : '';
      insert = multiline ? { start: b + 1, end: b + 1, newText: `\n${indent}${value.text},` } : { start: b + 1, end: b + 1, newText: ` ${value.text}` };
    } else insert = { start: last.endIndex, end: last.endIndex, newText: `, ${value.text}` };
  }
  if (removed.some((s) => s.start < list.endIndex && s.end > list.startIndex)) return [];
  return [
    {
      title: `Move ${value.text} into callbacks=[...]`,
      edits: toEdits(
        textDocument,
        [...removed, insert].sort((a, b) => a.start - b.start),
      ),
      preferred: true,
    },
  ];
}

/** A hint for a checkpoint_callback= value of unknown kind. */
export function checkpointHint(f: LightningFinding): string | undefined {
  const arg = f.node.parent;
  const value = arg?.childForFieldName('value');
  if (!arg || !value) return undefined;
  const callbacks = arg.parent ? keywordsOf(arg.parent).get('callbacks')?.childForFieldName('value') : undefined;
  if (callbacks && checkpointValueKind(value, (name) => assignedBefore(arg, name)) === 'callback') {
    return `Here: drop it and pass the callback with the others, callbacks=[*${callbacks.text}, ${value.text}] if ${callbacks.text} is a list (enable_checkpointing=<a callback> would add a default ModelCheckpoint and ignore yours).`;
  }
  return `'${value.text}' is not a True/False literal nor a callback built above: if it is a ModelCheckpoint, pass it in callbacks=[...] (enable_checkpointing=<a callback> would add a default ModelCheckpoint and ignore yours); if it is a bool, rename the keyword to enable_checkpointing.`;
}

/**
 * `ModelCheckpoint(filepath="ckpts/{epoch}-{val_loss:.2f}")` → `dirpath="ckpts", filename="{epoch}-{val_loss:.2f}"`:
 * 1.x split the path with os.path.split unless it named an existing folder (callbacks/model_checkpoint.py at 1.1.8,
 * __init_ckpt_dir). Fixed only for a literal whose last part is a template (`{...}`), which cannot be a folder.
 */
export function migrateCheckpointPath(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const split = splitCheckpointPath(f);
  if (!split?.template) return [];
  const arg = f.node.parent!;
  return [{ title: `Use ${split.text}`, edits: [{ range: offsetRange(textDocument, arg.startIndex, arg.endIndex), newText: split.text }], preferred: true }];
}

function splitCheckpointPath(f: LightningFinding): { text: string; template: boolean } | undefined {
  const value = f.node.parent?.childForFieldName('value');
  const m = value?.type === 'string' ? /^(["'])([^"'\\]*)\1$/.exec(value.text) : null;
  if (!m) return undefined;
  const [, q, path] = m;
  const slash = path.lastIndexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  const name = path.slice(slash + 1);
  return { text: `dirpath=${q}${path.slice(0, slash)}${q}, filename=${q}${name}${q}`, template: name.includes('{') };
}

export function checkpointPathHint(f: LightningFinding): string | undefined {
  const split = splitCheckpointPath(f);
  return split ? `Here: ${split.text}, or dirpath= alone if the path is a folder.` : undefined;
}

/** The 1.7–1.9 Trainer's first positional parameters (trainer/trainer.py at 1.9.5); 1.5–1.6 had checkpoint_callback second. */
const FIRST_POSITIONAL = 'logger';

/** `Trainer(logger, max_epochs=1)` → `Trainer(logger=logger, ...)`: only a single, first positional argument, which was logger in every 1.x. */
export function migratePositionalTrainer(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const list = f.node.parent;
  if (list?.type !== 'argument_list') return [];
  const args = list.namedChildren.filter((a): a is Node => a !== null && a.type !== 'comment');
  const positional = args.filter((a) => !['keyword_argument', 'dictionary_splat', 'list_splat'].includes(a.type));
  if (positional.length !== 1 || args[0]?.startIndex !== f.node.startIndex) return [];
  if (keywordsOf(list).has(FIRST_POSITIONAL)) return [];
  return [
    {
      title: `Name it: ${FIRST_POSITIONAL}=${f.node.text}`,
      edits: [{ range: offsetRange(textDocument, f.node.startIndex, f.node.startIndex), newText: `${FIRST_POSITIONAL}=` }],
      preferred: true,
    },
  ];
}

/** The fields of 2.x's LRSchedulerConfig dataclass (lightning/pytorch/utilities/types.py), the 1.x dict's keys. */
const SCHEDULER_FIELDS = new Set(['scheduler', 'name', 'interval', 'frequency', 'reduce_on_plateau', 'monitor', 'strict']);

/**
 * `trainer.lr_schedulers[0]["scheduler"]` → `trainer.lr_scheduler_configs[0].scheduler`: only where each use is
 * indexed then keyed by a literal field name (a loop over the dicts is a decision).
 */
export function migrateLrSchedulers(textDocument: TextDocument, f: LightningFinding): Fix[] {
  const attr = f.node;
  const member = attr.childForFieldName('attribute');
  const index = attr.parent;
  const keyed = index?.parent;
  // len(trainer.lr_schedulers): the same count.
  if (member && index?.type === 'argument_list' && index.namedChildren.length === 1 && index.parent?.childForFieldName('function')?.text === 'len') {
    return [
      {
        title: 'Use lr_scheduler_configs',
        edits: [{ range: offsetRange(textDocument, member.startIndex, member.endIndex), newText: 'lr_scheduler_configs' }],
        preferred: true,
      },
    ];
  }
  if (
    !member ||
    index?.type !== 'subscript' ||
    index.childForFieldName('value')?.id !== attr.id ||
    keyed?.type !== 'subscript' ||
    keyed.childForFieldName('value')?.id !== index.id
  )
    return [];
  const key = keyed.childForFieldName('subscript');
  const field = key?.type === 'string' ? /^(["'])(\w+)\1$/.exec(key.text)?.[2] : undefined;
  if (!field || !SCHEDULER_FIELDS.has(field)) return [];
  return [
    {
      title: `Use ${attr.childForFieldName('object')?.text}.lr_scheduler_configs[...].${field}`,
      edits: [
        { range: offsetRange(textDocument, member.startIndex, member.endIndex), newText: 'lr_scheduler_configs' },
        { range: offsetRange(textDocument, index.endIndex, keyed.endIndex), newText: `.${field}` },
      ],
      preferred: true,
    },
  ];
}
