import type { ServerResponse } from "node:http";
import { type EchoFault, echoGarbage, echoOrHtmlPage } from "../fake-echo-faults.js";
import type { RecordedUpstreamRequest } from "../fake-upstream-server.js";
import { errorJson, type GeminiErrorFixture, sseData } from "./gemini-fixtures.js";

/** The recorded error body of each echoed status (its `code` is set to the status). */
const FIXTURES: Readonly<Record<number, GeminiErrorFixture>> = {
  401: "permission-denied",
  403: "permission-denied",
  404: "not-found",
  429: "resource-exhausted",
  500: "internal",
  503: "unavailable",
};

/**
 * Answers an echo fault (see `EchoFaultName`) in the Gemini wire format: the status's error
 * fixture with the echo as `error.message`; an HTML page; SSE events of malformed data; or a
 * 200 stream whose one event is an `{"error": …}` object (500 INTERNAL) with the echo.
 */
export function sendGeminiEcho(
  res: ServerResponse,
  request: RecordedUpstreamRequest,
  fault: EchoFault,
): void {
  const echo = echoOrHtmlPage(res, request, fault);
  if (echo === undefined) return;
  if (fault.shape === "json") {
    const fixture =
      FIXTURES[fault.status] ?? (fault.status >= 500 ? "internal" : "invalid-argument");
    res.writeHead(fault.status, { "content-type": "application/json; charset=UTF-8" });
    res.end(JSON.stringify(withEcho(fixture, fault.status, echo)));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  if (fault.shape === "garbage") {
    res.end(echoGarbage(request).map(sseData).join(""));
  } else {
    res.end(sseData(withEcho("internal", 500, echo)));
  }
}

function withEcho(fixture: GeminiErrorFixture, status: number, echo: string): unknown {
  const body = errorJson(fixture) as { error: { code: number; message: string } };
  body.error.code = status;
  body.error.message = echo;
  return body;
}
