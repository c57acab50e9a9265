import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ValuePath } from '../common/valuePath';
import { keyText, MAX_DEPTH } from './parse';

/** A path into the loaded value (mapping keys and sequence indexes, as in an ajv instancePath): a kernel type. */
export type { ValuePath };

export interface Located {
  /** The value node at the path (aliases resolved); null for an empty value or a path that only exists after merges. */
  node: Node | null;
  /** The pair whose value is the node, when the last step was a mapping key. */
  pair: Pair | null;
  /** The deepest node that does exist on the way, for problems about a path the text does not spell out. */
  nearest: Node | null;
}

export function resolveAlias(doc: Document, node: unknown): unknown {
  let current = node;
  for (let i = 0; i < 16 && isAlias(current); i++) current = current.resolve(doc);
  return current;
}

/** The last pair with this key, as PyYAML keeps the last of duplicate keys. */
export function findPair(map: YAMLMap, key: string): Pair | null {
  for (let i = map.items.length - 1; i >= 0; i--) {
    const pair = map.items[i];
    if (keyText(pair.key) === key) return pair;
  }
  return null;
}

export function locate(doc: Document, path: ValuePath): Located {
  let node = resolveAlias(doc, doc.contents) as Node | null;
  let pair: Pair | null = null;
  let nearest: Node | null = node;
  for (const seg of path) {
    if (isMap(node)) {
      pair = findPair(node, String(seg));
      if (!pair) return { node: null, pair: null, nearest };
      node = resolveAlias(doc, pair.value) as Node | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = resolveAlias(doc, node.items[seg]) as Node | null;
      pair = null;
    } else {
      return { node: null, pair: null, nearest };
    }
    if (node) nearest = node;
    else if (pair && isScalar(pair.key)) nearest = pair.key;
  }
  return { node, pair, nearest };
}

export interface PositionContext {
  path: ValuePath;
  /** The pair under the offset (its key or its value). */
  pair: Pair | null;
  /** True when the offset is on the key of `pair`. */
  onKey: boolean;
  /** The scalar under the offset, if any. */
  scalar: Node | null;
}

/** What sits at a text offset: the deepest pair whose key or value spans it. Only walks real text (no aliases). */
export function contextAt(doc: Document, offset: number): PositionContext | null {
  let current: unknown = doc.contents;
  const path: ValuePath = [];
  let found: PositionContext | null = null;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    if (isMap(current)) {
      let next: unknown = null;
      for (const pair of current.items) {
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        const keyRange = key?.range;
        if (keyRange && offset >= keyRange[0] && offset <= keyRange[1]) {
          const name = keyText(key);
          if (name === null) return found;
          return { path: [...path, name], pair, onKey: true, scalar: key };
        }
        const valueRange = value?.range;
        if (valueRange && offset >= valueRange[0] && offset <= valueRange[1]) {
          const name = keyText(key);
          if (name === null) return found;
          path.push(name);
          found = { path: [...path], pair, onKey: false, scalar: isScalar(value) ? value : null };
          next = value;
          break;
        }
      }
      if (!next) return found;
      current = next;
    } else if (isSeq(current)) {
      let next: unknown = null;
      current.items.forEach((item, index) => {
        const range = (item as Node | null)?.range;
        if (!next && range && offset >= range[0] && offset <= range[1]) {
          path.push(index);
          next = item;
          if (isScalar(item)) found = { path: [...path], pair: null, onKey: false, scalar: item };
        }
      });
      if (!next) return found;
      current = next;
    } else {
      return found;
    }
  }
  return found;
}

export function isPairNode(value: unknown): value is Pair {
  return isPair(value);
}
