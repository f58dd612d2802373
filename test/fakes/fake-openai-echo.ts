import type { ServerResponse } from "node:http";
import { type EchoFault, echoGarbage, echoOrHtmlPage } from "./fake-echo-faults.js";
import type { RecordedUpstreamRequest } from "./fake-upstream-server.js";
import { type ErrorFixture, errorBody, sseData } from "./openai-fixtures.js";

/** The recorded error body of each echoed status, OpenAI's and Azure's own. */
const OPENAI_FIXTURES: Readonly<Record<number, ErrorFixture>> = {
  401: "invalid-api-key",
  404: "invalid-request",
  429: "rate-limit",
  500: "server-error",
  503: "overloaded",
};
const AZURE_FIXTURES: Readonly<Record<number, ErrorFixture>> = {
  401: "azure-unauthorized",
  404: "azure-not-found",
  429: "azure-rate-limit",
};

/**
 * Answers an echo fault (see `EchoFaultName`) in the OpenAI wire format: the status's error
 * fixture (Azure's for a deployment path) with the echo as `error.message`; an HTML page; SSE
 * events of malformed data; or a 200 stream whose one event is an `{"error": …}` object.
 */
export function sendOpenAiEcho(
  res: ServerResponse,
  request: RecordedUpstreamRequest,
  fault: EchoFault,
  azure: boolean,
): void {
  const echo = echoOrHtmlPage(res, request, fault);
  if (echo === undefined) return;
  if (fault.shape === "json") {
    const fixture =
      (azure ? AZURE_FIXTURES[fault.status] : undefined) ??
      OPENAI_FIXTURES[fault.status] ??
      (fault.status >= 500 ? "server-error" : "invalid-request");
    res.writeHead(fault.status, { "content-type": "application/json" });
    res.end(JSON.stringify(withMessage(errorBody(fixture), echo)));
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
  if (fault.shape === "garbage") {
    res.end(echoGarbage(request).map(sseData).join(""));
  } else {
    res.end(sseData(withMessage(errorBody("server-error"), echo)));
  }
}

function withMessage(body: string, message: string): unknown {
  const json = JSON.parse(body) as { error: { message: string } };
  json.error.message = message;
  return json;
}
