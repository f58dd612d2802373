import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const script = new URL("../../scripts/build-playground.mjs", import.meta.url).pathname;

describe("the committed playground bundle", () => {
  it("is what scripts/build-playground.mjs builds from playground/src and client/src", async () => {
    const { stdout } = await run(process.execPath, [script, "--check"]);
    expect(stdout).toContain("is up to date");
  });
});
