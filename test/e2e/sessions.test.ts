import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { Role } from "../../gen/switchboard/v1/session_service_pb.js";
import { Result } from "../../gen/switchboard/v1/types_pb.js";
import { createManualClock } from "../support/manual-clock.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

describe("sessions", () => {
  let gateway: TestGateway | undefined;
  afterEach(() => gateway?.shutdown());

  it("stores a finished turn and returns the session id in the body and the x-session-id header", async () => {
    gateway = await startTestGateway(testConfig());
    let header: string | null = null;
    const answer = await gateway.prompts.prompt(
      { prompt: "first", system: "be brief", metadata: { ticket: "T-1" } },
      { onHeader: (headers) => (header = headers.get("x-session-id")) },
    );
    expect(header).toBe(answer.sessionId);
    const { session } = await gateway.sessions.getSession({ sessionId: answer.sessionId });
    expect(session?.system).toBe("be brief");
    expect(session?.title).toBe("first");
    expect(session?.messageCount).toBe(2);
    const { messages } = await gateway.sessions.listMessages({ sessionId: answer.sessionId });
    expect(messages.map((message) => message.role)).toEqual([Role.USER, Role.ASSISTANT]);
    expect(messages[1]!.text).toBe(answer.text);
    expect(messages[1]!.model).toBe("demo:echo");
    expect(messages[1]!.result).toBe(Result.COMPLETE);
    expect(messages[0]!.metadata).toEqual({ ticket: "T-1" });
  });

  it("expires a session after the TTL of inactivity: NOT_FOUND afterwards", async () => {
    const clock = createManualClock();
    gateway = await startTestGateway(testConfig({ sessions: { ttlMs: 60_000 } }), {
      now: clock.now,
    });
    const { sessionId } = await gateway.prompts.prompt({ prompt: "remember me" });
    clock.advance(59_000);
    await gateway.prompts.prompt({ prompt: "still here", sessionId });
    clock.advance(59_000);
    expect((await gateway.sessions.getSession({ sessionId })).session?.messageCount).toBe(4);
    clock.advance(61_000);
    const error = await gateway.prompts
      .prompt({ prompt: "and now?", sessionId })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.NotFound);
    expect((error as ConnectError).rawMessage).toMatch(/does not exist or has expired/);
  });

  it("pages through sessions with no gap and no duplicate", async () => {
    gateway = await startTestGateway(testConfig());
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await gateway.sessions.createSession({ title: `s${i}` })).session!.id);
    }
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await gateway.sessions.listSessions({ pageSize: 3, pageToken });
      expect(page.sessions.length).toBeLessThanOrEqual(3);
      seen.push(...page.sessions.map((session) => session.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect([...seen].sort()).toEqual([...created].sort());
  });

  it("appends imported messages and sends them upstream as history", async () => {
    gateway = await startTestGateway(testConfig());
    const { session } = await gateway.sessions.createSession({ system: "sys" });
    const appended = await gateway.sessions.appendMessages({
      sessionId: session!.id,
      messages: [
        { role: Role.USER, text: "imported question" },
        { role: Role.ASSISTANT, text: "imported answer" },
      ],
    });
    expect(appended.session?.messageCount).toBe(2);
    const bad = await gateway.sessions
      .appendMessages({ sessionId: session!.id, messages: [{ text: "no role" }] })
      .catch((e: unknown) => ConnectError.from(e));
    expect((bad as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("deletes a session with its history and its streams", async () => {
    gateway = await startTestGateway(testConfig());
    let token = "";
    let sessionId = "";
    for await (const event of gateway.prompts.streamPrompt({ prompt: "to be deleted" })) {
      token = event.resumeToken;
      if (event.event.case === "started") sessionId = event.event.value.sessionId;
    }
    await gateway.sessions.deleteSession({ sessionId });
    const codes = await Promise.all([
      gateway.sessions.getSession({ sessionId }).catch((e: unknown) => ConnectError.from(e).code),
      gateway.sessions.listMessages({ sessionId }).catch((e: unknown) => ConnectError.from(e).code),
      gateway.sessions
        .deleteSession({ sessionId })
        .catch((e: unknown) => ConnectError.from(e).code),
      (async () => {
        for await (const _ of gateway!.prompts.streamPrompt({ resumeToken: token })) {
          // drain
        }
      })().catch((e: unknown) => ConnectError.from(e).code),
    ]);
    expect(codes).toEqual([Code.NotFound, Code.NotFound, Code.NotFound, Code.NotFound]);
  });
});
