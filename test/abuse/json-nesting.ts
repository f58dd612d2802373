import { plainRequest } from "./well-behaved-client.js";

const DEPTH = 100_000;

/** Connect JSON bodies nested 100,000 levels deep (600 KB at most: under maxMessageBytes). */
export const nestedJsonBodies: { name: string; path: string; contentType: string; body: string }[] =
  [
    {
      name: "objects in a map field",
      path: "/switchboard.v1.PromptService/Prompt",
      contentType: "application/json",
      body: `{"prompt":"hi","metadata":${'{"a":'.repeat(DEPTH)}"x"${"}".repeat(DEPTH)}}`,
    },
    {
      name: "arrays in a repeated field",
      path: "/switchboard.v1.PromptService/Prompt",
      contentType: "application/json",
      body: `{"prompt":"hi","options":{"stop":${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}}}`,
    },
    {
      name: "arrays as the whole message",
      path: "/switchboard.v1.PromptService/Prompt",
      contentType: "application/json",
      body: `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`,
    },
  ];

/** The answers to `jsonNesting`'s requests, per body: by status and Connect code. */
export interface JsonNestingResult {
  readonly rounds: number;
  /** Per body name, e.g. {"400 invalid_argument": 12}. */
  readonly answers: Record<string, Record<string, number>>;
  readonly slowestMs: number;
}

/**
 * Sends the bodies of `nestedJsonBodies` one request at a time (as json-nesting.test.ts does),
 * round after round until `durationMs` has passed (one round at least), from `localAddress`.
 */
export async function jsonNesting(options: {
  readonly url: string;
  readonly durationMs: number;
  readonly localAddress?: string;
  readonly timeoutMs: number;
}): Promise<JsonNestingResult> {
  const answers: Record<string, Record<string, number>> = {};
  let slowestMs = 0;
  let rounds = 0;
  const started = performance.now();
  do {
    rounds++;
    for (const { name, path, contentType, body } of nestedJsonBodies) {
      const response = await plainRequest(options.url, {
        method: "POST",
        path,
        headers: { "content-type": contentType },
        body,
        timeoutMs: options.timeoutMs,
        localAddress: options.localAddress,
      });
      slowestMs = Math.max(slowestMs, response.latencyMs);
      const key =
        response.status === undefined
          ? `no answer (${response.error})`
          : `${response.status} ${connectCodeOf(response.body)}`;
      const tally = answers[name] ?? {};
      tally[key] = (tally[key] ?? 0) + 1;
      answers[name] = tally;
    }
  } while (performance.now() - started < options.durationMs);
  return { rounds, answers, slowestMs };
}

function connectCodeOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return typeof parsed.code === "string" ? parsed.code : "(no code)";
  } catch {
    return "(not JSON)";
  }
}
