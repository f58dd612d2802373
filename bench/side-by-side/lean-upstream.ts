/**
 * A lean fake OpenAI chat-completions server, the upstream both gateways relay in
 * `npm run bench:side-by-side`: no latency of its own, no logging, no checks, so that it costs
 * the machine as little as possible. Every request gets the same answer: `--chunks` words
 * ("word0 word1 …"); a streamed request gets a role chunk, one chunk per word with `--delay-ms`
 * after each, a finish chunk, a usage chunk when `stream_options.include_usage` is set, and
 * `[DONE]`. It behaves as `/work/shared/peers/bench-upstream.mjs`.
 *
 *   node bench/side-by-side/lean-upstream.ts [--chunks 20] [--delay-ms 0]
 *
 * Self-contained (Node runs it with its built-in type stripping, no loader): it listens on a free
 * port of 127.0.0.1, prints `{"type":"listening","port":PORT}` and exits when its stdin ends,
 * so that it never outlives the benchmark.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "20" },
    "delay-ms": { type: "string", default: "0" },
  },
});
const chunkCount = Number(values.chunks);
const delayMs = Number(values["delay-ms"]);
const words = Array.from({ length: chunkCount }, (_, index) => `word${index} `);
const usage = {
  prompt_tokens: 10,
  completion_tokens: chunkCount,
  total_tokens: 10 + chunkCount,
};

/** The bytes of one answer to one model, built once: the gateways ask for one model each. */
interface Answer {
  readonly json: Buffer;
  readonly first: string;
  readonly deltas: readonly string[];
  readonly finish: string;
  readonly usage: string;
}

/** Answers by model name; bounded, since a model name comes from the request. */
const answers = new Map<string, Answer>();
const MAX_CACHED_ANSWERS = 16;

function sseChunk(model: string, delta: object, finishReason: string | null): string {
  const choice = { index: 0, delta, finish_reason: finishReason };
  const body = { id: "c", object: "chat.completion.chunk", created: 0, model, choices: [choice] };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function answerFor(model: string): Answer {
  const cached = answers.get(model);
  if (cached !== undefined) return cached;
  const message = { role: "assistant", content: words.join("") };
  const choice = { index: 0, message, finish_reason: "stop" };
  const usageChunk = { id: "c", object: "chat.completion.chunk", created: 0, model, choices: [] };
  const answer: Answer = {
    json: Buffer.from(
      JSON.stringify({
        id: "c",
        object: "chat.completion",
        created: 0,
        model,
        choices: [choice],
        usage,
      }),
    ),
    first: sseChunk(model, { role: "assistant", content: "" }, null),
    deltas: words.map((word) => sseChunk(model, { content: word }, null)),
    finish: sseChunk(model, {}, "stop"),
    usage: `data: ${JSON.stringify({ ...usageChunk, usage })}\n\n`,
  };
  if (answers.size < MAX_CACHED_ANSWERS) answers.set(model, answer);
  return answer;
}

interface ChatRequest {
  readonly model?: string;
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
}

async function readRequest(request: IncomingMessage): Promise<ChatRequest> {
  let raw = "";
  for await (const chunk of request) raw += chunk;
  const parsed: unknown = JSON.parse(raw || "{}");
  return typeof parsed === "object" && parsed !== null ? parsed : {};
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readRequest(request);
  const reply = answerFor(typeof body.model === "string" ? body.model : "m");
  if (body.stream !== true) {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": reply.json.length,
    });
    response.end(reply.json);
    return;
  }
  response.writeHead(200, { "content-type": "text/event-stream" });
  response.write(reply.first);
  for (const delta of reply.deltas) {
    // A gateway that went away stops the answer: nothing reads the rest.
    if (response.destroyed) return;
    response.write(delta);
    if (delayMs > 0) await sleep(delayMs);
  }
  response.write(reply.finish);
  if (body.stream_options?.include_usage === true) response.write(reply.usage);
  response.end("data: [DONE]\n\n");
}

const server = createServer((request, response) => {
  answer(request, response).catch(() => response.destroy());
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ type: "listening", port })}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
