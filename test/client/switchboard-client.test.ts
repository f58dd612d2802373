import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientStreamEvent,
  Code,
  collectCompleted,
  createSwitchboardClient,
  type SwitchboardClient,
  SwitchboardError,
} from "../../client/src/index.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";
import { startCuttingProxy } from "./cutting-proxy.js";

const prompt = Array.from({ length: 24 }, (_, i) => `word${i}`).join(" ");

async function collect(events: AsyncIterable<ClientStreamEvent>): Promise<ClientStreamEvent[]> {
  const all: ClientStreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** The text a reader shows after applying every event in order. */
function textOf(events: readonly ClientStreamEvent[]): string {
  let text = "";
  for (const event of events) {
    if (event.type === "text") text += event.text;
    if (event.type === "restart") text = "";
  }
  return text;
}

function expectContiguous(events: readonly ClientStreamEvent[]) {
  expect(events.map((event) => Number(event.sequence))).toEqual(events.map((_, i) => i + 1));
}

/** Reads until the first text event, then aborts; returns the events read and the failure. */
async function readThenAbort(client: SwitchboardClient, stopGenerationOnAbort: boolean) {
  const controller = new AbortController();
  const read: ClientStreamEvent[] = [];
  const failure = await (async () => {
    for await (const event of client.stream(
      { prompt },
      { signal: controller.signal, stopGenerationOnAbort },
    )) {
      read.push(event);
      if (event.type === "text") controller.abort();
    }
  })().catch((e: unknown) => e);
  return { read, failure };
}

describe("the TypeScript client against the demo model", () => {
  let gateway: TestGateway;
  let client: SwitchboardClient;

  beforeAll(async () => {
    gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 20 } } }),
    );
    client = createSwitchboardClient({ baseUrl: gateway.url });
  });
  afterAll(() => gateway.shutdown());

  it("asks for one answer and reports the session, model and attempts", async () => {
    const answer = await client.ask({ prompt: "hello" });
    expect(answer.text).toContain("[demo]");
    expect(answer.sessionId).not.toBe("");
    expect(answer.model).toBe("demo:echo");
    expect(answer.attempts).toHaveLength(1);
    expect(answer.usage?.outputTokens).toBeGreaterThan(0);
  });

  it("streams to completion, and the completed event carries the whole text", async () => {
    const events = await collect(client.stream({ prompt }));
    expectContiguous(events);
    expect(events[0]?.type).toBe("started");
    const completed = events.at(-1);
    if (completed?.type !== "completed") throw new Error("the last event is not completed");
    expect(completed.text).toBe(textOf(events));
    expect(completed.text).toContain("word23");
    expect(completed.model).toBe("demo:echo");
  });

  it("resumes by itself when the connection is cut mid-stream, yielding every event exactly once", async () => {
    const uninterrupted = await collectCompleted(client.stream({ prompt }));
    const target = new URL(gateway.url);
    const proxy = await startCuttingProxy({
      target: { host: target.hostname, port: Number(target.port) },
      cutAfterBytes: 900,
      connectionsToCut: 2,
    });
    try {
      const viaProxy = createSwitchboardClient({ baseUrl: proxy.url });
      const events = await collect(viaProxy.stream({ prompt }, { backoffMs: 10 }));
      expect(proxy.cuts()).toBe(2);
      expectContiguous(events);
      expect(events.filter((event) => event.type === "started")).toHaveLength(1);
      const completed = events.at(-1);
      expect(completed?.type).toBe("completed");
      expect(textOf(events)).toBe(uninterrupted.text);
    } finally {
      await proxy.close();
    }
  });

  it("gives up with the connection's error after maxResumes failed resumes in a row", async () => {
    const target = new URL(gateway.url);
    const proxy = await startCuttingProxy({
      target: { host: target.hostname, port: Number(target.port) },
      cutAfterBytes: 1,
      connectionsToCut: 100,
    });
    try {
      const viaProxy = createSwitchboardClient({ baseUrl: proxy.url });
      const failure = await collect(
        viaProxy.stream({ prompt }, { maxResumes: 2, backoffMs: 1 }),
      ).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SwitchboardError);
      expect(proxy.cuts()).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it("stops reading on abort and leaves the generation running, resumable from the last token", async () => {
    const { read, failure } = await readThenAbort(client, false);
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect((failure as SwitchboardError).code).toBe(Code.Canceled);
    const last = read.at(-1)!;
    const rest = await collect(client.stream({ resumeToken: last.resumeToken }));
    expectContiguous([...read, ...rest]);
    expect(rest.at(-1)?.type).toBe("completed");
  });

  it("cancels the generation on abort with stopGenerationOnAbort: a resume then ends CANCELED", async () => {
    const { read, failure } = await readThenAbort(client, true);
    expect((failure as SwitchboardError).code).toBe(Code.Canceled);
    const resumed = await collect(client.stream({ resumeToken: read.at(-1)!.resumeToken })).catch(
      (e: unknown) => e,
    );
    expect(resumed).toBeInstanceOf(SwitchboardError);
    expect((resumed as SwitchboardError).code).toBe(Code.Canceled);
  });
});
