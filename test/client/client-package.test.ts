import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../support/test-config.js";
import { startTestGateway, type TestGateway } from "../support/test-gateway.js";

const run = promisify(execFile);
const PACKAGE = "@switchboard/client";

/** What a user's Node program does: import the package by its name and ask, then stream. */
const USER_PROGRAM = `
import { collectCompleted, createSwitchboardClient } from "${PACKAGE}";
const switchboard = createSwitchboardClient({ baseUrl: process.env.SWITCHBOARD_URL });
const answer = await switchboard.ask({ prompt: "Hello from the package" });
const completed = await collectCompleted(switchboard.stream({ prompt: "And a stream" }));
console.log(JSON.stringify({ answer: answer.text, model: answer.model, streamed: completed.text }));
`;

describe("the @switchboard/client package", () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    await run("npm", ["run", "build", "-w", PACKAGE], { timeout: 120_000 });
    gateway = await startTestGateway(testConfig());
  }, 150_000);
  afterAll(() => gateway?.shutdown());

  it("builds an entry point that Node imports by the package name and that answers", async () => {
    const { stdout } = await run("node", ["--input-type=module", "-e", USER_PROGRAM], {
      env: { ...process.env, SWITCHBOARD_URL: gateway.url },
      timeout: 30_000,
    });
    const printed = JSON.parse(stdout.trim()) as Record<string, string>;
    expect(printed.model).toBe("demo:echo");
    expect(printed.answer).toContain("Hello from the package");
    expect(printed.streamed).toContain("And a stream");
  });

  it("packs the built entry point, its type declarations and the generated code it needs", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "-w", PACKAGE], {
      timeout: 60_000,
      env: { ...process.env, npm_config_ignore_scripts: "true" },
    });
    const [packed] = JSON.parse(stdout) as { name: string; files: { path: string }[] }[];
    const files = packed?.files.map((file) => file.path) ?? [];
    expect(packed?.name).toBe(PACKAGE);
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/client/src/index.js",
        "dist/client/src/index.d.ts",
        "dist/gen/switchboard/v1/prompt_service_pb.js",
        "README.md",
        "package.json",
      ]),
    );
    expect(files.filter((file) => !file.startsWith("dist/"))).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/^src\//)]),
    );
  });
});
