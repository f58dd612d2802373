import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { CASES, type CaseName, type CaseResult } from "./interop-cases.js";

const run = promisify(execFile);
const clientsDir = join("test", "interop", "clients");
/** Setups download toolchains' packages on a cold cache: Maven Central, the Go proxy, PyPI. */
const setupTimeoutMs = 600_000;
const runTimeoutMs = 60_000;
const maxBuffer = 16 * 1024 * 1024;

/** A client written in another language, run as a child process once per matrix run. */
export interface ChildClient {
  /** The matrix row, e.g. "grpc-go". */
  readonly name: string;
  /** Generates code and builds; rejects (failing the test) when a toolchain is missing. */
  setup(): Promise<void>;
  /** The command that runs every case against `address` (host:port). */
  command(address: string): readonly [string, ...string[]];
}

/**
 * grpc-go: test/interop/clients/go, whose setup.sh generates its own copy of the Go code (as
 * examples/go does) and builds `binary`.
 */
export function goClient(binary: string): ChildClient {
  return {
    name: "grpc-go",
    async setup() {
      await run("bash", [join(clientsDir, "go", "setup.sh"), binary], {
        maxBuffer,
        timeout: setupTimeoutMs,
      });
    },
    command: (address) => [binary, address],
  };
}

/** grpc-java: the Maven module test/interop/clients/java, a runnable jar. */
export function javaClient(): ChildClient {
  const dir = join(clientsDir, "java");
  return {
    name: "grpc-java",
    async setup() {
      await run("mvn", ["-q", "-B", "package", "-DskipTests"], {
        cwd: dir,
        maxBuffer,
        timeout: setupTimeoutMs,
      });
    },
    command: (address) => ["java", "-jar", join(dir, "target", "interop-client.jar"), address],
  };
}

/** grpcio: test/interop/clients/python in its own venv, with its own generated code. */
export function pythonClient(): ChildClient {
  const dir = join(clientsDir, "python");
  return {
    name: "grpcio",
    async setup() {
      await run("bash", [join(dir, "setup.sh")], { maxBuffer, timeout: setupTimeoutMs });
    },
    command: (address) => [
      join(dir, ".venv", "bin", "python"),
      join(dir, "interop_client.py"),
      address,
    ],
  };
}

/**
 * Runs the client once and parses its JSON lines. A case it did not report fails, with what
 * the process wrote to stderr (a crash, a missing module) as the detail.
 */
export async function runChildClient(client: ChildClient, address: string): Promise<CaseResult[]> {
  const [file, ...args] = client.command(address);
  let stdout = "";
  let stderr = "";
  try {
    ({ stdout, stderr } = await run(file, args, { maxBuffer, timeout: runTimeoutMs }));
  } catch (error) {
    const output = error as { stdout?: unknown; stderr?: unknown; message?: unknown };
    stdout = typeof output.stdout === "string" ? output.stdout : "";
    stderr = `${String(output.message)}\n${typeof output.stderr === "string" ? output.stderr : ""}`;
  }
  const reported = parseCaseLines(stdout);
  return CASES.map(
    (name) =>
      reported.get(name) ?? {
        case: name,
        ok: false,
        detail: `not reported; stderr: ${stderr.trim().slice(0, 500)}`,
      },
  );
}

/** The `{"case":…,"ok":…,"detail":…}` lines of a client's output, by case. */
export function parseCaseLines(stdout: string): Map<CaseName, CaseResult> {
  const results = new Map<CaseName, CaseResult>();
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const parsed: unknown = JSON.parse(line);
    if (!isCaseResult(parsed)) throw new Error(`not a case result: ${line}`);
    results.set(parsed.case, parsed);
  }
  return results;
}

function isCaseResult(value: unknown): value is CaseResult {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    (CASES as readonly unknown[]).includes(entry.case) &&
    typeof entry.ok === "boolean" &&
    typeof entry.detail === "string"
  );
}
