import { spawn } from "node:child_process";

const here = new URL(".", import.meta.url).pathname;

/** Options of `runConformance`. */
export interface RunConformanceOptions {
  /** Path of the `connectconformance` binary (see scripts/install-conformance.sh). */
  readonly runner: string;
  /** The features file, in test/conformance (e.g. "features-tls.yaml"). */
  readonly features: string;
  /** The known-flaky list of this features file, in test/conformance (see known-flaky.txt). */
  readonly knownFlaky: string;
  /** RPCs the reference client has in flight at once (the runner's `--parallel`). */
  readonly parallel: number;
  /** The runner is killed after this long, in milliseconds. */
  readonly timeoutMs: number;
}

/** What one run of the runner reported. */
export interface ConformanceRun {
  /** The runner's exit code: 0 when every case passed, or failed as known. */
  readonly exitCode: number | null;
  /** Cases run; undefined when the runner printed no summary. */
  readonly total: number | undefined;
  readonly passed: number | undefined;
  /** Failures that are not known, and known-failing cases that passed. */
  readonly failed: number | undefined;
  /** Failures listed in known-failing.txt or known-flaky.txt. */
  readonly knownFailing: number;
  /** Everything the runner printed (stdout then stderr), for the failure message. */
  readonly output: string;
  readonly durationMs: number;
}

/**
 * Runs the Connect conformance suite in server mode against test/conformance/server.ts, on the
 * Node binary that runs the tests, with test/conformance/known-failing.txt and known-flaky.txt.
 * Resolves once the runner exits (or is killed at `timeoutMs`), whatever its outcome.
 */
export function runConformance(options: RunConformanceOptions): Promise<ConformanceRun> {
  const args = [
    ...["--mode", "server", "--conf", `${here}${options.features}`],
    ...["--known-failing", `@${here}known-failing.txt`],
    ...["--known-flaky", `@${here}${options.knownFlaky}`],
    ...["--parallel", String(options.parallel)],
    ...["--", process.execPath, "--import", "tsx", `${here}server.ts`],
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(options.runner, args, {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs,
      killSignal: "SIGKILL",
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.once("error", reject);
    child.once("close", (exitCode) => {
      const output = `${Buffer.concat(stdout)}${Buffer.concat(stderr)}`;
      resolve({
        exitCode,
        ...summaryOf(output),
        output,
        durationMs: performance.now() - started,
      });
    });
  });
}

/** The counts of the runner's closing lines ("Total cases: N", "N passed, N failed", …). */
function summaryOf(
  output: string,
): Pick<ConformanceRun, "total" | "passed" | "failed" | "knownFailing"> {
  const number = (pattern: RegExp): number | undefined => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) : undefined;
  };
  return {
    total: number(/^Total cases: (\d+)$/m),
    passed: number(/^(\d+) passed, \d+ failed$/m),
    failed: number(/^\d+ passed, (\d+) failed$/m),
    knownFailing: number(/^\(Another (\d+) failed as expected/m) ?? 0,
  };
}
