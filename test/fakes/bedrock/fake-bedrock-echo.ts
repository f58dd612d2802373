import type { ServerResponse } from "node:http";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { type EchoFault, echoGarbage, echoOrHtmlPage } from "../fake-echo-faults.js";
import type { RecordedUpstreamRequest } from "../fake-upstream-server.js";
import { type ErrorFixture, errorOf, streamExceptionOf } from "./bedrock-fixtures.js";

/** The recorded error of each echoed status: its `x-amzn-ErrorType`. */
const FIXTURES: Readonly<Record<number, ErrorFixture>> = {
  401: "unrecognized-client",
  403: "access-denied",
  404: "not-found",
  429: "throttling",
  500: "internal-server",
  503: "service-unavailable",
};

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * Answers an echo fault (see `EchoFaultName`) in the Bedrock Runtime protocol: the status with
 * its exception's `x-amzn-ErrorType` and the echo as the JSON `message`; an HTML page; a 200
 * event stream whose event frames carry malformed JSON echoing the request; or a 200 event
 * stream whose one frame is a `modelStreamErrorException` with the echo as its messages.
 */
export function sendBedrockEcho(
  res: ServerResponse,
  request: RecordedUpstreamRequest,
  fault: EchoFault,
): void {
  const echo = echoOrHtmlPage(res, request, fault);
  if (echo === undefined) return;
  if (fault.shape === "json") {
    const fixture =
      FIXTURES[fault.status] ?? (fault.status >= 500 ? "internal-server" : "validation");
    res.writeHead(fault.status, {
      "content-type": "application/json",
      "x-amzn-errortype": `${errorOf(fixture).type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      "x-amzn-requestid": "fake-echo",
    });
    res.end(JSON.stringify({ message: echo }));
    return;
  }
  res.writeHead(200, {
    "content-type": "application/vnd.amazon.eventstream",
    "x-amzn-requestid": "fake-echo",
  });
  if (fault.shape === "garbage") {
    for (const data of echoGarbage(request)) res.write(frame("event", "contentBlockDelta", data));
    res.end();
    return;
  }
  const exception = "modelStreamErrorException";
  const payload = { ...streamExceptionOf(exception), message: echo, originalMessage: echo };
  res.end(frame("exception", exception, JSON.stringify(payload)));
}

/** One binary event-stream message whose payload is `body`, JSON or not. */
function frame(messageType: "event" | "exception", type: string, body: string): Uint8Array {
  return codec.encode({
    headers: {
      [messageType === "event" ? ":event-type" : ":exception-type"]: {
        type: "string",
        value: type,
      },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: messageType },
    },
    body: fromUtf8(body),
  });
}
