/**
 * The TypeScript client of the Switchboard gateway, for browsers and Node 20+. It depends only on
 * `@connectrpc/connect`, `@connectrpc/connect-web` and `@bufbuild/protobuf`.
 */
export { Code } from "@connectrpc/connect";
export type { Attempt, Usage } from "../../gen/switchboard/v1/types_pb.js";
export { AttemptOutcome, Result } from "../../gen/switchboard/v1/types_pb.js";
export {
  type ClientStreamEvent,
  collectCompleted,
  type StreamCompletedEvent,
  type StreamModelSwitchEvent,
  type StreamPosition,
  type StreamStartedEvent,
  type StreamTextEvent,
} from "./client-stream-event.js";
export { isResumableFailure } from "./resumable-failure.js";
export type { StreamOptions } from "./resumable-stream.js";
export {
  type AskOptions,
  type AskRequest,
  type AskResult,
  createSwitchboardClient,
  type StreamRequest,
  type SwitchboardClient,
  type SwitchboardClientOptions,
} from "./switchboard-client.js";
export { SwitchboardError, toSwitchboardError } from "./switchboard-error.js";
