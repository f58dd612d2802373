import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { type ConformanceRun, runConformance } from "./run-conformance.js";

const run = promisify(execFile);
const installScript = new URL("../../scripts/install-conformance.sh", import.meta.url).pathname;

/**
 * Fewer cases than this means a features file lost a feature (each file selects about 2,500:
 * 2,718 cleartext, 2,538 over TLS with connectconformance v1.0.7).
 */
const minCases = 2_000;

/** Reference-client RPCs in flight at once; the runner's default (8) keeps 2 cores busy. */
const parallel = 8;

describe("the Connect conformance suite against Switchboard's server stack", () => {
  let runner = "";
  beforeAll(async () => {
    // Quick when the pinned runner is installed (npm's pretest does it); a build takes ~1 min.
    const { stdout } = await run(installScript, [], { timeout: 300_000 });
    runner = stdout.trim();
  }, 300_000);

  it.each([
    ["cleartext HTTP/1.1 and h2c", "features-cleartext.yaml", "known-flaky.txt"],
    ["TLS (HTTP/1.1 and HTTP/2 by ALPN)", "features-tls.yaml", "known-flaky-tls.txt"],
  ])(
    "passes every case over %s but the known ones, and fails every known-failing one",
    async (name, features, knownFlaky) => {
      const result = await runConformance({
        runner,
        features,
        knownFlaky,
        parallel,
        timeoutMs: 240_000,
      });
      console.info(
        `conformance over ${name}: ${result.total} cases, ${result.passed} passed, ` +
          `${result.knownFailing} failed as known, in ${(result.durationMs / 1000).toFixed(1)} s`,
      );
      expect(result.exitCode, failureReport(result)).toBe(0);
      expect(result.failed, failureReport(result)).toBe(0);
      expect(result.total ?? 0).toBeGreaterThanOrEqual(minCases);
    },
    300_000,
  );
});

/** The runner's report, the failing cases first, cut to a size a terminal can show. */
function failureReport(result: ConformanceRun): string {
  const limit = 30_000;
  const { output } = result;
  const report =
    output.length <= limit
      ? output
      : `${output.slice(0, limit)}\n… ${output.length - limit} more characters, ending:\n${output.slice(-500)}`;
  return `connectconformance exited with ${result.exitCode}:\n${report}`;
}
