import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Codes a broken connection surfaces as: `fetch` failures and truncated bodies become `Unknown`
 * or `Internal`, a refused connection `Unavailable`, and a body cut inside a message
 * `InvalidArgument` ("protocol error: incomplete envelope").
 */
const connectionFailureCodes: readonly Code[] = [
  Code.Unknown,
  Code.Internal,
  Code.Unavailable,
  Code.InvalidArgument,
];

/**
 * True when a stream failed because the connection broke, not because the gateway said so.
 *
 * The gateway sends its statuses (an `UNAVAILABLE` with an `AttemptTrail`, a `CANCELED` stream,
 * an `INTERNAL` bug) inside a response, so they arrive with the response's headers as metadata;
 * resuming would only replay them. A failure of the connection itself never got that far: it
 * has no metadata and no details. Only those are resumed.
 */
export function isResumableFailure(reason: unknown): boolean {
  const error = ConnectError.from(reason);
  if (!connectionFailureCodes.includes(error.code)) return false;
  if (error.details.length > 0) return false;
  return [...error.metadata.keys()].length === 0;
}
