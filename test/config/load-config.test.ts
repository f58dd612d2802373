// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject under test.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.js";
import { loadConfig } from "../../src/config/load-config.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchboard-config-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(path: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const error = await loadConfig(path, env).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("loadConfig", () => {
  it("reads YAML with ${VAR} substitution", async () => {
    const path = await write(
      "gateway.yaml",
      [
        "server:",
        "  port: ${PORT:-0}",
        "providers:",
        "  openai:",
        "    apiKey: ${OPENAI_API_KEY}",
        "models:",
        "  - openai:gpt-4o-mini",
      ].join("\n"),
    );
    const loaded = await loadConfig(path, { OPENAI_API_KEY: "sk-test" });
    expect(loaded.source).toBe("file");
    expect(loaded.path).toBe(path);
    expect(loaded.config.server.port).toBe(0);
    expect(loaded.config.providers.openai?.apiKey).toBe("sk-test");
    expect(Object.isFrozen(loaded.config)).toBe(true);
  });

  it("reads JSON by its extension", async () => {
    const path = await write(
      "gateway.json",
      JSON.stringify({ providers: { demo: { type: "demo" } }, models: ["demo:echo"] }),
    );
    expect((await loadConfig(path, {})).config.models[0]?.id).toBe("demo:echo");
  });

  it("names the file and every problem in one error", async () => {
    const path = await write(
      "bad.yaml",
      "server: { port: -1 }\nmodels: [foo:bar]\nproviders: { demo: { type: demo } }\n",
    );
    const error = await loadError(path);
    expect(error.message).toBe(
      [
        `Invalid configuration in ${path} (2 problems):`,
        "  - server.port: expected an integer between 0 and 65535",
        '  - models[0]: unknown provider "foo" (configured: demo)',
      ].join("\n"),
    );
  });

  it("reports a YAML syntax error, with a hint for unquoted references in braces", async () => {
    const path = await write(
      "flow.yaml",
      "providers: { openai: { apiKey: ${OPENAI_API_KEY} } }\nmodels: [openai:gpt-4o]\n",
    );
    const error = await loadError(path, { OPENAI_API_KEY: "k" });
    expect(error.problems[0]?.message).toMatch(/^not valid YAML: .*quote references/);
  });

  it("rejects a key written twice instead of letting one win", async () => {
    const path = await write("twice.yaml", "models: [demo:a]\nmodels: [demo:b]\n");
    expect((await loadError(path)).problems[0]?.message).toMatch(/not valid YAML/);
  });

  it("reports invalid JSON and an unreadable file", async () => {
    const json = await write("broken.json", "{ models: [ }");
    expect((await loadError(json)).problems[0]?.message).toMatch(/^not valid JSON/);
    const missing = await loadError(join(dir, "missing.yaml"));
    expect(missing.problems[0]?.message).toBe("cannot read the file (ENOENT)");
  });

  it("resolves TLS files next to the config file and checks that they are readable", async () => {
    await write("cert.pem", "not checked for content here");
    const path = await write(
      "tls.yaml",
      "server: { tls: { cert: cert.pem, key: key.pem } }\nproviders: { demo: {} }\nmodels: [demo:echo]\n",
    );
    const error = await loadError(path);
    expect(error.problems).toEqual([
      { path: ["server", "tls", "key"], message: `cannot read ${join(dir, "key.pem")} (ENOENT)` },
    ]);
    await write("key.pem", "");
    const loaded = await loadConfig(path, {});
    expect(loaded.config.server.tls).toEqual({
      certPath: join(dir, "cert.pem"),
      keyPath: join(dir, "key.pem"),
    });
  });

  it("checks that the Valkey CA file named by storage.tls.ca is readable", async () => {
    const path = await write(
      "valkey-tls.yaml",
      [
        "providers: { demo: {} }",
        "models: [demo:echo]",
        "storage: { type: valkey, url: 'rediss://cache:6380', tls: { ca: ca.pem } }",
        "",
      ].join("\n"),
    );
    const error = await loadError(path);
    expect(error.problems).toEqual([
      { path: ["storage", "tls", "ca"], message: `cannot read ${join(dir, "ca.pem")} (ENOENT)` },
    ]);
    await write("ca.pem", "");
    const loaded = await loadConfig(path, {});
    expect(loaded.config.storage).toMatchObject({ tlsCaPath: join(dir, "ca.pem") });
  });

  describe("without a file", () => {
    it("serves the offline demo model on memory storage when no provider key is set", async () => {
      const loaded = await loadConfig(undefined, {});
      expect(loaded.source).toBe("demo");
      expect(loaded.config.models.map((m) => m.id)).toEqual(["demo:echo"]);
      expect(loaded.config.providers.demo).toMatchObject({ type: "demo", demoDelayMs: 20 });
      expect(loaded.config.storage).toEqual({ type: "memory" });
    });

    it("configures OpenAI and DeepSeek from their environment keys", async () => {
      const loaded = await loadConfig(undefined, {
        OPENAI_API_KEY: "sk-openai",
        DEEPSEEK_API_KEY: "sk-deepseek",
      });
      expect(loaded.source).toBe("environment");
      expect(loaded.config.models.map((m) => m.id)).toEqual([
        "openai:gpt-4o-mini",
        "deepseek:deepseek-chat",
      ]);
      expect(loaded.config.providers.openai?.apiKey).toBe("sk-openai");
      expect(loaded.config.providers.deepseek?.apiKey).toBe("sk-deepseek");
      expect(loaded.config.storage).toEqual({ type: "memory" });
    });

    it("configures only the provider whose key is set, and takes the key verbatim", async () => {
      const loaded = await loadConfig(undefined, {
        DEEPSEEK_API_KEY: "sk-${NOT_A_REF}",
        OPENAI_API_KEY: "",
      });
      expect(Object.keys(loaded.config.providers)).toEqual(["deepseek"]);
      expect(loaded.config.providers.deepseek?.apiKey).toBe("sk-${NOT_A_REF}");
    });
  });
});
