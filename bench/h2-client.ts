import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { PromptService } from "../gen/switchboard/v1/prompt_service_pb.js";

/** A Connect client (binary format) over one HTTP/2 connection that `close` ends. */
export interface H2PromptClient {
  readonly prompts: Client<typeof PromptService>;
  close(): void;
}

/**
 * Creates a Connect binary client on its own HTTP/2 session manager: the default one would keep
 * its idle connection open and the benchmark from exiting.
 */
export function createH2PromptClient(baseUrl: string): H2PromptClient {
  const sessionManager = new Http2SessionManager(baseUrl);
  const transport = createConnectTransport({
    baseUrl,
    httpVersion: "2",
    useBinaryFormat: true,
    sessionManager,
  });
  return {
    prompts: createClient(PromptService, transport),
    close: () => sessionManager.abort(),
  };
}
