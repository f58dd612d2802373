import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { PromptService } from "../../gen/switchboard/v1/prompt_service_pb.js";
import type {
  Attempt,
  GenerationOptionsSchema,
  Result,
  Usage,
} from "../../gen/switchboard/v1/types_pb.js";
import type { ClientStreamEvent } from "./client-stream-event.js";
import { type StreamOptions, streamWithResume } from "./resumable-stream.js";
import { toSwitchboardError } from "./switchboard-error.js";

/** Where the gateway is and how to reach it. */
export interface SwitchboardClientOptions {
  /** The gateway's URL, e.g. `http://localhost:8080`. Used when `transport` is not given. */
  readonly baseUrl: string;
  /**
   * A Connect transport to use instead of the default: `createConnectTransport({ baseUrl })` of
   * `@connectrpc/connect-web`, which runs on `fetch` (browsers, Node 20+, Deno, Bun). Pass a
   * gRPC-Web transport, or one of `@connectrpc/connect-node` for HTTP/2 in Node.
   */
  readonly transport?: Transport;
}

/** A prompt. */
export interface AskRequest {
  /** The user's message. */
  readonly prompt: string;
  /** The session to continue; empty or absent starts a new one. */
  readonly sessionId?: string;
  /** System instructions, stored with a new session. */
  readonly system?: string;
  /** Models to try in order ("provider:model") instead of the configured route. */
  readonly models?: readonly string[];
  /** Sampling options. */
  readonly options?: MessageInitShape<typeof GenerationOptionsSchema>;
  /** Free-form labels stored with the turn. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** What `stream()` accepts: a prompt, or the token of an event to resume after. */
export type StreamRequest = AskRequest | { readonly resumeToken: string };

/** Per-call options of `ask()`. */
export interface AskOptions {
  /** Cancels the call; it then throws a `SwitchboardError` with `Code.Canceled`. */
  readonly signal?: AbortSignal;
}

/** One complete answer. */
export interface AskResult {
  readonly text: string;
  /** The session the turn was stored in. */
  readonly sessionId: string;
  /** The "provider:model" that answered. */
  readonly model: string;
  readonly result: Result;
  readonly usage: Usage | undefined;
  /** Every attempt made, the successful one last. */
  readonly attempts: readonly Attempt[];
}

/** A client of the Switchboard gateway. Every method throws `SwitchboardError`. */
export interface SwitchboardClient {
  /** Asks for one complete answer (`Prompt`). */
  ask(request: AskRequest, options?: AskOptions): Promise<AskResult>;
  /**
   * Streams an answer (`StreamPrompt`): `started`, `text` deltas, `restart`/`switched` when the
   * model changes mid-answer, and `completed` with the whole text. Resumes by itself after a
   * broken connection; see `StreamOptions`.
   */
  stream(request: StreamRequest, options?: StreamOptions): AsyncIterable<ClientStreamEvent>;
  /** Stops a running generation (`CancelStream`); its readers end with `Code.Canceled`. */
  cancel(stream: { readonly streamId: string } | { readonly resumeToken: string }): Promise<void>;
}

/** Creates a client for the gateway at `baseUrl` (or behind `transport`). */
export function createSwitchboardClient(options: SwitchboardClientOptions): SwitchboardClient {
  const transport = options.transport ?? createConnectTransport({ baseUrl: options.baseUrl });
  const prompts = createClient(PromptService, transport);
  return {
    async ask(request, { signal } = {}) {
      try {
        const answer = await prompts.prompt(toRequest(request), { signal });
        return {
          text: answer.text,
          sessionId: answer.sessionId,
          model: answer.model,
          result: answer.result,
          usage: answer.usage,
          attempts: answer.attempts,
        };
      } catch (reason) {
        throw toSwitchboardError(reason);
      }
    },
    stream(request, streamOptions) {
      const call =
        "resumeToken" in request ? { resumeToken: request.resumeToken } : toRequest(request);
      return streamWithResume(prompts, call, streamOptions);
    },
    async cancel(stream) {
      try {
        await prompts.cancelStream(stream);
      } catch (reason) {
        throw toSwitchboardError(reason);
      }
    },
  };
}

/** The fields `PromptRequest` and `StreamPromptRequest` share. */
function toRequest(request: AskRequest) {
  return {
    prompt: request.prompt,
    sessionId: request.sessionId,
    system: request.system,
    models: request.models === undefined ? undefined : [...request.models],
    options: request.options,
    metadata: request.metadata === undefined ? undefined : { ...request.metadata },
  };
}
