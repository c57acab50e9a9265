/**
 * Keys of a config are data: `constructor`, `toString`, `__proto__` are keys like any other. Every lookup of a key
 * that comes from a user's file goes through these, never `record[key]` or `key in record`, which also find
 * Object.prototype's members (`{}['constructor']` is a function).
 */
export function hasOwn(record: object | null | undefined, key: string | number): boolean {
  return record !== null && record !== undefined && Object.prototype.hasOwnProperty.call(record, key);
}

/** `record[key]` when the record itself has that key; undefined otherwise. */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string | number): T | undefined {
  return hasOwn(record, key) ? record![key as string] : undefined;
}
