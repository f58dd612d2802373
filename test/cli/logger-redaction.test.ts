import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { createLogger } from "../../src/logging/create-logger.js";
import { configSecrets } from "../../src/secrets/config-secrets.js";
import { createSecretRegistry } from "../../src/secrets/secret-registry.js";

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

  it("replaces configured secrets in every line at every level, however nested or escaped", () => {
    const { stream, lines } = memoryDestination();
    const secrets = createSecretRegistry();
    const log = createLogger({ level: "trace", secrets }, stream);
    // Filled after the logger was made, as `switchboard serve` does once the config is loaded.
    secrets.add('hdr"Val\\Wx27');
    secrets.add("az-Kq7Tx9Wv2Rm4");
    log.trace({ data: 'echo {"x-team":"hdr\\"Val\\\\Wx27"}' }, "raw upstream data");
    log.debug({ upstream: { nested: ["api-key: az-Kq7Tx9Wv2Rm4"] } }, "upstream request");
    log.warn({ err: new Error("azure: HTTP 401: api-key: az-Kq7Tx9Wv2Rm4") }, "attempt failed");
    log.fatal("az-Kq7Tx9Wv2Rm4 in the message itself");
    expect(lines).toHaveLength(4);
    const output = lines.join("\n");
    expect(output).not.toContain("az-Kq7Tx9");
    expect(output).not.toContain("Wx27");
    for (const line of lines) expect(JSON.parse(line)).toBeTypeOf("object");
    expect(JSON.parse(lines[3] ?? "{}").msg).toBe("[redacted] in the message itself");
  });

  it("hides the Valkey password of the configuration, decoded or as the url writes it", () => {
    const config = parseConfig(
      {
        providers: { demo: { type: "demo" } },
        models: ["demo:echo"],
        storage: { type: "valkey", url: "redis://app:p%40ss%2Fw0rd@valkey.internal:6379" },
      },
      {},
    );
    const url = config.storage.type === "valkey" ? config.storage.url : "";
    expect(url).toContain("p%40ss%2Fw0rd");
    const { stream, lines } = memoryDestination();
    const secrets = createSecretRegistry(configSecrets(config, {}));
    const log = createLogger({ level: "info", secrets }, stream);
    log.error({ err: new Error(`cannot reach ${url}`) }, "storage unavailable");
    log.info({ reply: "WRONGPASS for p@ss/w0rd" }, "valkey said");
    const output = lines.join("\n");
    expect(output).toContain("redis://app:[redacted]@valkey.internal:6379");
    expect(output).toContain("WRONGPASS for [redacted]");
    expect(output).not.toMatch(/p%40ss|p@ss/);
  });
});
