import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const run = promisify(execFile);
const example = "examples/curl/example.sh";
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

/** A JSON string the example printed, decoded; fails the test if it is not one. */
function jsonText(printed: string | undefined): string {
  expect(printed).toMatch(/^".*"$/);
  return JSON.parse(printed ?? "") as string;
}

describe("the curl example", () => {
  let gateway: TestGateway;

  // bash and curl are the whole toolchain: a missing one makes the run below fail.
  beforeAll(async () => {
    gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 20 } } }),
    );
  });
  afterAll(() => gateway?.shutdown());

  it("prompts, resumes an interrupted stream at the next sequence, and lists both turns", async () => {
    const { stdout } = await run("bash", [example], {
      env: { ...process.env, SWITCHBOARD_URL: gateway.url },
      timeout: 30_000,
    });

    expect(jsonText(lineAfter(stdout, "prompt: "))).toContain("[demo]");
    expect(lineAfter(stdout, "session: ")).toMatch(/^[0-9a-f-]{36} \(model demo:echo\)$/);

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
    expect(jsonText(lineAfter(stdout, "answer: "))).toBe(demoAnswer(streamPrompt));

    // Two turns, each a user message and its answer.
    expect(lineAfter(stdout, "messages: ")).toBe("4");
    const listed = stdout
      .split("\n")
      .filter((line) => line.startsWith("  ROLE_"))
      .map((line) => /^ {2}(\w+): (.*)$/.exec(line)?.slice(1) ?? []);
    expect(listed.map(([role]) => role)).toEqual([
      "ROLE_USER",
      "ROLE_ASSISTANT",
      "ROLE_USER",
      "ROLE_ASSISTANT",
    ]);
    expect(jsonText(listed[2]?.[1])).toBe(streamPrompt);
    expect(jsonText(listed[3]?.[1])).toBe(demoAnswer(streamPrompt));
  });

  it("exits non-zero with the gateway's error when the URL is wrong", async () => {
    const failure = run("bash", [example], {
      env: { ...process.env, SWITCHBOARD_URL: `${gateway.url}/nope` },
      timeout: 30_000,
    });
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('"code":"not_found"'),
    });
  });
});
