import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { describe, expect, it } from "vitest";
import {
  PromptService,
  type StreamPromptResponse,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway } from "../support/test-gateway.js";

describe("graceful shutdown", () => {
  it("lets an in-flight stream finish with completed, and refuses new connections", async () => {
    const gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 20 } } }),
      { httpVersion: "2" },
    );
    const prompt = Array.from({ length: 30 }, (_, i) => `w${i}`).join(" ");
    const events: StreamPromptResponse[] = [];
    let shuttingDown: Promise<void> | undefined;
    for await (const event of gateway.prompts.streamPrompt({ prompt })) {
      events.push(event);
      if (event.event.case === "delta" && !shuttingDown) shuttingDown = gateway.shutdown();
    }
    expect(events.at(-1)?.event.case).toBe("completed");
    await shuttingDown;
    const late = createClient(
      PromptService,
      createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1" }),
    );
    await expect(late.prompt({ prompt: "too late" })).rejects.toThrow();
  });
});
