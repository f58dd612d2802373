/**
 * The number of Unicode code points in `text` when it is more than `limit`, else undefined.
 * A code point is what a user sees as one character in most scripts: an emoji or another
 * character outside the Basic Multilingual Plane counts 1, not the 2 UTF-16 units of
 * `text.length`; a lone surrogate counts 1.
 *
 * Cheap for the common case: a string whose `.length` is within the limit is not scanned, since
 * it cannot have more code points than UTF-16 units.
 */
export function codePointsOverLimit(text: string, limit: number): number | undefined {
  if (text.length <= limit) return undefined;
  let count = text.length;
  for (let index = 0; index < text.length - 1; index++) {
    const unit = text.charCodeAt(index);
    // A high surrogate followed by a low one is one code point in two units.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        index++;
      }
    }
  }
  return count > limit ? count : undefined;
}
