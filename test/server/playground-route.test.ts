import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

describe("the playground route", () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.server.shutdown();
    t = undefined;
  });

  it("serves the page and its script from memory when server.playground is on", async () => {
    t = await startTestServer({ playground: true });
    const page = await fetch(`${t.address.url}/playground`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/playground/playground.js">');
    const script = await fetch(`${t.address.url}/playground/playground.js?v=1`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await script.text()).length).toBeGreaterThan(1_000);
  });

  it("answers 404 for the page and its script when server.playground is off", async () => {
    t = await startTestServer({ playground: false });
    expect((await fetch(`${t.address.url}/playground`)).status).toBe(404);
    expect((await fetch(`${t.address.url}/playground/playground.js`)).status).toBe(404);
  });

  it("leaves other paths and methods to the RPC router", async () => {
    t = await startTestServer({ playground: true });
    expect((await fetch(`${t.address.url}/playground/other.js`)).status).toBe(404);
    const post = await fetch(`${t.address.url}/playground`, { method: "POST", body: "{}" });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ code: "unimplemented" });
  });
});
