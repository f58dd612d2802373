// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject under test.
import { describe, expect, it } from "vitest";
import { substituteEnv } from "../../src/config/env-substitution.js";

describe("substituteEnv", () => {
  it("replaces ${VAR} in every string value, nested in mappings and lists", () => {
    const tree = {
      providers: { openai: { apiKey: "${KEY}", headers: { "x-team": "team-${TEAM}" } } },
      models: ["${PROVIDER}:gpt-4o-mini"],
      server: { port: 8080 },
    };
    const result = substituteEnv(tree, { KEY: "sk-1", TEAM: "blue", PROVIDER: "openai" });
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual({
      providers: { openai: { apiKey: "sk-1", headers: { "x-team": "team-blue" } } },
      models: ["openai:gpt-4o-mini"],
      server: { port: 8080 },
    });
  });

  it("uses the default of ${VAR:-default} when the variable is unset or empty", () => {
    const tree = { a: "${UNSET:-one}", b: "${EMPTY:-two}", c: "${SET:-three}", d: "${UNSET:-}" };
    const result = substituteEnv(tree, { EMPTY: "", SET: "set" });
    expect(result.value).toEqual({ a: "one", b: "two", c: "set", d: "" });
    expect(result.problems).toEqual([]);
  });

  it("reports a missing variable without a default with the path of its value", () => {
    const tree = { providers: { openai: { apiKey: "${OPENAI_API_KEY}" } }, models: ["a", "${M}"] };
    const result = substituteEnv(tree, {});
    expect(result.problems).toEqual([
      {
        path: ["providers", "openai", "apiKey"],
        message: "environment variable OPENAI_API_KEY is not set",
      },
      { path: ["models", 1], message: "environment variable M is not set" },
    ]);
  });

  it("keeps an empty variable empty when it has no default", () => {
    expect(substituteEnv({ a: "${EMPTY}" }, { EMPTY: "" })).toEqual({
      value: { a: "" },
      problems: [],
    });
  });

  it("does not interpret the substituted value, so a secret with YAML or ${} syntax stays intact", () => {
    const secret = 'a: [b, "c"] # ${OTHER} }';
    const result = substituteEnv({ apiKey: "${SECRET}" }, { SECRET: secret, OTHER: "nope" });
    expect(result.value).toEqual({ apiKey: secret });
  });

  it("leaves keys alone and writes $${ as a literal ${", () => {
    const result = substituteEnv({ "${KEY}": "$${NOT_A_VAR}" }, { KEY: "k" });
    expect(result.value).toEqual({ "${KEY}": "${NOT_A_VAR}" });
    expect(result.problems).toEqual([]);
  });

  it("reports a malformed reference", () => {
    const result = substituteEnv({ a: "${NOT CLOSED", b: "${1BAD}" }, {});
    expect(result.problems.map((p) => p.path)).toEqual([["a"], ["b"]]);
    expect(result.problems[0]?.message).toMatch(/malformed environment reference/);
  });

  it("reports a tree that contains itself instead of recursing forever", () => {
    const list: unknown[] = [];
    list.push(list);
    const result = substituteEnv({ models: list }, {});
    expect(result.problems).toEqual([
      { path: ["models", 0], message: "contains itself (a circular YAML alias)" },
    ]);
  });
});
