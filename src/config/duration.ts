/** Milliseconds per unit of a duration string. */
const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
} as const;

type DurationUnit = keyof typeof UNIT_MS;

/**
 * What a duration string looks like: a non-negative decimal number and one unit. Exported so the
 * JSON Schema carries the same pattern the parser accepts.
 */
export const DURATION_PATTERN = "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$";

const DURATION_SYNTAX = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

const UNIT_HINT =
  'use ms, s, m, h or d (e.g. "250ms", "30s", "5m", "1d") or a number of milliseconds';

/**
 * Parses a duration into milliseconds: `"250ms"`, `"30s"`, `"1.5m"`, `"1h"`, `"1d"`, or a number
 * that already is milliseconds (AI Warp's convention). Fractions of a millisecond are rounded.
 *
 * @throws RangeError naming the problem when the value is negative, not a finite number, has no
 *   unit or an unknown one.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RangeError(`${String(value)} is not a duration; ${UNIT_HINT}`);
    }
    if (value < 0) {
      throw new RangeError(`${value} is negative; a duration must be 0 or more`);
    }
    return checkSafe(Math.round(value), value);
  }
  const match = DURATION_SYNTAX.exec(value);
  if (match === null) {
    // A leading minus is the most likely mistake; name it rather than the generic syntax hint.
    if (/^\s*-/.test(value)) {
      throw new RangeError(`"${value}" is negative; a duration must be 0 or more`);
    }
    throw new RangeError(`"${value}" is not a duration; ${UNIT_HINT}`);
  }
  const amount = Number(match[1]);
  const unit = match[2] ?? "";
  if (unit === "") {
    throw new RangeError(`"${value}" has no unit; ${UNIT_HINT}`);
  }
  if (!isDurationUnit(unit)) {
    throw new RangeError(`"${value}" has an unknown unit "${unit}"; ${UNIT_HINT}`);
  }
  return checkSafe(Math.round(amount * UNIT_MS[unit]), value);
}

/**
 * Formats milliseconds as the shortest exact duration string (`30000` → `"30s"`, `1500` →
 * `"1500ms"`), for messages and generated documentation.
 */
export function formatDuration(ms: number): string {
  const units: readonly DurationUnit[] = ["d", "h", "m", "s"];
  for (const unit of units) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) {
      return `${ms / UNIT_MS[unit]}${unit}`;
    }
  }
  return `${ms}ms`;
}

function isDurationUnit(unit: string): unit is DurationUnit {
  return Object.hasOwn(UNIT_MS, unit);
}

function checkSafe(ms: number, original: string | number): number {
  if (!Number.isSafeInteger(ms)) {
    throw new RangeError(`${JSON.stringify(original)} is too long a duration`);
  }
  return ms;
}
