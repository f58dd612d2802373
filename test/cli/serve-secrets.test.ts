// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are what the file says.
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/fake-openai-server.js";
import { collect, spawnCli } from "./run-cli.js";

const API_KEY = 'cli"Key\\Tq81Zr5Wx';
const HEADER = "team-Hn4Lp9Qs2W";

describe("switchboard serve with an upstream that echoes its request", () => {
  let openai: FakeOpenAi;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    openai = await startFakeOpenAi();
    dir = await mkdtemp(join(tmpdir(), "switchboard-secrets-"));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await openai.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes no configured secret to its log lines or its answers", async () => {
    const configPath = join(dir, "switchboard.yaml");
    await writeFile(
      configPath,
      [
        "logging: { level: trace }",
        "providers:",
        `  oai: { type: openai, baseUrl: "${openai.baseUrl}", apiKey: "\${ECHO_KEY}", headers: { x-team: "${HEADER}" } }`,
        "models: [oai:echo-401, oai:echo-garbage]",
        "retry: { maxRetries: 0 }",
      ].join("\n"),
    );
    child = spawnCli(["serve", "--config", configPath, "--port", "0"], { ECHO_KEY: API_KEY });
    const exited = collect(child);
    const lines: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child?.stdout ?? process.stdin }).on("line", (text) => {
        lines.push(text);
        const line = JSON.parse(text) as { msg: string; url?: string };
        if (line.msg === "gateway started" && line.url) resolve(line.url);
      });
      child?.once("exit", (code) => reject(new Error(`serve exited with ${code} before starting`)));
    });

    const answers: string[] = [];
    for (const model of ["oai:echo-401", "oai:echo-garbage"]) {
      const response = await fetch(`${url}/switchboard.v1.PromptService/Prompt`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "hi", models: [model] }),
      });
      expect(response.status).toBe(503);
      answers.push(await response.text());
    }
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);

    // The upstream did get both, and the echo did reach the answer and the log, redacted.
    expect(JSON.stringify(openai.requests.map((request) => request.headers))).toContain(HEADER);
    expect(answers[0]).toContain("x-team: [redacted]");
    expect(lines.some((line) => line.includes('"malformed chunk data"'))).toBe(true);
    const everything = [...answers, ...lines].join("\n");
    for (const piece of ["Tq81Zr5Wx", "Hn4Lp9Qs2W"]) expect(everything).not.toContain(piece);
  });
});
