import type { TextDocument } from 'vscode-languageserver-textdocument';
import { offsetRange, type Fix } from '../config/diagnostics';
import type { LightningFinding } from './detect';
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
  if (value.type === 'call') return 'callback';
  if (value.type === 'identifier') {
    const bound = assigned(value.text);
    if (bound && BOOL.test(bound.text)) return 'bool';
    if (bound?.type === 'call') return 'callback';
  }
  return 'unknown';
}

/** The last assignment `name = value` before `at` in the function (or module) around it. */
export function assignedBefore(at: Node, name: string): Node | undefined {
  let scope: Node | null = at.parent;
  while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
  if (!scope) return undefined;
  let found: Node | undefined;
  for (const a of scope.descendantsOfType('assignment')) {
    if (!a || a.startIndex >= at.startIndex) continue;
    let s: Node | null = a.parent;
    while (s && s.type !== 'function_definition' && s.type !== 'module' && s.type !== 'class_definition' && s.type !== 'lambda') s = s.parent;
    if (s?.id !== scope.id) continue;
    if (a.childForFieldName('left')?.text === name) found = a.childForFieldName('right') ?? undefined;
  }
  return found;
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
    return [{ title: 'Rename to enable_checkpointing', edits: [{ range: offsetRange(textDocument, f.node.startIndex, f.node.endIndex), newText: 'enable_checkpointing' }], preferred: true }];
  }
  if (kind !== 'callback') return [];
  const text = textDocument.getText();
  const callbacks = keywordsOf(argList).get('callbacks');
  if (!callbacks) {
    return [{ title: `Pass ${value.text} in callbacks=[...]`, edits: [{ range: offsetRange(textDocument, arg.startIndex, arg.endIndex), newText: `callbacks=[${value.text}]` }], preferred: true }];
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
    const last = items[items.length - 1]!;
    let b = last.endIndex;
    while (b < close && /[ \t]/.test(text[b]!)) b++;
    // A trailing comma stays a trailing comma: the callback goes after it, on the same terms as the others.
    if (text[b] === ',') {
      const multiline = text.slice(list.startIndex, close).includes('\n');
      const indent = multiline ? /[ \t]*$/.exec(text.slice(0, last.startIndex))![0] : '';
      insert = multiline ? { start: b + 1, end: b + 1, newText: `\n${indent}${value.text},` } : { start: b + 1, end: b + 1, newText: ` ${value.text}` };
    } else insert = { start: last.endIndex, end: last.endIndex, newText: `, ${value.text}` };
  }
  if (removed.some((s) => s.start < list.endIndex && s.end > list.startIndex)) return [];
  return [{ title: `Move ${value.text} into callbacks=[...]`, edits: toEdits(textDocument, [...removed, insert].sort((a, b) => a.start - b.start)), preferred: true }];
}

/** A hint for a checkpoint_callback= value of unknown kind. */
export function checkpointHint(f: LightningFinding): string | undefined {
  const value = f.node.parent?.childForFieldName('value');
  if (!value) return undefined;
  return `'${value.text}' is not a True/False literal nor a callback built above: if it is a ModelCheckpoint, pass it in callbacks=[...] (enable_checkpointing=<a callback> would add a default ModelCheckpoint and ignore yours); if it is a bool, rename the keyword to enable_checkpointing.`;
}
