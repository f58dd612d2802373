import { execFile } from "node:child_process";
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
const exampleDir = "examples/java";
const jar = join(exampleDir, "target", "switchboard-example.jar");
// The example's own prompt for its StreamPrompt, so the expected text is known.
const streamPrompt = "Now stream a longer answer";

describe("the Java example", () => {
  let gateway: TestGateway;

  // Generates the code and builds the runnable jar with Maven: slow on a cold ~/.m2, which the
  // first run fills from Maven Central. A missing Java or Maven rejects here, which fails the test.
  beforeAll(async () => {
    await run("bash", [join(exampleDir, "setup.sh")], { maxBuffer: 16 * 1024 * 1024 });
    gateway = await startExampleGateway();
  }, 600_000);
  afterAll(() => gateway?.shutdown());

  it("prompts, resumes an interrupted stream at the next sequence, and lists both turns", async () => {
    const { stdout } = await run("java", ["-jar", jar], {
      env: { ...process.env, SWITCHBOARD_ADDR: new URL(gateway.url).host },
      timeout: 30_000,
    });

    expect(lineAfter(stdout, "prompt answer: ")).toContain("[demo]");

    const events = keyValueEvents(stdout);
    const resumed = expectStreamResumedOnce(events, demoAnswer(streamPrompt));
    expect(events[0]?.sequence).toBe(1);
    expect(lineAfter(stdout, "interrupted after ")).toBe("3 events");
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
