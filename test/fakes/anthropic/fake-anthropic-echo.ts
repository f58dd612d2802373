import type { ServerResponse } from "node:http";
import { type EchoFault, echoGarbage, echoOrHtmlPage } from "../fake-echo-faults.js";
import type { RecordedUpstreamRequest } from "../fake-upstream-server.js";
import {
  type ErrorFixture,
  errorBody,
  overloadedStreamError,
  sseEvent,
} from "./anthropic-fixtures.js";

/** The recorded error body of each echoed status. */
const FIXTURES: Readonly<Record<number, ErrorFixture>> = {
  401: "authentication",
  404: "not-found",
  429: "rate-limit",
  500: "api-error",
  529: "overloaded",
};

/**
 * Answers an echo fault (see `EchoFaultName`) in the Anthropic wire format: the status's error
 * fixture with the echo as `error.message`; an HTML page; SSE events of malformed data; or a
 * 200 stream whose one event is an `error` event (overloaded_error) with the echo as message.
 */
export function sendAnthropicEcho(
  res: ServerResponse,
  request: RecordedUpstreamRequest,
  fault: EchoFault,
  requestId: string,
): void {
  const echo = echoOrHtmlPage(res, request, fault);
  if (echo === undefined) return;
  if (fault.shape === "json") {
    const fixture =
      FIXTURES[fault.status] ?? (fault.status >= 500 ? "api-error" : "invalid-request");
    const body = JSON.parse(errorBody(fixture, requestId)) as { error: { message: string } };
    body.error.message = echo;
    res.writeHead(fault.status, { "content-type": "application/json", "request-id": requestId });
    res.end(JSON.stringify(body));
    return;
  }
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "request-id": requestId,
  });
  if (fault.shape === "garbage") {
    res.end(
      echoGarbage(request)
        .map((data) => sseEvent(data))
        .join(""),
    );
    return;
  }
  const error = overloadedStreamError() as { error: { message: string } };
  error.error.message = echo;
  res.end(sseEvent(error as unknown as Record<string, unknown>));
}
