import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnthropicProvider } from "../../../src/providers/anthropic/anthropic-provider.js";
import { resolveAnthropicEndpoint } from "../../../src/providers/anthropic/resolve-anthropic-endpoint.js";
import type { ChatProvider } from "../../../src/providers/chat-provider.js";
import {
  type FakeAnthropic,
  startFakeAnthropic,
} from "../../fakes/anthropic/fake-anthropic-server.js";
import { call, config, failureOf } from "./anthropic-provider-harness.js";

describe("createAnthropicProvider configuration", () => {
  it("defaults to the public API and tolerates a trailing slash", () => {
    expect(resolveAnthropicEndpoint(config({ baseUrl: "" }))).toEqual({
      origin: "https://api.anthropic.com",
      path: "/v1/messages",
    });
    expect(
      resolveAnthropicEndpoint(config({ baseUrl: "http://proxy:8080/anthropic/v1/" })),
    ).toEqual({ origin: "http://proxy:8080", path: "/anthropic/v1/messages" });
  });

  it("rejects a base URL that is not http or https", () => {
    expect(() => createAnthropicProvider(config({ baseUrl: "ftp://example.com/v1" }))).toThrow(
      /http or https/,
    );
    expect(() => createAnthropicProvider(config({ baseUrl: "not a url" }))).toThrow(/valid URL/);
  });
});

describe("the fake Anthropic server's request checks", () => {
  let fake: FakeAnthropic;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });

  afterAll(async () => {
    await fake.close();
  });

  async function post(headers: Record<string, string>, body: unknown) {
    const response = await fetch(`${fake.baseUrl}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  const minimal = { model: "ok", max_tokens: 16, messages: [{ role: "user", content: "Hi" }] };

  it("answers 401 authentication_error without a key and 400 without anthropic-version", async () => {
    expect(await post({ "anthropic-version": "2023-06-01" }, minimal)).toEqual({
      status: 401,
      body: expect.objectContaining({
        type: "error",
        error: { type: "authentication_error", message: "x-api-key header is required" },
      }),
    });
    expect(await post({ "x-api-key": "k" }, minimal)).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error" } },
    });
  });

  it("answers 400 without max_tokens, as the real API does", async () => {
    const { model, messages } = minimal;
    expect(
      await post({ "x-api-key": "k", "anthropic-version": "2023-06-01" }, { model, messages }),
    ).toMatchObject({ status: 400, body: { error: { message: "max_tokens: Field required" } } });
  });
});

describe("createAnthropicProvider against a server that does not speak the format", () => {
  async function withServer(
    handler: (response: ServerResponse) => void,
    use: (provider: ChatProvider) => Promise<void>,
  ): Promise<void> {
    const server = createServer((_request, response) => handler(response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const provider = createAnthropicProvider(config({ baseUrl: `http://127.0.0.1:${port}/v1` }));
    try {
      await use(provider);
    } finally {
      await provider.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("fails as malformed when a 200 answer is not an event stream", async () => {
    await withServer(
      (response) => {
        response.writeHead(200, { "content-type": "text/html" });
        response.end("<html>login page</html>");
      },
      async (provider) => {
        const error = await failureOf(provider, call("any"));
        expect(error.kind).toBe("malformed");
        expect(error.message).toBe('claude: expected an event stream, got "text/html"');
      },
    );
  });
});
