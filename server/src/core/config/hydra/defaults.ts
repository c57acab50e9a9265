import type { ValuePath } from '../ast';
import type { FileAccess } from '../rules/types';
import { isDeferred } from './callables';

/** One entry of a Hydra `defaults:` list (Hydra 1.1+ syntax), with where it sits in the loaded value. */
export interface DefaultsEntry {
  /** The config group (`optimizer`, `db/mysql`), or undefined for a plain config entry (`- base`). */
  group?: string;
  /** The option (`adamw`) or the config name of a plain entry; undefined for `_self_`. */
  option?: string;
  self: boolean;
  optional: boolean;
  override: boolean;
  /** `/group` and `/config`: from the root of the config search path, not from this file's folder. */
  absolute: boolean;
  /** Where the option's text is: ['defaults', i] or ['defaults', i, key] or ['defaults', i, key, j]. */
  path: ValuePath;
}

const KEYWORDS = /^(?:(override|optional)\s+)?(?:(override|optional)\s+)?(.+)$/;

/**
 * The entries of a `defaults:` value, or null when it is not a Hydra defaults list: each item must be a string or a
 * mapping with one key (`group: option`), as Hydra requires. Null and `???` options (a group left out, or one the
 * command line must choose) and interpolated ones are skipped: there is no file to look for.
 */
export function defaultsEntries(value: unknown): DefaultsEntry[] | null {
  if (!Array.isArray(value) || !value.length) return null;
  const out: DefaultsEntry[] = [];
  for (const [i, item] of (value as unknown[]).entries()) {
    if (typeof item === 'string') {
      const name = item.trim();
      const self = name === '_self_';
      out.push({
        option: self ? undefined : name.replace(/^\//, ''),
        self,
        optional: false,
        override: false,
        absolute: name.startsWith('/'),
        path: ['defaults', i],
      });
      continue;
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
    const keys = Object.keys(item);
    if (keys.length !== 1) return null;
    const key = keys[0];
    const m = KEYWORDS.exec(key.trim());
    if (!m) return null;
    const words = [m[1], m[2]];
    const group = m[3].replace(/@.*$/, '').trim();
    const option = (item as Record<string, unknown>)[key];
    const base = {
      group: group.replace(/^\//, ''),
      self: false,
      optional: words.includes('optional'),
      override: words.includes('override'),
      absolute: group.startsWith('/'),
    };
    const options: Array<[unknown, ValuePath]> = Array.isArray(option) ? option.map((o, j) => [o, ['defaults', i, key, j]]) : [[option, ['defaults', i, key]]];
    for (const [o, path] of options) {
      if (o === null || o === undefined || isDeferred(o) || typeof o === 'object') continue;
      out.push({ ...base, option: String(o as string | number | boolean | bigint), path });
    }
  }
  return out;
}

/** The files an entry may load, for entries resolved from this file's folder (`dir` ends with `/`). */
export function groupFiles(dir: string, entry: DefaultsEntry): string[] {
  if (entry.self || entry.absolute || !entry.option || entry.group?.split('/')[0] === 'hydra') return [];
  if (entry.option.includes('${')) return [];
  const name = entry.option.replace(/\.yaml$/, '');
  return [`${dir}${entry.group ? `${entry.group}/` : ''}${name}.yaml`];
}

export interface MissingDefault {
  entry: DefaultsEntry;
  /** `optimizer/adamw`: what Hydra says it could not find. */
  name: string;
  file: string;
}

/**
 * The entries of a defaults list whose file does not exist next to the config. Hydra stops with "Could not find
 * 'optimizer/adamw'" for a missing non-optional entry. A file that adds search paths (`hydra.searchpath`) may take
 * its groups from elsewhere: nothing is reported for it.
 */
export function missingDefaults(value: Record<string, unknown>, path: string, files: FileAccess): MissingDefault[] {
  const entries = defaultsEntries(value['defaults']);
  if (!entries) return [];
  const hydra = value['hydra'];
  if (typeof hydra === 'object' && hydra !== null && 'searchpath' in hydra) return [];
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  const out: MissingDefault[] = [];
  for (const entry of entries) {
    if (entry.optional) continue;
    const [file] = groupFiles(dir, entry);
    if (!file || files.read(file) !== undefined) continue;
    out.push({ entry, name: `${entry.group ? `${entry.group}/` : ''}${entry.option!.replace(/\.yaml$/, '')}`, file });
  }
  return out;
}
