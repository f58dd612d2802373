import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type StreamPromptResponse,
  StreamState,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { collect, textOf } from "../support/stream-events.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const prompt = Array.from({ length: 24 }, (_, i) => `word${i}`).join(" ");

describe("resumable streams", () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 15 } } }),
    );
  });
  afterAll(() => gateway.shutdown());

  it("delivers the rest exactly once after a disconnect, and the text equals an uninterrupted run", async () => {
    const uninterrupted = await collect(gateway.prompts.streamPrompt({ prompt }));
    const firstPart: StreamPromptResponse[] = [];
    // Leaving the loop cancels the call: the client disconnects after its third event.
    for await (const event of gateway.prompts.streamPrompt({ prompt })) {
      firstPart.push(event);
      if (firstPart.length === 3) break;
    }
    expect(firstPart).toHaveLength(3);
    const rest = await collect(
      gateway.prompts.streamPrompt({ resumeToken: firstPart[2]!.resumeToken }),
    );
    const all = [...firstPart, ...rest];
    expect(all.map((event) => Number(event.sequence))).toEqual(all.map((_, index) => index + 1));
    expect(all[0]!.event.case).toBe("started");
    expect(all.at(-1)!.event.case).toBe("completed");
    expect(textOf(all)).toBe(textOf(uninterrupted));
    expect(textOf(all)).toContain("word23");
  });

  it("resumes after the generation has ended, from the stored events", async () => {
    let token = "";
    let sessionId = "";
    for await (const event of gateway.prompts.streamPrompt({ prompt })) {
      if (event.event.case === "started") sessionId = event.event.value.sessionId;
      token = event.resumeToken;
      break;
    }
    // Wait for the detached generation to end: the session gets its turn only when it does.
    await expect
      .poll(async () => (await gateway.sessions.getSession({ sessionId })).session?.messageCount, {
        timeout: 5_000,
      })
      .toBe(2);
    const rest = await collect(gateway.prompts.streamPrompt({ resumeToken: token }));
    expect(rest[0]!.sequence).toBe(2n);
    expect(rest.at(-1)!.event.case).toBe("completed");
    const messages = await gateway.sessions.listMessages({ sessionId });
    expect(textOf(rest)).toBe(messages.messages[1]!.text);
  });

  it("replays the session's latest stream from its start with resume_latest", async () => {
    const original = await collect(gateway.prompts.streamPrompt({ prompt: "hello there" }));
    const started = original[0]!.event;
    if (started.case !== "started") throw new Error("first event is not started");
    const replay = await collect(
      gateway.prompts.streamPrompt({ sessionId: started.value.sessionId, resumeLatest: true }),
    );
    expect(replay.map((event) => event.sequence)).toEqual(original.map((event) => event.sequence));
    expect(replay[0]!.event.case === "started" && replay[0]!.event.value.resumed).toBe(true);
    expect(textOf(replay)).toBe(textOf(original));
  });

  it("answers NOT_FOUND for an unknown token without a prompt", async () => {
    const unknown = Buffer.from("00000000-0000-4000-8000-000000000000:3").toString("base64url");
    const error = await collect(gateway.prompts.streamPrompt({ resumeToken: unknown })).catch(
      (e: unknown) => ConnectError.from(e),
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.NotFound);
  });

  it("starts a fresh answer for an unknown token that comes with a prompt", async () => {
    const unknown = Buffer.from("00000000-0000-4000-8000-000000000000:3").toString("base64url");
    const events = await collect(
      gateway.prompts.streamPrompt({ resumeToken: unknown, prompt: "hi" }),
    );
    expect(events[0]!.event.case === "started" && events[0]!.event.value.resumed).toBe(false);
    expect(events[0]!.sequence).toBe(1n);
    expect(events.at(-1)!.event.case).toBe("completed");
  });

  it("answers INVALID_ARGUMENT for a token the gateway did not make", async () => {
    const error = await collect(gateway.prompts.streamPrompt({ resumeToken: "not-a-token" })).catch(
      (e: unknown) => ConnectError.from(e),
    );
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("stops a generation with CancelStream and ends its readers with CANCELED", async () => {
    const slowPrompt = Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ");
    const events: StreamPromptResponse[] = [];
    const reading = (async () => {
      for await (const event of gateway.prompts.streamPrompt({ prompt: slowPrompt })) {
        events.push(event);
        if (events.length === 2 && event.event.case !== "completed") {
          const started = events[0]!.event;
          if (started.case !== "started") throw new Error("first event is not started");
          const canceled = await gateway.prompts.cancelStream({ streamId: started.value.streamId });
          expect(canceled.state).toBe(StreamState.CANCELED);
        }
      }
    })();
    const error = await reading.then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.Canceled);
    expect(events.some((event) => event.event.case === "completed")).toBe(false);
    // A reader that comes later sees the same explicit end.
    const late = await collect(
      gateway.prompts.streamPrompt({ resumeToken: events[0]!.resumeToken }),
    ).catch((e: unknown) => ConnectError.from(e));
    expect((late as ConnectError).code).toBe(Code.Canceled);
  });

  it("answers NOT_FOUND when canceling an unknown stream", async () => {
    const error = await gateway.prompts
      .cancelStream({ streamId: "00000000-0000-4000-8000-000000000000" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.NotFound);
  });

  it("answers INVALID_ARGUMENT when canceling with a malformed stream_id", async () => {
    for (const streamId of ["abc", "00000000-0000-4000-8000-00000000000g", " ".repeat(36)]) {
      const error = await gateway.prompts
        .cancelStream({ streamId })
        .catch((e: unknown) => ConnectError.from(e));
      expect((error as ConnectError).code).toBe(Code.InvalidArgument);
      expect((error as ConnectError).rawMessage).toMatch(/is not a valid stream id/);
    }
  });

  it("answers INVALID_ARGUMENT for a token whose sequence is not a canonical decimal", async () => {
    const events = await collect(gateway.prompts.streamPrompt({ prompt: "short" }));
    const started = events[0]!.event;
    if (started.case !== "started") throw new Error("first event is not started");
    for (const sequence of ["05", "1e1", " 5", "+5", "5.0"]) {
      const token = Buffer.from(`${started.value.streamId}:${sequence}`).toString("base64url");
      const error = await collect(gateway.prompts.streamPrompt({ resumeToken: token })).catch(
        (e: unknown) => ConnectError.from(e),
      );
      expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    }
  });

  it("answers OUT_OF_RANGE at once for a token ahead of a finished stream", async () => {
    const events = await collect(gateway.prompts.streamPrompt({ prompt: "short" }));
    const started = events[0]!.event;
    if (started.case !== "started") throw new Error("first event is not started");
    const ahead = tokenAt(started.value.streamId, events.length + 1);
    const error = await collect(gateway.prompts.streamPrompt({ resumeToken: ahead })).catch(
      (e: unknown) => ConnectError.from(e),
    );
    expect((error as ConnectError).code).toBe(Code.OutOfRange);
    expect((error as ConnectError).rawMessage).toMatch(/resume_token is ahead of the stream/);
    // The last token is not ahead: it gets an empty, successful stream.
    const last = await collect(
      gateway.prompts.streamPrompt({ resumeToken: events.at(-1)!.resumeToken }),
    );
    expect(last).toEqual([]);
  });

  it("answers OUT_OF_RANGE at once for a token ahead of a running stream, which runs on", async () => {
    const slowPrompt = Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ");
    let streamId = "";
    for await (const event of gateway.prompts.streamPrompt({ prompt: slowPrompt })) {
      if (event.event.case === "started") streamId = event.event.value.streamId;
      break;
    }
    const error = await collect(
      gateway.prompts.streamPrompt({ resumeToken: tokenAt(streamId, 1_000) }),
    ).catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.OutOfRange);
    // Still running (200 words at 15 ms take 3 s): the refused reader did not wait for the end.
    const canceled = await gateway.prompts.cancelStream({ streamId });
    expect(canceled.state).toBe(StreamState.CANCELED);
  });

  it("runs a new session's generation to its end after its client left having received started, and resumes it", async () => {
    let started: StreamPromptResponse | undefined;
    for await (const event of gateway.prompts.streamPrompt({ prompt })) {
      started = event;
      break;
    }
    if (started?.event.case !== "started") throw new Error("first event is not started");
    const { sessionId } = started.event.value;
    await expect
      .poll(async () => (await gateway.sessions.getSession({ sessionId })).session?.messageCount, {
        timeout: 5_000,
      })
      .toBe(2);
    const rest = await collect(gateway.prompts.streamPrompt({ resumeToken: started.resumeToken }));
    expect(rest[0]!.sequence).toBe(2n);
    expect(rest.at(-1)!.event.case).toBe("completed");
    expect(textOf(rest)).toContain("word23");
  });
});

/** A token for `sequence` of `streamId`, in the format the gateway writes today. */
function tokenAt(streamId: string, sequence: number): string {
  return Buffer.from(`${streamId}:${sequence}`).toString("base64url");
}
