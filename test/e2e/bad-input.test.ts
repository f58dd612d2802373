import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/switchboard/v1/session_service_pb.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

async function codeOf(call: Promise<unknown>): Promise<{ code: Code; message: string }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!error) throw new Error("the call succeeded but should have failed");
  return { code: error.code, message: error.rawMessage };
}

describe("bad input", () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(
      testConfig({ server: { maxPromptChars: 1_000, maxMessageBytes: 64 * 1024 } }),
    );
  });
  afterAll(() => gateway.shutdown());

  it("rejects an empty prompt with INVALID_ARGUMENT naming the field", async () => {
    const { code, message } = await codeOf(gateway.prompts.prompt({ prompt: "  " }));
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toMatch(/prompt is empty/);
  });

  it("rejects a prompt over the configured length", async () => {
    const { code, message } = await codeOf(gateway.prompts.prompt({ prompt: "x".repeat(1_001) }));
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toMatch(/1001 characters \(Unicode code points\); the limit is 1000/);
  });

  it("counts a prompt's length in code points: 1000 emoji pass, 1001 do not", async () => {
    const emoji = "😀";
    expect(emoji.length).toBe(2);
    const answer = await gateway.prompts.prompt({ prompt: emoji.repeat(1_000) });
    expect(answer.text).toContain(emoji.repeat(1_000));
    const { code, message } = await codeOf(gateway.prompts.prompt({ prompt: emoji.repeat(1_001) }));
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toMatch(/1001 characters \(Unicode code points\); the limit is 1000/);
    // Mixed text: 999 BMP characters and one emoji are 1000 code points in 1001 UTF-16 units.
    await gateway.prompts.prompt({ prompt: `${"é".repeat(999)}${emoji}` });
  });

  it("counts an appended message's length in code points at the same limit", async () => {
    const { session } = await gateway.sessions.createSession({});
    const sessionId = session!.id;
    const emoji = "🧪";
    const appended = await gateway.sessions.appendMessages({
      sessionId,
      messages: [{ role: Role.USER, text: emoji.repeat(1_000) }],
    });
    expect(appended.session?.messageCount).toBe(1);
    const { code, message } = await codeOf(
      gateway.sessions.appendMessages({
        sessionId,
        messages: [{ role: Role.USER, text: emoji.repeat(1_001) }],
      }),
    );
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toMatch(/messages\[0\]\.text has 1001 characters/);
  });

  it("rejects a malformed session id and does not create a session", async () => {
    const { code, message } = await codeOf(
      gateway.prompts.prompt({ prompt: "hi", sessionId: "abc" }),
    );
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toMatch(/session_id "abc" is not a valid session id/);
  });

  it("answers NOT_FOUND for a well-formed but unknown session id", async () => {
    const sessionId = "6f1c1a52-3f0e-4a7e-9a56-1f2f0c0f9d11";
    const { code } = await codeOf(gateway.prompts.prompt({ prompt: "hi", sessionId }));
    expect(code).toBe(Code.NotFound);
    const listed = await gateway.sessions.listSessions({});
    expect(listed.sessions.map((session) => session.id)).not.toContain(sessionId);
  });

  it("rejects an unknown model and lists the configured ones", async () => {
    const { code, message } = await codeOf(
      gateway.prompts.prompt({ prompt: "hi", models: ["openai:nope"] }),
    );
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toMatch(/"openai:nope" is not a configured model \(configured: demo:echo\)/);
  });

  it("rejects out-of-range generation options", async () => {
    const { code } = await codeOf(
      gateway.prompts.prompt({ prompt: "hi", options: { temperature: 7 } }),
    );
    expect(code).toBe(Code.InvalidArgument);
  });

  it("rejects malformed JSON with INVALID_ARGUMENT", async () => {
    const response = await fetch(`${gateway.url}/switchboard.v1.PromptService/Prompt`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"prompt": "unterminated',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe("invalid_argument");
  });

  it("rejects a JSON field of the wrong type with INVALID_ARGUMENT", async () => {
    const response = await fetch(`${gateway.url}/switchboard.v1.PromptService/Prompt`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: 42 }),
    });
    const body = (await response.json()) as { code: string };
    expect(body.code).toBe("invalid_argument");
  });

  it("answers 415 for a content type the RPC does not speak", async () => {
    const response = await fetch(`${gateway.url}/switchboard.v1.PromptService/Prompt`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(response.status).toBe(415);
  });

  it("rejects a message over maxMessageBytes with RESOURCE_EXHAUSTED", async () => {
    const { code } = await codeOf(gateway.prompts.prompt({ prompt: "y".repeat(100 * 1024) }));
    expect(code).toBe(Code.ResourceExhausted);
  });

  it("keeps serving after all of the above", async () => {
    const answer = await gateway.prompts.prompt({ prompt: "still there?" });
    expect(answer.text).toContain("still there?");
  });
});
