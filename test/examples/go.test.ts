import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import type { TestGateway } from "../support/test-gateway.js";
import {
  expectStreamResumedOnce,
  keyValueEvents,
  lineAfter,
  startExampleGateway,
} from "./example-output.js";

const run = promisify(execFile);
const exampleDir = "examples/go";
// The example's own prompt for its StreamPrompt, so the expected text is known.
const streamPrompt = "Now stream a longer answer";

describe("the Go example", () => {
  let gateway: TestGateway;
  let buildDir: string;
  let binary: string;

  // Installs the plugins, generates the code and builds the example: slow on a cold module cache.
  // A missing Go (or Node) toolchain rejects here, which fails the test.
  beforeAll(async () => {
    await run("bash", [join(exampleDir, "setup.sh")], { maxBuffer: 16 * 1024 * 1024 });
    buildDir = mkdtempSync(join(tmpdir(), "switchboard-go-example-"));
    binary = join(buildDir, "go-client");
    await run("go", ["build", "-o", binary, "."], { cwd: exampleDir });
    gateway = await startExampleGateway();
  }, 300_000);
  afterAll(async () => {
    await gateway?.shutdown();
    if (buildDir !== undefined) rmSync(buildDir, { recursive: true, force: true });
  });

  it("prompts, resumes an interrupted stream at the next sequence, and lists both turns", async () => {
    const { stdout } = await run(binary, [], {
      env: { ...process.env, SWITCHBOARD_ADDR: new URL(gateway.url).host },
      timeout: 30_000,
    });

    expect(lineAfter(stdout, "prompt answer: ")).toContain("[demo]");

    const events = keyValueEvents(stdout);
    const resumed = expectStreamResumedOnce(events, demoAnswer(streamPrompt));
    expect(resumed.at(-1)).toMatchObject({ type: "completed", rest: "result=RESULT_COMPLETE" });
    expect(lineAfter(stdout, "stream text: ")).toBe(demoAnswer(streamPrompt));

    // Two turns, each a user message and its answer.
    expect(lineAfter(stdout, "messages: ")).toBe("4");
    const roles = stdout
      .split("\n")
      .filter((line) => line.startsWith("message: "))
      .map((line) => line.split(" ")[1]);
    expect(roles).toEqual(["ROLE_USER", "ROLE_ASSISTANT", "ROLE_USER", "ROLE_ASSISTANT"]);
  });
});
