import type { ChatCallOptions } from "../chat-provider.js";
import { ProviderError } from "../provider-error.js";
import { headerValue } from "./parse-retry-after.js";
import { discardBody, type ResponseBody, readBodyText } from "./response-body.js";
import type { UpstreamErrorResponse } from "./upstream-error-response.js";
import type { UpstreamPool, UpstreamRequest } from "./upstream-pool.js";

/** Options of `openEventStream`. */
export interface OpenEventStreamOptions {
  /** The configured provider name, for error messages. */
  readonly providerName: string;
  /** The provider's classifier of a non-2xx response. */
  readonly classifyError: (providerName: string, response: UpstreamErrorResponse) => ProviderError;
}

/**
 * Posts a streamed request and checks the response before any of it is read: a non-2xx status
 * throws the provider's classification of it (its body read up to `MAX_ERROR_BODY_BYTES`); a
 * content type other than `text/event-stream` throws `ProviderError("malformed")` (a proxy's
 * HTML page, a JSON answer) after discarding the body. A response without a content type is
 * accepted: some compatible servers send none. Transport failures and the caller's abort are
 * thrown as by `UpstreamPool.post`. Returns the body of the 2xx response, not read yet.
 */
export async function openEventStream(
  pool: UpstreamPool,
  request: UpstreamRequest,
  call: ChatCallOptions,
  options: OpenEventStreamOptions,
): Promise<ResponseBody> {
  const response = await pool.post(request, call);
  const { statusCode: status, body } = response;
  if (status < 200 || status >= 300) {
    const text = await readBodyText(body, call.signal);
    throw options.classifyError(options.providerName, {
      status,
      body: text,
      headers: response.headers,
    });
  }
  const contentType = headerValue(response.headers, "content-type") ?? "";
  if (contentType !== "" && !contentType.includes("text/event-stream")) {
    discardBody(body);
    throw new ProviderError(
      "malformed",
      `${options.providerName}: expected an event stream, got "${contentType.slice(0, 100)}"`,
      { status },
    );
  }
  return body;
}
