import { BenchCallError, errorCode } from "./error-code.js";
import { spawnGateway } from "./gateway-child.js";
import type { GatewayUsage } from "./gateway-usage.js";
import { createH2PromptClient, type H2PromptClient } from "./h2-client.js";
import { BENCH_PROMPT } from "./scenarios.js";

/** Options of `measureRetainedStreams`. */
export interface RetainedStreamsOptions {
  /** Finished streams to leave retained (and sessions to leave behind, for comparison). */
  readonly streams: number;
  readonly concurrency: number;
  /** Calls of each kind made before the baseline, so that it holds warm code. Default 300. */
  readonly warmupCalls?: number;
}

/** Gateway memory after a full GC at each step, and what each retained object costs. */
export interface RetainedStreamsResult {
  readonly streams: number;
  readonly baseline: GatewayUsage;
  /** After `streams` unary Prompts, each of which leaves a session with one turn. */
  readonly afterSessions: GatewayUsage;
  /** After `streams` more StreamPrompts run to completion, each in a new session. */
  readonly afterStreams: GatewayUsage;
  /** Heap per session with one turn (2 messages), from the unary Prompts. */
  readonly heapBytesPerSession: number;
  /** Heap per finished stream, its new session and turn included. */
  readonly heapBytesPerStream: number;
  readonly rssBytesPerStream: number;
  /** Events a stream holds (started, deltas, completed), averaged. */
  readonly eventsPerStream: number;
  /** Failed calls by code, over both steps. */
  readonly errors: Readonly<Record<string, number>>;
  /** Events replayed when resuming the oldest measured stream at the end: proof it was kept. */
  readonly replayedEventsOfOldest: number | string;
}

/**
 * Starts a gateway of its own (so that earlier scenarios' sessions and streams do not blur the
 * figures), with a stream cap above what this leaves behind, then measures its memory after a
 * full GC before and after leaving `streams` sessions and then `streams` finished streams.
 */
export async function measureRetainedStreams(
  options: RetainedStreamsOptions,
): Promise<RetainedStreamsResult> {
  const { streams, concurrency } = options;
  const warmupCalls = options.warmupCalls ?? 300;
  const gateway = await spawnGateway({ maxRetainedStreams: 2 * (streams + warmupCalls) });
  const client = createH2PromptClient(gateway.url);
  const errors: Record<string, number> = {};
  try {
    const prompt = () => client.prompts.prompt({ prompt: BENCH_PROMPT }).then(() => 1);
    const stream = () => streamToEnd(client, {}).then((result) => result.events);
    await runCount(warmupCalls, concurrency, prompt, errors);
    await runCount(warmupCalls, concurrency, stream, errors);
    for (const key of Object.keys(errors)) delete errors[key];

    const baseline = await gateway.memory();
    await runCount(streams, concurrency, prompt, errors);
    const afterSessions = await gateway.memory();
    const oldest = await streamToEnd(client, {});
    const events = await runCount(streams - 1, concurrency, stream, errors);
    const afterStreams = await gateway.memory();
    const replayedEventsOfOldest = await streamToEnd(client, { resumeToken: oldest.firstToken })
      .then((result) => result.events)
      .catch((error: unknown) => `failed: ${errorCode(error)}`);

    const heapBytesPerSession = (afterSessions.heapUsedBytes - baseline.heapUsedBytes) / streams;
    return {
      streams,
      baseline,
      afterSessions,
      afterStreams,
      heapBytesPerSession,
      heapBytesPerStream: (afterStreams.heapUsedBytes - afterSessions.heapUsedBytes) / streams,
      rssBytesPerStream: (afterStreams.rssBytes - afterSessions.rssBytes) / streams,
      eventsPerStream: (events + oldest.events) / streams,
      errors,
      replayedEventsOfOldest,
    };
  } finally {
    client.close();
    await gateway.stop();
  }
}

/** Reads a StreamPrompt to its end; throws unless it ends with `completed`. */
async function streamToEnd(
  client: H2PromptClient,
  request: { readonly resumeToken?: string },
): Promise<{ events: number; firstToken: string }> {
  let events = 0;
  let firstToken = "";
  let completed = false;
  const call = request.resumeToken ? request : { prompt: BENCH_PROMPT };
  for await (const event of client.prompts.streamPrompt(call)) {
    if (events === 0) firstToken = event.resumeToken;
    events++;
    completed = event.event.case === "completed";
  }
  if (!completed) throw new BenchCallError("no_completed", "the stream ended unfinished");
  return { events, firstToken };
}

/**
 * Makes `count` calls, `concurrency` at a time; adds failures to `errors` by code and returns
 * the sum of what the successful calls returned.
 */
async function runCount(
  count: number,
  concurrency: number,
  call: () => Promise<number>,
  errors: Record<string, number>,
): Promise<number> {
  let started = 0;
  let total = 0;
  async function worker(): Promise<void> {
    while (started < count) {
      started++;
      try {
        // Not `total += await call()`: that reads `total` before the await and loses updates.
        const value = await call();
        total += value;
      } catch (error) {
        const code = errorCode(error);
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return total;
}
