import type { UniversalHandlerOptions } from "@connectrpc/connect/protocol";
import type { ProtocolRejectionListener } from "../protocol-rejections.js";

/** What the lean path shares with connect-node's handlers, so that both answer alike. */
export interface LeanOptions {
  /** connect-es's handler options, validated (`validateUniversalHandlerOptions`). */
  readonly handler: UniversalHandlerOptions;
  /** Hears the code of a call refused before its interceptors ran (malformed request …). */
  readonly onRejected: ProtocolRejectionListener;
}
