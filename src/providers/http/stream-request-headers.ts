/**
 * The headers of a streamed JSON request: `content-type: application/json` and
 * `accept: text/event-stream`, then the provider's own (version, auth), then the configured
 * headers, lower-cased, which win: a gateway in front of the provider may need its own auth
 * scheme.
 */
export function streamRequestHeaders(
  own: Readonly<Record<string, string>>,
  configured: Readonly<Record<string, string>>,
): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "text/event-stream",
    ...own,
  };
  for (const [name, value] of Object.entries(configured)) headers[name.toLowerCase()] = value;
  return headers;
}
