import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import type { ChatProvider } from "../../src/providers/chat-provider.js";
import { createOpenAiCompatibleProvider } from "../../src/providers/openai/openai-compatible-provider.js";
import { call, config, failureOf } from "./openai-provider-harness.js";

describe("createOpenAiCompatibleProvider configuration", () => {
  it("requires a baseUrl for an openai-compatible provider", () => {
    expect(() => createOpenAiCompatibleProvider(config({ baseUrl: "" }))).toThrow(
      /needs a baseUrl/,
    );
  });

  it("rejects a base URL that is not http or https", () => {
    expect(() =>
      createOpenAiCompatibleProvider(config({ baseUrl: "ftp://example.com/v1" })),
    ).toThrow(/http or https/);
  });
});

describe("createOpenAiCompatibleProvider without a server", () => {
  it("fails as unreachable when nothing listens on the port", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const unreachable = createOpenAiCompatibleProvider(
      config({ baseUrl: `http://127.0.0.1:${closedPort}/v1` }),
    );
    try {
      const error = await failureOf(unreachable, call("ok"));
      expect(error.kind).toBe("unreachable");
      expect(error.message).toBe("local: connection failed (ECONNREFUSED)");
    } finally {
      await unreachable.close();
    }
  });
});

describe("createOpenAiCompatibleProvider against a server that does not speak the format", () => {
  async function withServer(
    handler: (response: ServerResponse) => void,
    use: (provider: ChatProvider) => Promise<void>,
  ): Promise<void> {
    const server = createHttpServer((_request, response) => handler(response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const provider = createOpenAiCompatibleProvider(
      config({ baseUrl: `http://127.0.0.1:${port}/v1` }),
    );
    try {
      await use(provider);
    } finally {
      await provider.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("classifies a huge non-JSON error body by its status alone", async () => {
    await withServer(
      (response) => {
        response.writeHead(502, { "content-type": "text/html" });
        response.end(`<html>${"proxy error ".repeat(20_000)}</html>`);
      },
      async (provider) => {
        const error = await failureOf(provider, call("any"));
        expect(error.kind).toBe("overloaded");
        expect(error.message).toBe("local: HTTP 502");
      },
    );
  });

  it("fails as malformed when a 200 answer is not an event stream", async () => {
    await withServer(
      (response) => {
        response.writeHead(200, { "content-type": "text/html" });
        response.end("<html>login page</html>");
      },
      async (provider) => {
        const error = await failureOf(provider, call("any"));
        expect(error.kind).toBe("malformed");
        expect(error.message).toBe('local: expected an event stream, got "text/html"');
      },
    );
  });
});
