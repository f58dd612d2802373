import { afterEach, describe, expect, it } from "vitest";
import { openEventStream } from "../../../src/providers/http/open-event-stream.js";
import { readBodyText } from "../../../src/providers/http/response-body.js";
import type { UpstreamErrorResponse } from "../../../src/providers/http/upstream-error-response.js";
import { ProviderError } from "../../../src/providers/provider-error.js";
import {
  callOptions,
  REQUEST,
  type SseTestUpstream,
  startSseTestUpstream,
} from "./sse-test-upstream.js";

let upstream: SseTestUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

describe("openEventStream", () => {
  it("throws the provider's classification of a non-2xx response, given its status, body and headers", async () => {
    upstream = await startSseTestUpstream((_request, response) => {
      response.writeHead(429, { "content-type": "application/json", "retry-after": "2" });
      response.end('{"error":"slow down"}');
    });
    const seen: UpstreamErrorResponse[] = [];
    const classifyError = (providerName: string, response: UpstreamErrorResponse) => {
      seen.push(response);
      return new ProviderError("rate_limited", `${providerName}: classified`);
    };
    await expect(
      openEventStream(upstream.pool, REQUEST, callOptions(), { providerName: "p", classifyError }),
    ).rejects.toThrow(new ProviderError("rate_limited", "p: classified"));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.status).toBe(429);
    expect(seen[0]?.body).toBe('{"error":"slow down"}');
    expect(seen[0]?.headers["retry-after"]).toBe("2");
  });

  it("fails as malformed, with the status, when the response is not an event stream", async () => {
    upstream = await startSseTestUpstream((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html>proxy login</html>");
    });
    const error = await openEventStream(upstream.pool, REQUEST, callOptions(), {
      providerName: "p",
      classifyError: () => new ProviderError("rejected", "never"),
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      kind: "malformed",
      status: 200,
      message: 'p: expected an event stream, got "text/html"',
    });
  });

  it("gives the unread body of an event stream, and of a 2xx response without a content type", async () => {
    let withType = true;
    upstream = await startSseTestUpstream((_request, response) => {
      response.writeHead(200, withType ? { "content-type": "text/event-stream" } : {});
      response.end("data: hello\n\n");
    });
    const options = { providerName: "p", classifyError: () => new ProviderError("rejected", "x") };
    const call = callOptions();
    const typed = await openEventStream(upstream.pool, REQUEST, call, options);
    expect(await readBodyText(typed, call.signal)).toBe("data: hello\n\n");
    withType = false;
    const untyped = await openEventStream(upstream.pool, REQUEST, call, options);
    expect(await readBodyText(untyped, call.signal)).toBe("data: hello\n\n");
  });
});
