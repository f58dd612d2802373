import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const run = promisify(execFile);
const exampleDir = "examples/java";
const jar = join(exampleDir, "target", "switchboard-example.jar");
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

describe("the Java example", () => {
  let gateway: TestGateway;

  // Generates the code and builds the runnable jar with Maven: slow on a cold ~/.m2, which the
  // first run fills from Maven Central. A missing Java or Maven rejects here, which fails the test.
  beforeAll(async () => {
    await run("bash", [join(exampleDir, "setup.sh")], { maxBuffer: 16 * 1024 * 1024 });
    gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 20 } } }),
    );
  }, 600_000);
  afterAll(() => gateway?.shutdown());

  it("prompts, resumes an interrupted stream at the next sequence, and lists both turns", async () => {
    const { stdout } = await run("java", ["-jar", jar], {
      env: { ...process.env, SWITCHBOARD_ADDR: new URL(gateway.url).host },
      timeout: 30_000,
    });

    expect(lineAfter(stdout, "prompt answer: ")).toContain("[demo]");

    const events = eventsOf(stdout);
    const beforeInterrupt = events.filter((event) => event.label === "stream");
    const resumed = events.filter((event) => event.label === "resumed");
    expect(beforeInterrupt.map((event) => event.type)).toEqual(["started", "delta", "delta"]);
    expect(lineAfter(stdout, "interrupted after ")).toBe("3 events");
    expect(resumed.length).toBeGreaterThan(1);
    // One run of sequences 1, 2, 3 … across the interruption: no gap, no duplicate, and no
    // second "started" after the resume.
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    expect(resumed.some((event) => event.type === "started")).toBe(false);
    expect(resumed.at(-1)).toMatchObject({ type: "completed", rest: "result=RESULT_COMPLETE" });

    // The example prints each delta's text JSON-escaped in double quotes.
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
