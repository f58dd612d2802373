import type { z } from "zod";
import type { ConfigPath, ConfigProblem } from "./config-error.js";
import { configJsonSchema } from "./config-json-schema.js";

type Issue = z.core.$ZodIssue;

/**
 * Turns zod issues into problems a user can act on: one problem per unknown key (naming the
 * allowed ones), "required" for a missing value, and, for a value that may take several shapes
 * (a model is a string or an object), the problems of the shape the value has.
 *
 * @param basePath where the parsed value sits in the file.
 * @param tree the whole (substituted) file, to describe values found at a path.
 */
export function issuesToProblems(
  issues: readonly Issue[],
  basePath: ConfigPath,
  tree: unknown,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...basePath, ...issue.path.map(toSegment)];
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = allowedKeys(path, tree);
        const hint = allowed.length === 0 ? "" : ` (allowed: ${allowed.join(", ")})`;
        for (const key of issue.keys) {
          problems.push({ path: [...path, key], message: `unknown key${hint}` });
        }
        break;
      }
      case "invalid_union": {
        const matching = issue.errors.filter((branch) => !branch.every(isWrongShape));
        const [only] = matching;
        if (matching.length === 1 && only !== undefined) {
          problems.push(...issuesToProblems(only, path, tree));
        } else {
          problems.push({ path, message: issue.message });
        }
        break;
      }
      case "invalid_type": {
        const value = valueAt(tree, path);
        const message =
          value === undefined
            ? "required"
            : `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
        problems.push({ path, message });
        break;
      }
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/** A branch of a union that failed only because the value is of another type altogether. */
function isWrongShape(issue: Issue): boolean {
  return issue.code === "invalid_type" && issue.path.length === 0;
}

function toSegment(key: PropertyKey): string | number {
  return typeof key === "number" ? key : String(key);
}

function valueAt(tree: unknown, path: ConfigPath): unknown {
  let node = tree;
  for (const segment of path) {
    if (node === null || typeof node !== "object") {
      return undefined;
    }
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** zod's type names in the words of YAML and JSON files. */
const EXPECTED: Readonly<Record<string, string>> = {
  array: "a list",
  object: "a mapping",
  record: "a mapping",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

type JsonSchemaNode = {
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly additionalProperties?: JsonSchemaNode | boolean;
  readonly items?: JsonSchemaNode;
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly oneOf?: readonly JsonSchemaNode[];
  readonly const?: unknown;
};

/** The keys the JSON Schema allows for the object at `path`, or none when unknown. */
function allowedKeys(path: ConfigPath, tree: unknown): string[] {
  let node: JsonSchemaNode | undefined = configJsonSchema() as JsonSchemaNode;
  for (let depth = 0; depth <= path.length && node !== undefined; depth++) {
    node = pickVariant(node, valueAt(tree, path.slice(0, depth)));
    const segment = path[depth];
    if (segment === undefined) break;
    if (typeof segment === "number") {
      node = node.items;
    } else {
      const extra = node.additionalProperties;
      node = node.properties?.[segment] ?? (typeof extra === "object" ? extra : undefined);
    }
  }
  return Object.keys(node?.properties ?? {}).filter((key) => key !== "$schema");
}

/** For a union, the object variant matching the value (by its `type` key when there are several). */
function pickVariant(node: JsonSchemaNode, value: unknown): JsonSchemaNode {
  const variants = (node.anyOf ?? node.oneOf ?? []).filter((v) => v.properties !== undefined);
  if (variants.length === 0) {
    return node;
  }
  const type =
    value !== null && typeof value === "object" ? (value as { type?: unknown }).type : undefined;
  return variants.find((v) => v.properties?.type?.const === type) ?? variants[0] ?? node;
}
