import type { ServerResponse } from "node:http";
import { faultNameOf, numberAfter } from "./fake-common-faults.js";
import type { RecordedUpstreamRequest } from "./fake-upstream-server.js";

/**
 * The echo faults every fake upstream knows: an upstream that writes the request it received —
 * its headers, credentials included, and its body — into its error, as some proxies and
 * self-hosted servers do. The model name is `<fault>` or `<fault>:<tag>`:
 * - `echo-<status>`: the provider's own JSON error body with that status (401, 404, 429, 500,
 *   503 …), its message the echo (request line, headers, body, then the headers as a URL);
 * - `echo-url-<status>`: the same, the echo starting with the headers as a URL query;
 * - `echo-html-<status>`: an HTML error page (a proxy's 502) holding the echo;
 * - `echo-garbage`: 200 with the stream's content type, then malformed stream data echoing
 *   the request, then the end of the body;
 * - `echo-stream-error`: 200, then the provider's in-stream error with the echo as message.
 */
export type EchoFaultName =
  | `echo-${number}`
  | `echo-url-${number}`
  | `echo-html-${number}`
  | "echo-garbage"
  | "echo-stream-error";

/** An echo fault resolved. */
export interface EchoFault {
  readonly kind: "echo";
  readonly shape: "json" | "html" | "garbage" | "stream-error";
  /** The HTTP status of the response (200 for the stream shapes). */
  readonly status: number;
  /** Whether the echo starts with the headers as a URL query. */
  readonly urlFirst: boolean;
}

/** Resolves an echo fault name (or a model name `<fault>:<tag>`); undefined for other names. */
export function parseEchoFault(name: string): EchoFault | undefined {
  const fault = faultNameOf(name);
  if (fault === "echo-garbage") return echo("garbage", 200);
  if (fault === "echo-stream-error") return echo("stream-error", 200);
  const html = numberAfter(fault, "echo-html-");
  if (html !== undefined) return echo("html", html);
  const url = numberAfter(fault, "echo-url-");
  if (url !== undefined) return { ...echo("json", url), urlFirst: true };
  const status = numberAfter(fault, "echo-");
  return status === undefined ? undefined : echo("json", status);
}

function echo(shape: EchoFault["shape"], status: number): EchoFault {
  return { kind: "echo", shape, status, urlFirst: false };
}

/**
 * Headers every client of the API sends, echoed last: the provider's messages are cut to 300
 * characters, and the AWS SDK's user agent alone would fill them.
 */
const COMMON_HEADERS = new Set([
  "host",
  "connection",
  "content-type",
  "content-length",
  "accept",
  "accept-encoding",
  "user-agent",
  "x-amz-user-agent",
  "amz-sdk-invocation-id",
  "amz-sdk-request",
  "x-amz-date",
  "x-amz-content-sha256",
]);

/**
 * The request as an echoing upstream writes it back: "<method> <path>", one "name: value"
 * line per header (those the client chose, credentials included, before `COMMON_HEADERS`),
 * "body: <text>", and the headers again as the query of a URL (form-encoded, as
 * `URLSearchParams` writes it); with `urlFirst`, the URL line comes first.
 */
export function echoOfRequest(request: RecordedUpstreamRequest, urlFirst = false): string {
  const received = Object.entries(request.headers).flatMap(([name, value]): [string, string][] =>
    value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
  );
  const headers = [
    ...received.filter(([name]) => !COMMON_HEADERS.has(name)),
    ...received.filter(([name]) => COMMON_HEADERS.has(name)),
  ];
  const query = new URLSearchParams(headers).toString();
  const url = `url: https://upstream.invalid${request.path.split("?")[0]}?${query}`;
  const body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);
  const lines = [
    `${request.method} ${request.path}`,
    ...headers.map(([name, value]) => `${name}: ${value}`),
    `body: ${body}`,
  ];
  return (urlFirst ? [url, ...lines] : [...lines, url]).join("\n");
}

/**
 * Answers the shape every provider shares, an HTML error page, and returns undefined; for the
 * other shapes returns the echo of `request` for the provider to write in its own format.
 */
export function echoOrHtmlPage(
  res: ServerResponse,
  request: RecordedUpstreamRequest,
  fault: EchoFault,
): string | undefined {
  const echo = echoOfRequest(request, fault.urlFirst);
  if (fault.shape !== "html") return echo;
  res.writeHead(fault.status, { "content-type": "text/html" });
  res.end(echoHtmlPage(fault.status, echo));
  return undefined;
}

/** An HTML error page, as a proxy in front of the provider sends it, holding the echo. */
function echoHtmlPage(status: number, echo: string): string {
  return [
    "<!DOCTYPE html>",
    `<html><head><title>${status} Bad Gateway</title></head>`,
    `<body><h1>${status} Bad Gateway</h1><pre>${echo}</pre><hr><center>nginx</center></body>`,
    "</html>",
  ].join("\n");
}

/**
 * The data of malformed stream events echoing the request: the whole echo in an unterminated
 * JSON object, the URL line alone, and the first lines after "{not json" (three items, within
 * the gateway's default budget of skipped events, so that each is logged at debug).
 */
export function echoGarbage(request: RecordedUpstreamRequest): string[] {
  const echo = echoOfRequest(request);
  const urlLine = echo.slice(echo.lastIndexOf("\n") + 1);
  return [
    `{"echo": ${JSON.stringify(echo)}`,
    urlLine,
    `{not json ${echo.split("\n", 4).join(" ")}`,
  ];
}
