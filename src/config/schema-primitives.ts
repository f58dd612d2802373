import { z } from "zod";
import { DURATION_PATTERN, formatDuration, parseDuration } from "./duration.js";

/** Documentation attached to a field of the file schema (shown by editors via the JSON Schema). */
export interface FieldDoc {
  readonly description: string;
  /** The default as a user would write it; documentation only, the resolver applies defaults. */
  readonly default?: string | number | boolean | readonly string[] | undefined;
}

/** Inclusive bounds of a duration, in milliseconds. */
export interface DurationBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

export const SECOND_MS = 1_000;
/**
 * Editors validate the file before `${VAR}` references are substituted: a string holding one
 * is accepted wherever a number or duration is.
 */
const ENV_REFERENCE = ".*\\$\\{.+\\}.*";

export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * A duration field: `"30s"`, `"5m"`, `"1d"`, `"250ms"` or a number of milliseconds, parsed to
 * milliseconds and checked against `bounds`. Pass `defaultMs` to document the default.
 */
export function duration(description: string, bounds: DurationBounds, defaultMs?: number) {
  const doc: FieldDoc = {
    description: `${description} A duration: "250ms", "30s", "5m", "1h", "1d" or milliseconds.`,
    default: defaultMs === undefined ? undefined : formatDuration(defaultMs),
  };
  return (
    z
      .union(
        [
          z.number().meta({ minimum: 0 }),
          z.string().meta({ pattern: `^(${DURATION_PATTERN.slice(1, -1)}|${ENV_REFERENCE})$` }),
        ],
        {
          error: 'expected a duration such as "30s" or a number of milliseconds',
        },
      )
      // Documentation goes on the input side: zod drops defaults of transforming schemas.
      .meta(withoutUndefined(doc))
      .transform((value, ctx) => {
        let ms: number;
        try {
          ms = parseDuration(value);
        } catch (error) {
          ctx.issues.push({ code: "custom", message: (error as Error).message, input: value });
          return z.NEVER;
        }
        if (ms < bounds.minMs) {
          const min = formatDuration(bounds.minMs);
          ctx.issues.push({ code: "custom", message: `must be at least ${min}`, input: value });
        } else if (ms > bounds.maxMs) {
          const max = formatDuration(bounds.maxMs);
          ctx.issues.push({ code: "custom", message: `must be at most ${max}`, input: value });
        }
        return ms;
      })
  );
}

/** Inclusive bounds of an integer. */
export interface IntegerBounds {
  readonly min: number;
  readonly max: number;
}

const DIGITS = /^\s*\d+\s*$/;

/**
 * An integer field within `bounds`. A string of decimal digits is accepted too, so that a
 * `${VAR}` reference (always a string) can supply a number.
 */
export function integer(description: string, bounds: IntegerBounds, defaultValue?: number) {
  const range = `between ${bounds.min} and ${bounds.max}`;
  return z
    .union(
      [
        z.int().meta({ minimum: bounds.min, maximum: bounds.max }),
        z.string().meta({ pattern: `^(\\s*\\d+\\s*|${ENV_REFERENCE})$` }),
      ],
      { error: `expected an integer ${range}` },
    )
    .meta(withoutUndefined({ description, default: defaultValue }))
    .transform((value, ctx) => {
      const n = typeof value === "number" ? value : DIGITS.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
        ctx.issues.push({ code: "custom", message: `expected an integer ${range}`, input: value });
        return z.NEVER;
      }
      return n;
    });
}

/** A non-empty string without leading or trailing spaces. */
export function trimmedString(description: string, defaultValue?: string) {
  return z
    .string()
    .meta(withoutUndefined({ description, default: defaultValue }))
    .check((ctx) => {
      if (ctx.value === "") {
        ctx.issues.push({ code: "custom", message: "must not be empty", input: ctx.value });
      } else if (ctx.value.trim() !== ctx.value) {
        const message = "must not start or end with spaces";
        ctx.issues.push({ code: "custom", message, input: ctx.value });
      }
    });
}

/**
 * An `http://` or `https://` URL, returned without a trailing slash so that callers can append
 * paths (`${baseUrl}/chat/completions`). Messages never repeat the value: URLs may hold
 * credentials.
 */
export function httpUrl(description: string) {
  return z
    .string()
    .meta({ description, format: "uri" })
    .transform((value, ctx) => {
      const url = URL.canParse(value) ? new URL(value) : undefined;
      if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
        const message = "must be an http:// or https:// URL";
        ctx.issues.push({ code: "custom", message, input: value });
        return z.NEVER;
      }
      return url.href.replace(/\/+$/, "");
    });
}

function withoutUndefined(doc: FieldDoc): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([, value]) => value !== undefined));
}

/** The message of a value outside a closed set. */
export function oneOfMessage(values: readonly string[]): string {
  return `expected one of: ${values.join(", ")}`;
}
