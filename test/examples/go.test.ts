import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const run = promisify(execFile);
const exampleDir = "examples/go";
// The example's own prompt for its StreamPrompt, so the expected text is known.
const streamPrompt = "Now stream a longer answer";

interface PrintedEvent {
  readonly label: string;
  readonly sequence: number;
  readonly type: string;
  readonly rest: string;
}

/** Parses the example's `<label>: seq=N type=T …` lines. */
function eventsOf(output: string): PrintedEvent[] {
  const events: PrintedEvent[] = [];
  for (const line of output.split("\n")) {
    const match = /^(stream|resumed): seq=(\d+) type=(\w+) ?(.*)$/.exec(line);
    if (match === null) continue;
    const [, label = "", sequence = "", type = "", rest = ""] = match;
    events.push({ label, sequence: Number(sequence), type, rest });
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
    gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 20 } } }),
    );
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

    const events = eventsOf(stdout);
    const beforeInterrupt = events.filter((event) => event.label === "stream");
    const resumed = events.filter((event) => event.label === "resumed");
    expect(beforeInterrupt.map((event) => event.type)).toEqual(["started", "delta", "delta"]);
    expect(resumed.length).toBeGreaterThan(1);
    // One run of sequences across the interruption: no gap, no duplicate, no second "started".
    const first = beforeInterrupt[0]?.sequence ?? Number.NaN;
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => first + index));
    expect(resumed.some((event) => event.type === "started")).toBe(false);
    expect(resumed.at(-1)).toMatchObject({ type: "completed", rest: "result=RESULT_COMPLETE" });

    // Go's %q quoting of these ASCII deltas is valid JSON.
    const deltas = events
      .filter((event) => event.type === "delta")
      .map((event) => JSON.parse(event.rest.replace(/^text=/, "")) as string);
    expect(deltas.join("")).toBe(demoAnswer(streamPrompt));
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
