import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const run = promisify(execFile);
// Where examples/grpc-tools/setup.sh installs the pinned tools (git-ignored).
const toolsDir = join(".tools", "go-bin");
const grpcurl = join(toolsDir, "grpcurl");
const healthProbe = join(toolsDir, "grpc-health-probe");
const toolTimeoutMs = 15_000;

describe("grpcurl and grpc-health-probe against the gateway", () => {
  let gateway: TestGateway;
  let address: string;

  // Installs both tools from the Go module proxy: slow on a cold module cache. A missing Go
  // toolchain rejects here, which fails the tests.
  beforeAll(async () => {
    await run("bash", [join("examples", "grpc-tools", "setup.sh")], {
      maxBuffer: 16 * 1024 * 1024,
    });
    gateway = await startTestGateway(testConfig());
    address = new URL(gateway.url).host;
  }, 300_000);
  afterAll(() => gateway?.shutdown());

  it("lists the gateway's services through reflection", async () => {
    const { stdout } = await run(grpcurl, ["-plaintext", address, "list"], {
      timeout: toolTimeoutMs,
    });
    const services = stdout.trim().split("\n");
    expect(services).toEqual(
      expect.arrayContaining([
        "switchboard.v1.PromptService",
        "switchboard.v1.SessionService",
        "switchboard.v1.ModelService",
        "grpc.health.v1.Health",
      ]),
    );
  });

  it("calls Prompt with a JSON request and no .proto files", async () => {
    const { stdout } = await run(
      grpcurl,
      ["-plaintext", "-d", '{"prompt":"hi"}', address, "switchboard.v1.PromptService/Prompt"],
      { timeout: toolTimeoutMs },
    );
    const reply = JSON.parse(stdout) as { text?: unknown; result?: unknown };
    expect(reply.text).toEqual(expect.stringContaining("[demo]"));
    expect(reply.result).toBe("RESULT_COMPLETE");
  });

  it("describes a request message from the served descriptors", async () => {
    const { stdout } = await run(
      grpcurl,
      ["-plaintext", address, "describe", "switchboard.v1.PromptRequest"],
      { timeout: toolTimeoutMs },
    );
    expect(stdout).toContain("message PromptRequest {");
    expect(stdout).toMatch(/string prompt = 1;/);
    expect(stdout).toMatch(/string session_id = 2;/);
  });

  // execFile rejects on a non-zero exit, so resolving is the exit status 0. The probe reports on
  // stderr.
  it("reports the server and its readiness as serving to grpc-health-probe", async () => {
    const server = await run(healthProbe, [`-addr=${address}`], { timeout: toolTimeoutMs });
    expect(server.stderr).toContain("status: SERVING");
    const readiness = await run(healthProbe, [`-addr=${address}`, "-service=readiness"], {
      timeout: toolTimeoutMs,
    });
    expect(readiness.stderr).toContain("status: SERVING");
  });

  it("makes grpc-health-probe exit non-zero for an unknown service", async () => {
    const probe = run(healthProbe, [`-addr=${address}`, "-service=no.such.Service"], {
      timeout: toolTimeoutMs,
    });
    // 3 is the probe's "the health RPC failed": the gateway answers NOT_FOUND for the name.
    await expect(probe).rejects.toMatchObject({
      code: 3,
      stderr: expect.stringContaining("NotFound"),
    });
  });
});
