/** Reading, writing and merging plain JSON objects by path (a bulk row over its defaults). Pure. */

/** A deep merge of JSON objects: objects merge key by key, anything else (arrays included) in `over` replaces. */
export function mergeOver(base: unknown, over: unknown): Record<string, unknown> {
  return mergeValues(base, over) as Record<string, unknown>;
}

function mergeValues(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeValues(base[key], value);
  return merged;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function getPath(obj: unknown, path: readonly string[]): unknown {
  let node = obj;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

export function stringAt(obj: unknown, path: readonly string[]): string | undefined {
  const v = getPath(obj, path);
  return typeof v === 'string' ? v : undefined;
}

export function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = obj;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
