import { expect } from "vitest";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

/** One stream event as an example printed it. */
export interface PrintedEvent {
  /** "stream" before the interruption, "resumed" after it. */
  readonly label: string;
  readonly sequence: number;
  readonly type: string;
  /** A delta's text, decoded; empty for other events. */
  readonly text: string;
  /** What follows the type on the line, as printed. */
  readonly rest: string;
}

/** Parses `<label>: seq=N type=T …` lines (Go, Java); a delta's rest is `text="…"` (JSON). */
export function keyValueEvents(output: string): PrintedEvent[] {
  return matchEvents(output, /^(stream|resumed): seq=(\d+) type=(\w+) ?(.*)$/, (type, rest) =>
    type === "delta" ? (JSON.parse(rest.replace(/^text=/, "")) as string) : "",
  );
}

/** Parses `<label> <sequence> <type> [<JSON text>]` lines (Python, curl). */
export function columnEvents(output: string): PrintedEvent[] {
  return matchEvents(output, /^(stream|resumed) (\d+) (\w+)(?: (.*))?$/, (_type, rest) =>
    rest === "" ? "" : (JSON.parse(rest) as string),
  );
}

function matchEvents(
  output: string,
  pattern: RegExp,
  textOf: (type: string, rest: string) => string,
): PrintedEvent[] {
  const events: PrintedEvent[] = [];
  for (const line of output.split("\n")) {
    const match = pattern.exec(line);
    if (match === null) continue;
    const [, label = "", sequence = "", type = "", rest = ""] = match;
    events.push({ label, sequence: Number(sequence), type, rest, text: textOf(type, rest) });
  }
  return events;
}

/** The value after `prefix` on the output's first line that starts with it. */
export function lineAfter(output: string, prefix: string): string | undefined {
  return output
    .split("\n")
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length);
}

/**
 * What every example must show of its interrupted stream: `started, delta, delta` before the
 * interruption, then one run of sequences across it (no gap, no duplicate, no second
 * `started`), ending with `completed`, and the deltas joined equal to `expectedText`.
 * Returns the events after the resume.
 */
export function expectStreamResumedOnce(
  events: readonly PrintedEvent[],
  expectedText: string,
): PrintedEvent[] {
  const beforeInterrupt = events.filter((event) => event.label === "stream");
  const resumed = events.filter((event) => event.label === "resumed");
  expect(beforeInterrupt.map((event) => event.type)).toEqual(["started", "delta", "delta"]);
  expect(resumed.length).toBeGreaterThan(1);
  const first = beforeInterrupt[0]?.sequence ?? Number.NaN;
  expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => first + index));
  expect(resumed.some((event) => event.type === "started")).toBe(false);
  expect(resumed.at(-1)?.type).toBe("completed");
  const deltas = events.filter((event) => event.type === "delta").map((event) => event.text);
  expect(deltas.join("")).toBe(expectedText);
  return resumed;
}

/** The gateway the examples run against: the demo model, slowed so a stream takes ~1 s. */
export function startExampleGateway(): Promise<TestGateway> {
  return startTestGateway(testConfig({ providers: { demo: { type: "demo", demoDelayMs: 20 } } }));
}
