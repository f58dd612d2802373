/**
 * A deep copy of plain data (objects, arrays, primitives), frozen at every level. The memory
 * stores keep only such copies and hand them out as they are: a caller can neither change what
 * is stored through a value it passed in nor through a value it got back, and no copy is made
 * on the (far more frequent) reads.
 */
export function frozenCopy<T>(value: T): T {
  if (Array.isArray(value)) {
    return Object.freeze(value.map((item: unknown) => frozenCopy(item))) as T;
  }
  if (value !== null && typeof value === "object") {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = frozenCopy(item);
    }
    return Object.freeze(copy) as T;
  }
  return value;
}
