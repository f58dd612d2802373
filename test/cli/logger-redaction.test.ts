import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/create-logger.js";

/** A destination that keeps every line written. */
function memoryDestination() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe("createLogger", () => {
  it("redacts API keys, auth headers and provider settings wherever they are logged", () => {
    const { stream, lines } = memoryDestination();
    const log = createLogger({ level: "info" }, stream);
    log.info(
      {
        apiKey: "sk-top-secret-1",
        provider: { name: "openai", apiKey: "sk-top-secret-2" },
        headers: { authorization: "Bearer sk-top-secret-3", "x-api-key": "sk-top-secret-4" },
        upstream: { headers: { authorization: "Bearer sk-top-secret-5" } },
        req: {
          headers: { authorization: "Bearer sk-top-secret-6", cookie: "session=sk-top-secret-7" },
        },
        config: {
          providers: {
            openai: { apiKey: "sk-top-secret-8", headers: { "x-org": "sk-top-secret-9" } },
          },
        },
      },
      "provider configured",
    );
    expect(lines).toHaveLength(1);
    const output = lines.join("\n");
    expect(output).not.toMatch(/sk-top-secret/);
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line.apiKey).toBe("[redacted]");
    expect(line.provider).toEqual({ name: "openai", apiKey: "[redacted]" });
    expect(line.headers.authorization).toBe("[redacted]");
  });

  it("writes JSON lines with an ISO time, the level label and the service name", () => {
    const { stream, lines } = memoryDestination();
    const log = createLogger({ level: "info" }, stream);
    log.child({ reqId: "r1" }).warn({ err: new Error("boom") }, "upstream failed");
    log.debug("not written at info");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({
      level: "warn",
      service: "switchboard",
      reqId: "r1",
      msg: "upstream failed",
      err: { type: "Error", message: "boom" },
    });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });
});
