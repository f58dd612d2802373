import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { collect, runCli, spawnCli } from "./run-cli.js";

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const children: ChildProcess[] = [];

afterEach(() => {
  // A failed assertion must not leave a gateway running.
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

/** Starts `switchboard serve` and resolves with its log lines once it has started. */
async function startServe(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawnCli(["serve", ...args], env);
  children.push(child);
  const lines: LogLine[] = [];
  const exited = collect(child);
  const started = new Promise<LogLine>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout ?? process.stdin });
    reader.on("line", (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        reject(new Error(`serve wrote a line that is not JSON: ${text}`));
        return;
      }
      lines.push(line);
      if (line.msg === "gateway started") resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code} before starting`)));
  });
  return { child, lines, started: await started, exited };
}

describe("switchboard serve", () => {
  it("starts the demo fallback, says how to configure a provider, and stops on SIGTERM", async () => {
    const { child, lines, started, exited } = await startServe(["--port", "0"]);
    expect(started).toMatchObject({
      level: "info",
      service: "switchboard",
      storage: "memory",
      models: ["demo:echo"],
      configSource: "demo",
    });
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const response = await fetch(`${started.url}/switchboard.v1.ModelService/ListModels`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain("demo:echo");

    const warning = lines.find((line) => line.level === "warn");
    expect(warning?.msg).toMatch(/offline demo model.*OPENAI_API_KEY.*--config/);

    child.kill("SIGTERM");
    const result = await exited;
    expect(result.code).toBe(0);
    expect(lines.map((line) => line.msg)).toContain("shutting down");
    expect(lines.at(-1)?.msg).toBe("stopped");
  });

  it("takes the file from SWITCHBOARD_CONFIG and the port from --port", async () => {
    const { child, started, exited } = await startServe(["-p", "0"], {
      SWITCHBOARD_CONFIG: "examples/config/minimal.yaml",
    });
    expect(started.configSource).toBe("file");
    expect(started.port).not.toBe(8080);
    child.kill("SIGINT");
    expect((await exited).code).toBe(0);
  });

  it("prints the one configuration error without a stack trace and exits 1", async () => {
    const result = await runCli(["serve", "--config", "examples/config/openai-deepseek.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        "Invalid configuration in examples/config/openai-deepseek.yaml (2 problems):",
        "  - providers.openai.apiKey: environment variable OPENAI_API_KEY is not set",
        "  - providers.deepseek.apiKey: environment variable DEEPSEEK_API_KEY is not set",
        "",
      ].join("\n"),
    );
  });

  it("refuses to start with a clear message and exit 1 when Valkey cannot be reached", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchboard-cli-"));
    const path = join(dir, "valkey.json");
    await writeFile(
      path,
      JSON.stringify({
        providers: { demo: { type: "demo" } },
        models: ["demo:echo"],
        // Port 1 on loopback: nothing listens there.
        storage: { type: "valkey", url: "redis://:hunter2@127.0.0.1:1" },
      }),
    );
    const result = await runCli(["serve", "--config", path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^switchboard: cannot start: cannot reach Valkey at redis:\/\/:\*\*\*@127\.0\.0\.1:1/,
    );
    expect(result.stderr + result.stdout).not.toContain("hunter2");
    await rm(dir, { recursive: true, force: true });
  });
});
