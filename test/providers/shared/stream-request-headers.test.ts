import { describe, expect, it } from "vitest";
import { streamRequestHeaders } from "../../../src/providers/http/stream-request-headers.js";

describe("streamRequestHeaders", () => {
  it("asks for an event stream of a JSON request, with the provider's own headers", () => {
    expect(streamRequestHeaders({ "x-api-key": "k" }, {})).toEqual({
      "content-type": "application/json",
      accept: "text/event-stream",
      "x-api-key": "k",
    });
  });

  it("lets configured headers win, lower-cased", () => {
    const headers = streamRequestHeaders(
      { authorization: "Bearer ours" },
      { Authorization: "Basic theirs", "X-Tenant": "a" },
    );
    expect(headers.authorization).toBe("Basic theirs");
    expect(headers["x-tenant"]).toBe("a");
    expect(Object.keys(headers)).not.toContain("Authorization");
  });
});
