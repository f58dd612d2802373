import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { Pool } from "undici";
import {
  type PromptRequest,
  PromptRequestSchema,
  type PromptResponse,
  PromptResponseSchema,
} from "../gen/switchboard/v1/prompt_service_pb.js";
import { BenchCallError } from "./error-code.js";
import { createH2PromptClient } from "./h2-client.js";
import type { BenchCall } from "./run-load.js";

/** One measured workload against a running gateway. */
export interface Scenario {
  /** Short id used in flags and the JSON summary: "a" … "e". */
  readonly id: string;
  readonly title: string;
  readonly call: BenchCall;
  /** Marks the calls record besides their duration, in the order they happen. */
  readonly marks: readonly string[];
  /** What the call's own duration means, e.g. "completed" for a stream. */
  readonly durationLabel: string;
  close(): Promise<void>;
}

/** Where the scenarios send their calls. */
export interface ScenarioTarget {
  /** e.g. "http://127.0.0.1:40123". */
  readonly url: string;
  readonly port: number;
  readonly concurrency: number;
}

/** The prompt every call sends: short, so that the gateway's per-call overhead dominates. */
export const BENCH_PROMPT = "Say in one sentence why HTTP/2 multiplexing helps an RPC gateway.";

/** Turns per session in scenario e before the worker starts a new session. */
export const TURNS_PER_SESSION = 20;

const PROMPT_PATH = "/switchboard.v1.PromptService/Prompt";

/** The scenarios by id, in run order. */
export const SCENARIOS: Readonly<Record<string, (target: ScenarioTarget) => Scenario>> = {
  a: connectJsonOverHttp1,
  b: connectBinaryOverH2,
  c: grpcJsUnary,
  d: streamOverH2,
  e: sessionTurnsOverH2,
};

function expectAnswer(text: unknown): void {
  if (typeof text !== "string" || text === "") {
    throw new BenchCallError("empty_answer", "the answer has no text");
  }
}

/** a. Connect JSON on HTTP/1.1 keep-alive, as `curl -d '{"prompt":"…"}'` would call it. */
function connectJsonOverHttp1(target: ScenarioTarget): Scenario {
  const pool = new Pool(target.url, { connections: target.concurrency, pipelining: 1 });
  const body = JSON.stringify({ prompt: BENCH_PROMPT });
  const headers = { "content-type": "application/json", "connect-protocol-version": "1" };
  return {
    id: "a",
    title: "Prompt, Connect JSON, HTTP/1.1",
    marks: [],
    durationLabel: "response",
    async call() {
      const response = await pool.request({ path: PROMPT_PATH, method: "POST", headers, body });
      const answer: unknown = await response.body.json();
      const fields = typeof answer === "object" && answer !== null ? answer : {};
      if (response.statusCode !== 200) {
        const { code, message } = fields as { code?: unknown; message?: unknown };
        throw new BenchCallError(
          typeof code === "string" ? code : `http_${response.statusCode}`,
          typeof message === "string" ? message : `HTTP ${response.statusCode}`,
        );
      }
      expectAnswer((fields as { text?: unknown }).text);
    },
    close: () => pool.close(),
  };
}

/** b. Connect binary on one HTTP/2 connection (connect-node client). */
function connectBinaryOverH2(target: ScenarioTarget): Scenario {
  const client = createH2PromptClient(target.url);
  return {
    id: "b",
    title: "Prompt, Connect binary, HTTP/2",
    marks: [],
    durationLabel: "response",
    async call() {
      const answer = await client.prompts.prompt({ prompt: BENCH_PROMPT });
      expectAnswer(answer.text);
    },
    async close() {
      client.close();
    },
  };
}

/** c. gRPC from @grpc/grpc-js, the client most backend services use, on one channel. */
function grpcJsUnary(target: ScenarioTarget): Scenario {
  const client = new grpc.Client(`127.0.0.1:${target.port}`, grpc.credentials.createInsecure());
  const serialize = (request: PromptRequest): Buffer =>
    Buffer.from(toBinary(PromptRequestSchema, request));
  const deserialize = (bytes: Buffer): PromptResponse => fromBinary(PromptResponseSchema, bytes);
  const request = create(PromptRequestSchema, { prompt: BENCH_PROMPT });
  return {
    id: "c",
    title: "Prompt, gRPC (grpc-js), HTTP/2",
    marks: [],
    durationLabel: "response",
    async call() {
      const answer = await new Promise<PromptResponse | undefined>((resolve, reject) => {
        client.makeUnaryRequest(PROMPT_PATH, serialize, deserialize, request, (error, value) =>
          error ? reject(error) : resolve(value),
        );
      });
      expectAnswer(answer?.text);
    },
    async close() {
      client.close();
    },
  };
}

/** d. StreamPrompt on one HTTP/2 connection: first event and completion. */
function streamOverH2(target: ScenarioTarget): Scenario {
  const client = createH2PromptClient(target.url);
  return {
    id: "d",
    title: "StreamPrompt, Connect binary, HTTP/2",
    marks: ["first event"],
    durationLabel: "completed",
    async call(context) {
      let first = true;
      let completed = false;
      for await (const event of client.prompts.streamPrompt({ prompt: BENCH_PROMPT })) {
        if (first) context.mark("first event");
        first = false;
        if (event.event.case === "completed") completed = true;
      }
      if (!completed) throw new BenchCallError("no_completed", "the stream ended unfinished");
    },
    async close() {
      client.close();
    },
  };
}

/**
 * e. A conversation: each worker keeps a session and sends turns with its `session_id`, so
 * history grows (2 messages per turn); after `TURNS_PER_SESSION` it starts a new session. The
 * call that starts a session is made but not counted: only turns of an existing session are.
 */
function sessionTurnsOverH2(target: ScenarioTarget): Scenario {
  const client = createH2PromptClient(target.url);
  const sessions: { id: string; turns: number }[] = [];
  return {
    id: "e",
    title: `Prompt in a session (≤${TURNS_PER_SESSION} turns), Connect h2`,
    marks: [],
    durationLabel: "response",
    async call(context) {
      let session = sessions[context.worker];
      if (session === undefined || session.turns >= TURNS_PER_SESSION) {
        const started = await client.prompts.prompt({ prompt: BENCH_PROMPT });
        session = { id: started.sessionId, turns: 0 };
        sessions[context.worker] = session;
        context.discard();
        return;
      }
      const answer = await client.prompts.prompt({ prompt: BENCH_PROMPT, sessionId: session.id });
      session.turns++;
      expectAnswer(answer.text);
    },
    async close() {
      client.close();
    },
  };
}
