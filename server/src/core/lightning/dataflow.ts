import type { Node } from './python';

// Simple data flow within one module: what a plain name was last bound to above a use, in the same function (or at
// the top level). Only straight-line assignments count; a name assigned in a branch still counts (the last one
// above wins), which is what a reader of the code would take too.

const SCOPES = new Set(['function_definition', 'module', 'class_definition', 'lambda']);

function scopeOf(node: Node): Node | null {
  let s: Node | null = node.parent;
  while (s && !SCOPES.has(s.type)) s = s.parent;
  return s;
}

/** The last assignment `name = value` before `at` in the function (or module) around it: its value and statement. */
export function assignmentBefore(at: Node, name: string): { value: Node; assignment: Node } | undefined {
  const scope = scopeOf(at);
  if (!scope || scope.type === 'class_definition' || scope.type === 'lambda') return undefined;
  let found: { value: Node; assignment: Node } | undefined;
  for (const a of scope.descendantsOfType('assignment')) {
    if (!a || a.startIndex >= at.startIndex || scopeOf(a)?.id !== scope.id) continue;
    const value = a.childForFieldName('right');
    if (a.childForFieldName('left')?.text === name && value) found = { value, assignment: a };
  }
  return found;
}

export function assignedBefore(at: Node, name: string): Node | undefined {
  return assignmentBefore(at, name)?.value;
}

/**
 * "from `metrics = {...}` above": where a value came from, for a message. No line number: the assignment is in the
 * same function, and a re-check after an edit elsewhere keeps the message as it was.
 */
export function originOf(assignment: Node): string {
  const text = assignment.text.replace(/\s+/g, ' ');
  return `from \`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\` above`;
}
