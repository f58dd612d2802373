import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeBedrock,
  fakeBedrockAnswer,
  startFakeBedrock,
} from "../../fakes/bedrock/fake-bedrock-server.js";

/**
 * The official AWS SDK pointed at the fake: if it parses the fake's answers and errors, the
 * fake speaks the real Bedrock Runtime wire format (event-stream framing, CRCs, error types).
 */
describe("the AWS SDK against the fake Bedrock server", () => {
  let fake: FakeBedrock;
  let client: BedrockRuntimeClient;
  const question = [{ role: "user" as const, content: [{ text: "Name a colour" }] }];

  beforeAll(async () => {
    fake = await startFakeBedrock();
    client = new BedrockRuntimeClient({
      region: fake.region,
      endpoint: fake.baseUrl,
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
  });

  afterAll(async () => {
    client.destroy();
    await fake.close();
  });

  it("parses a non-streamed Converse answer with its stop reason and usage", async () => {
    const modelId = "anthropic.claude-3-5-haiku-20241022-v1:0";
    const response = await client.send(new ConverseCommand({ modelId, messages: question }));
    expect(response.output?.message?.content?.[0]?.text).toBe(
      fakeBedrockAnswer(modelId, [{ role: "user", text: "Name a colour" }]),
    );
    expect(response.stopReason).toBe("end_turn");
    expect(response.usage?.outputTokens).toBeGreaterThan(0);
    expect(fake.requestsFor(modelId)[0]?.operation).toBe("converse");
  });

  it("parses a ConverseStream answer event by event, including the usage metadata", async () => {
    const modelId = "us.meta.llama3-3-70b-instruct-v1:0";
    const response = await client.send(new ConverseStreamCommand({ modelId, messages: question }));
    const kinds: string[] = [];
    let text = "";
    for await (const event of response.stream ?? []) {
      kinds.push(Object.keys(event).filter((key) => key !== "$unknown")[0] ?? "?");
      text += event.contentBlockDelta?.delta?.text ?? "";
      if (event.metadata !== undefined) expect(event.metadata.usage?.inputTokens).toBe(4);
      if (event.messageStop !== undefined) expect(event.messageStop.stopReason).toBe("end_turn");
    }
    expect(text).toBe(fakeBedrockAnswer(modelId, [{ role: "user", text: "Name a colour" }]));
    expect(kinds[0]).toBe("messageStart");
    expect(kinds.slice(-3)).toEqual(["contentBlockStop", "messageStop", "metadata"]);
    expect(fake.requestsFor(modelId)[0]?.path).toBe(
      "/model/us.meta.llama3-3-70b-instruct-v1%3A0/converse-stream",
    );
  });

  it("raises the SDK's ThrottlingException with status 429 for a throttled model", async () => {
    const sending = client.send(
      new ConverseStreamCommand({ modelId: "throttled", messages: question }),
    );
    const error: unknown = await sending.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({
      name: "ThrottlingException",
      message: "Too many requests, please wait before trying again.",
      $metadata: { httpStatusCode: 429 },
    });
  });

  it("raises the SDK's ValidationException for an input that is too long", async () => {
    const command = new ConverseCommand({ modelId: "input-too-long", messages: question });
    const error: unknown = await client.send(command).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it("throws the in-stream modelStreamErrorException as the SDK's typed exception", async () => {
    const response = await client.send(
      new ConverseStreamCommand({ modelId: "stream-exception", messages: question }),
    );
    let text = "";
    const reading = (async () => {
      for await (const event of response.stream ?? []) {
        text += event.contentBlockDelta?.delta?.text ?? "";
      }
    })();
    await expect(reading).rejects.toMatchObject({
      name: "ModelStreamErrorException",
      originalStatusCode: 500,
    });
    expect(text.length).toBeGreaterThan(0);
  });

  it("signs requests for the fake's region, which refuses another region as AWS does", async () => {
    const elsewhere = new BedrockRuntimeClient({
      region: "eu-west-1",
      endpoint: fake.baseUrl,
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret" },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    try {
      const error: unknown = await elsewhere
        .send(new ConverseCommand({ modelId: "ok", messages: question }))
        .catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({
        name: "InvalidSignatureException",
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      elsewhere.destroy();
    }
    expect(fake.requestsFor("ok")[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/,
    );
  });
});
