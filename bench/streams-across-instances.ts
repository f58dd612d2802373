/**
 * Load check of resumable streams across instances (`npm run bench:streams`): two gateway
 * processes share one Valkey; N concurrent streams start on random instances, clients drop
 * their connection at random points and resume on the OTHER instance from their last token, up
 * to three times. For every stream the delivered events must be sequences 1..n with no gap and
 * no duplicate, end with `completed`, and their text must equal the generated answer. Prints
 * the counts and the time; exits 1 on any violation.
 *
 * Flags: --streams 1000 --delay 10 (ms between demo words) --seed 1
 */
import { parseArgs } from "node:util";
import { type Client, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import {
  PromptService,
  type StreamPromptResponse,
} from "../gen/switchboard/v1/prompt_service_pb.js";
import { demoAnswer } from "../src/providers/demo/demo-provider.js";
import { type GatewayProcess, startGatewayProcess } from "../test/support/gateway-process.js";
import { textOf } from "../test/support/stream-events.js";
import { startValkeyServer } from "../test/support/valkey-server.js";

const { values } = parseArgs({
  options: {
    streams: { type: "string", default: "1000" },
    delay: { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
  },
});
const streamCount = Number(values.streams);
const delayMs = Number(values.delay);

// A small deterministic PRNG (mulberry32) so that a run can be repeated.
let state = Number(values.seed) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Outcome {
  readonly events: StreamPromptResponse[];
  readonly resumes: number;
  readonly error?: string;
}

async function runStream(
  index: number,
  clients: readonly Client<typeof PromptService>[],
): Promise<Outcome> {
  const prompt = `stream ${index}: ${Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ")}`;
  const events: StreamPromptResponse[] = [];
  let side = index % 2;
  let resumes = 0;
  for (;;) {
    const request = events.length === 0 ? { prompt } : { resumeToken: events.at(-1)!.resumeToken };
    // Drop the connection after a random number of events, at most three times per stream.
    const dropAfter = resumes < 3 && random() < 0.6 ? 1 + Math.floor(random() * 12) : Infinity;
    let received = 0;
    try {
      for await (const event of clients[side]!.streamPrompt(request)) {
        events.push(event);
        if (++received >= dropAfter && event.event.case !== "completed") break;
      }
    } catch (error) {
      return { events, resumes, error: ConnectError.from(error).message };
    }
    if (events.at(-1)?.event.case === "completed") return { events, resumes };
    resumes++;
    side = 1 - side;
  }
}

function violations(index: number, outcome: Outcome): string[] {
  const found: string[] = [];
  if (outcome.error) found.push(`stream ${index}: failed: ${outcome.error}`);
  const sequences = outcome.events.map((event) => Number(event.sequence));
  const duplicates = sequences.length - new Set(sequences).size;
  if (duplicates > 0) found.push(`stream ${index}: ${duplicates} duplicate events`);
  sequences.forEach((sequence, position) => {
    if (sequence !== position + 1 && duplicates === 0)
      found.push(`stream ${index}: gap at ${position + 1}`);
  });
  const prompt = `stream ${index}: ${Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ")}`;
  if (!outcome.error && textOf(outcome.events) !== demoAnswer(prompt)) {
    found.push(`stream ${index}: delivered text differs from the generated text`);
  }
  return found;
}

const valkey = await startValkeyServer();
const config = {
  server: { host: "127.0.0.1", port: 0, limits: { maxConcurrentStreams: 2 * streamCount } },
  // info: the harness waits for the "gateway started" line.
  logging: { level: "info" },
  providers: { demo: { type: "demo", delay: delayMs } },
  models: ["demo:echo"],
  streaming: { maxRetainedStreams: 4 * streamCount },
  storage: { type: "valkey", url: valkey.url, keyPrefix: "bench:" },
};
const gateways: GatewayProcess[] = await Promise.all([
  startGatewayProcess(config),
  startGatewayProcess(config),
]);
const clients = gateways.map((gateway) =>
  createClient(PromptService, createConnectTransport({ baseUrl: gateway.url, httpVersion: "2" })),
);

const startedAt = performance.now();
const outcomes = await Promise.all(
  Array.from({ length: streamCount }, (_, index) => runStream(index, clients)),
);
const elapsedMs = performance.now() - startedAt;
const problems = outcomes.flatMap((outcome, index) => violations(index, outcome));
const resumes = outcomes.reduce((total, outcome) => total + outcome.resumes, 0);
const events = outcomes.reduce((total, outcome) => total + outcome.events.length, 0);
const summary = {
  streams: streamCount,
  completed: outcomes.filter((outcome) => outcome.events.at(-1)?.event.case === "completed").length,
  resumesOnTheOtherInstance: resumes,
  streamsResumedAtLeastOnce: outcomes.filter((outcome) => outcome.resumes > 0).length,
  eventsDelivered: events,
  gaps: problems.filter((problem) => problem.includes("gap")).length,
  duplicates: problems.filter((problem) => problem.includes("duplicate")).length,
  textMismatches: problems.filter((problem) => problem.includes("differs")).length,
  failures: problems.filter((problem) => problem.includes("failed")).length,
  seconds: Number((elapsedMs / 1000).toFixed(2)),
  demoDelayMs: delayMs,
};
console.log("streams across two instances sharing one Valkey");
for (const [key, value] of Object.entries(summary)) console.log(`  ${key.padEnd(28)} ${value}`);
for (const problem of problems.slice(0, 20)) console.log(`  ! ${problem}`);
console.log(JSON.stringify({ type: "switchboard-bench-streams", ...summary }));

await Promise.all(gateways.map((gateway) => gateway.kill()));
await valkey.stop();
process.exit(problems.length === 0 ? 0 : 1);
