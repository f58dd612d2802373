import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import type { TestGateway } from "../support/test-gateway.js";
import {
  columnEvents,
  expectStreamResumedOnce,
  lineAfter,
  startExampleGateway,
} from "./example-output.js";

const run = promisify(execFile);
const exampleDir = "examples/python";
const python = join(exampleDir, ".venv", "bin", "python");
// The example's own prompt for its StreamPrompt, so the expected text is known.
const streamPrompt = "Tell me about resumable streams";

describe("the Python example", () => {
  let gateway: TestGateway;

  // Creates the virtualenv, installs the pinned packages and generates the code: slow on a cold
  // pip cache. A missing python3, venv or pip rejects here, which fails the test.
  beforeAll(async () => {
    await run("bash", [join(exampleDir, "setup.sh")], { maxBuffer: 16 * 1024 * 1024 });
    gateway = await startExampleGateway();
  }, 300_000);
  afterAll(() => gateway?.shutdown());

  it("prompts, resumes an interrupted stream at the next sequence, and lists both turns", async () => {
    const { stdout } = await run(python, [join(exampleDir, "example.py")], {
      env: { ...process.env, SWITCHBOARD_ADDR: new URL(gateway.url).host },
      timeout: 30_000,
    });

    expect(lineAfter(stdout, "prompt: ")).toContain("[demo]");

    const events = columnEvents(stdout);
    expectStreamResumedOnce(events, demoAnswer(streamPrompt));
    expect(events[0]?.sequence).toBe(1);
    expect(lineAfter(stdout, "interrupted after event ")).toMatch(/^3;/);
    expect(lineAfter(stdout, "answer: ")).toBe(demoAnswer(streamPrompt));

    // Two turns, each a user message and its answer.
    expect(lineAfter(stdout, "messages: ")).toBe("4");
    const roles = stdout
      .split("\n")
      .filter((line) => line.startsWith("  ROLE_"))
      .map((line) => line.trim().split(":")[0]);
    expect(roles).toEqual(["ROLE_USER", "ROLE_ASSISTANT", "ROLE_USER", "ROLE_ASSISTANT"]);
  });
});
