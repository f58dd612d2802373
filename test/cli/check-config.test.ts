// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject under test.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchboard-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("switchboard check-config", () => {
  it("prints a summary and exits 0 for a valid file", async () => {
    const result = await runCli(["check-config", "examples/config/openai-deepseek.yaml"], {
      OPENAI_API_KEY: "sk-openai",
      DEEPSEEK_API_KEY: "sk-deepseek",
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("ok: 3 providers, 3 models, storage memory\n");
    expect(result.code).toBe(0);
  });

  it("prints every problem with its path to stderr and exits 1 for an invalid file", async () => {
    const path = join(dir, "invalid.yaml");
    await writeFile(
      path,
      [
        "server:",
        "  port: http",
        "providers:",
        "  openai: {}",
        "models: [openai:gpt-4o, nobody:model]",
        "storage: { type: disk }",
      ].join("\n"),
    );
    const result = await runCli(["check-config", path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        `Invalid configuration in ${path} (4 problems):`,
        "  - server.port: expected an integer between 0 and 65535",
        "  - providers.openai.apiKey: missing; set OPENAI_API_KEY and write apiKey: ${OPENAI_API_KEY}",
        '  - models[1]: unknown provider "nobody" (configured: openai)',
        "  - storage.type: expected one of: memory, valkey",
        "",
      ].join("\n"),
    );
  });

  it("reads secrets from the environment, and reports a missing one", async () => {
    const path = "examples/config/ai-warp-style.json";
    const missing = await runCli(["check-config", path], { OPENAI_API_KEY: "sk-openai" });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "providers.deepseek.apiKey: environment variable DEEPSEEK_API_KEY is not set",
    );
    const ok = await runCli(["check-config", path], {
      OPENAI_API_KEY: "sk-openai",
      DEEPSEEK_API_KEY: "sk-deepseek",
    });
    expect(ok.stdout).toBe("ok: 2 providers, 2 models, storage valkey\n");
    expect(ok.code).toBe(0);
  });
});

describe("switchboard command line", () => {
  it("exits 2 with the usage on stderr for an unknown command", async () => {
    const result = await runCli(["launch"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^switchboard: unknown command "launch"\n\nUsage: switchboard/);
  });

  it("exits 2 for an unknown flag and for check-config without a file", async () => {
    const flag = await runCli(["serve", "--colour"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--colour'[\s\S]*Usage:/);
    const noFile = await runCli(["check-config"]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/check-config needs the FILE/);
  });

  it("prints the help and the version on stdout", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: switchboard <command>/);
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
