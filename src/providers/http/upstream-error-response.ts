import type { HttpHeaders } from "./parse-retry-after.js";

/** A non-2xx upstream response, with its body read as text: what a classifier is given. */
export interface UpstreamErrorResponse {
  readonly status: number;
  /** The raw body, cut to `MAX_ERROR_BODY_BYTES`; parsed by the classifier, never shown. */
  readonly body: string;
  readonly headers: HttpHeaders;
}
