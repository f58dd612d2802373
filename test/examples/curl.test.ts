import { execFile } from "node:child_process";
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
const example = "examples/curl/example.sh";
// The example's own prompt for its StreamPrompt, so the expected text is known.
const streamPrompt = "Tell me about resumable streams";

/** A JSON string the example printed, decoded; fails the test if it is not one. */
function jsonText(printed: string | undefined): string {
  expect(printed).toMatch(/^".*"$/);
  return JSON.parse(printed ?? "") as string;
}

describe("the curl example", () => {
  let gateway: TestGateway;

  // bash and curl are the whole toolchain: a missing one makes the run below fail.
  beforeAll(async () => {
    gateway = await startExampleGateway();
  });
  afterAll(() => gateway?.shutdown());

  it("prompts, resumes an interrupted stream at the next sequence, and lists both turns", async () => {
    const { stdout } = await run("bash", [example], {
      env: { ...process.env, SWITCHBOARD_URL: gateway.url },
      timeout: 30_000,
    });

    expect(jsonText(lineAfter(stdout, "prompt: "))).toContain("[demo]");
    expect(lineAfter(stdout, "session: ")).toMatch(/^[0-9a-f-]{36} \(model demo:echo\)$/);

    const events = columnEvents(stdout);
    expectStreamResumedOnce(events, demoAnswer(streamPrompt));
    expect(events[0]?.sequence).toBe(1);
    expect(lineAfter(stdout, "interrupted after event ")).toMatch(/^3;/);
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
      stderr: expect.stringContaining('"code":"unimplemented"'),
    });
  });
});
