import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const run = promisify(execFile);
const exampleDir = "examples/python";
const python = join(exampleDir, ".venv", "bin", "python");
// The example's own prompt for its StreamPrompt, so the expected text is known.
const streamPrompt = "Tell me about resumable streams";

interface PrintedEvent {
  readonly label: string;
  readonly sequence: number;
  readonly type: string;
  /** The delta's text, printed as JSON; empty for other events. */
  readonly text: string;
}

/** Parses the example's `<label> <sequence> <type> [<JSON text>]` lines. */
function eventsOf(output: string): PrintedEvent[] {
  const events: PrintedEvent[] = [];
  for (const line of output.split("\n")) {
    const match = /^(stream|resumed) (\d+) (\w+)(?: (.*))?$/.exec(line);
    if (match === null) continue;
    const [, label = "", sequence = "", type = "", json] = match;
    const text = json === undefined ? "" : (JSON.parse(json) as string);
    events.push({ label, sequence: Number(sequence), type, text });
  }
  return events;
}

/** The value after `prefix` on the output's first line that starts with it. */
function lineAfter(output: string, prefix: string): string | undefined {
  return output
    .split("\n")
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length);
}

describe("the Python example", () => {
  let gateway: TestGateway;

  // Creates the virtualenv, installs the pinned packages and generates the code: slow on a cold
  // pip cache. A missing python3, venv or pip rejects here, which fails the test.
  beforeAll(async () => {
    await run("bash", [join(exampleDir, "setup.sh")], { maxBuffer: 16 * 1024 * 1024 });
    gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 20 } } }),
    );
  }, 300_000);
  afterAll(() => gateway?.shutdown());

  it("prompts, resumes an interrupted stream at the next sequence, and lists both turns", async () => {
    const { stdout } = await run(python, [join(exampleDir, "example.py")], {
      env: { ...process.env, SWITCHBOARD_ADDR: new URL(gateway.url).host },
      timeout: 30_000,
    });

    expect(lineAfter(stdout, "prompt: ")).toContain("[demo]");

    const events = eventsOf(stdout);
    const beforeInterrupt = events.filter((event) => event.label === "stream");
    const resumed = events.filter((event) => event.label === "resumed");
    expect(beforeInterrupt.map((event) => event.type)).toEqual(["started", "delta", "delta"]);
    expect(lineAfter(stdout, "interrupted after event ")).toMatch(/^3;/);
    expect(resumed.length).toBeGreaterThan(1);
    // One run of sequences 1, 2, 3 … across the interruption: no gap, no duplicate, and no
    // second "started" after the resume.
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    expect(resumed.some((event) => event.type === "started")).toBe(false);
    expect(resumed.at(-1)?.type).toBe("completed");

    const deltas = events.filter((event) => event.type === "delta").map((event) => event.text);
    expect(deltas.join("")).toBe(demoAnswer(streamPrompt));
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
