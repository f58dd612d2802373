import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { promisify } from "node:util";
import { type Browser, chromium, type Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnswer } from "../../src/providers/demo/demo-provider.js";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";
import { type DroppableProxy, startDroppableProxy } from "./droppable-proxy.js";

const run = promisify(execFile);
const installScript = new URL("../../scripts/install-chromium.sh", import.meta.url).pathname;
const screenshotPath = new URL("../../test-artifacts/playground.png", import.meta.url).pathname;

/** Long enough that the demo answer streams for about two seconds at 40 ms a word. */
const prompt = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");

const isStreamPrompt = (request: Request) =>
  request.url().endsWith("/switchboard.v1.PromptService/StreamPrompt");

describe("the playground in headless Chromium", () => {
  let gateway: TestGateway;
  let proxy: DroppableProxy;
  let browser: Browser;

  beforeAll(async () => {
    // Installing Chromium (first run only) takes longer than the default hook timeout.
    const { stdout } = await run(installScript, { timeout: 300_000 });
    gateway = await startTestGateway(
      testConfig({ providers: { demo: { type: "demo", demoDelayMs: 40 } } }),
    );
    proxy = await startDroppableProxy({ host: "127.0.0.1", port: gateway.port });
    browser = await chromium.launch({
      executablePath: stdout.trim(),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await gateway?.shutdown();
  });

  it("streams an answer, resumes it after the network drops, and keeps the session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const streamBodies: string[] = [];
    page.on("request", (request) => {
      if (isStreamPrompt(request)) streamBodies.push(request.postData() ?? "");
    });
    await page.goto(`${proxy.url}/playground`);
    await page.fill("#prompt", prompt);
    await page.click("#send");

    // Some text arrives, then the network drops while the answer is still streaming.
    await page.waitForSelector("#answer:not(:empty)");
    const failed = page.waitForEvent("requestfailed", { predicate: isStreamPrompt });
    expect(proxy.dropConnections()).toBeGreaterThan(0);
    await failed;
    const shownAtDrop = await page.textContent("#answer");
    expect(await page.getAttribute("#status", "data-state")).toBe("streaming");

    await page.waitForSelector('#status[data-state="done"]', { timeout: 15_000 });
    const expected = demoAnswer(prompt);
    expect(shownAtDrop?.length).toBeLessThan(expected.length);
    expect(await page.textContent("#answer")).toBe(expected);
    expect(await page.textContent("#model")).toBe("demo:echo");
    expect(await page.textContent("#fallback")).toBe("none");
    // The page went on from where it stopped: a later request resumed by token.
    expect(streamBodies.length).toBeGreaterThanOrEqual(2);
    expect(streamBodies.at(-1)).toContain("resumeToken");
    const sessionId = await page.textContent("#session");
    expect(sessionId).toMatch(/\S{8,}/);

    await mkdir(new URL(".", `file://${screenshotPath}`), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });

    // The next prompt continues the same session.
    await page.fill("#prompt", "and again");
    await page.click("#send");
    await page.waitForSelector('#status[data-state="done"]', { timeout: 15_000 });
    expect(await page.textContent("#answer")).toBe(demoAnswer("and again"));
    expect(await page.textContent("#session")).toBe(sessionId);
    expect(streamBodies.at(-1)).toContain(sessionId ?? "");
    await context.close();
  });
});
