import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { within } from "./within.js";

/** This checkout: the directory a gateway starts from by default. */
export const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Peak RSS every probe must stay under. */
export const MAX_RSS_BYTES = 1024 ** 3;

/** Parsed log lines kept per gateway; beyond it lines are only counted. */
const MAX_KEPT_LOG_LINES = 50_000;

/** A pino line at warn, error or fatal: the level as a label or as pino's number. */
const WARN_OR_WORSE_LINE = /"level":(?:[4-6]0|"(?:warn|error|fatal)")/;

/** Whether a parsed log line is at warn level or worse (labels or pino's numbers). */
export function isWarnOrWorse(entry: Record<string, unknown>): boolean {
  const { level } = entry;
  return typeof level === "number"
    ? level >= 40
    : ["warn", "error", "fatal"].includes(String(level));
}

/** Options of `startAttackTarget`. */
export interface AttackTargetOptions {
  /** The checkout to run (`node --import tsx src/cli/main.ts serve`); default this one. */
  readonly gatewayDir?: string;
  /** Killed with SIGKILL once its RSS passes this many bytes (to bound a runaway baseline). */
  readonly rssCapBytes?: number;
}

/** A gateway under attack: its own process, its RSS sampled every 100 ms, its output kept. */
export interface AttackTarget {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Parsed JSON log lines (the first 50,000; later ones are counted, and parsed only from warn up). */
  readonly logs: readonly Record<string, unknown>[];
  /** Lines written to stdout so far, JSON or not. */
  stdoutLineCount(): number;
  /** stdout lines that are not JSON objects (the first 100). */
  readonly nonJsonStdout: readonly string[];
  /** Everything written to stderr. */
  stderr(): string;
  /** Largest VmRSS sampled so far, in bytes. */
  peakRssBytes(): number;
  /** Whether the process has exited (or was killed for passing `rssCapBytes`). */
  exited(): boolean;
  /** Exit code or signal once exited. */
  exitStatus(): number | NodeJS.Signals | null | undefined;
  /** True when the RSS cap killed it. */
  killedForRss(): boolean;
  /**
   * Resolves with the first log line at index `since` of `logs` or later (default: from now
   * on) that satisfies `predicate`, or undefined when none comes within `timeoutMs` (or the
   * process exits first).
   */
  waitForLog(
    predicate: (entry: Record<string, unknown>) => boolean,
    timeoutMs: number,
    since?: number,
  ): Promise<Record<string, unknown> | undefined>;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and resolves once it is gone. */
  stop(): Promise<void>;
}

/**
 * Writes `config` (the configuration FILE format) to a temporary file and runs the CLI's
 * `serve --config` on it from `gatewayDir`; resolves once "gateway started" is logged.
 */
export async function startAttackTarget(
  config: Record<string, unknown>,
  options: AttackTargetOptions = {},
): Promise<AttackTarget> {
  const gatewayDir = options.gatewayDir ?? REPO_DIR;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-abuse-"));
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "serve", "--config", configPath],
    { cwd: gatewayDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } },
  );
  const pid = child.pid!;
  const logs: Record<string, unknown>[] = [];
  const logListeners = new Set<(entry: Record<string, unknown>) => void>();
  const nonJsonStdout: string[] = [];
  let stdoutLines = 0;
  let stderr = "";
  let exitStatus: number | NodeJS.Signals | null | undefined;
  let killedForRss = false;
  let peakRss = 0;
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr += chunk;
  });
  // Never leave a gateway behind when this process ends without stopping it.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const exited = once(child, "exit").then(([code, signal]) => {
    exitStatus = (code ?? signal) as number | NodeJS.Signals | null;
    process.off("exit", killOnExit);
    rmSync(dir, { recursive: true, force: true });
  });

  const sampleRss = (): void => {
    const rss = readRssBytes(pid);
    if (rss === undefined) return;
    peakRss = Math.max(peakRss, rss);
    if (options.rssCapBytes !== undefined && rss > options.rssCapBytes && !killedForRss) {
      killedForRss = true;
      child.kill("SIGKILL");
    }
  };
  const sampler = setInterval(sampleRss, 100);
  void exited.then(() => clearInterval(sampler));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const onLine = (line: string): void => {
      stdoutLines++;
      if (!(line.startsWith("{") && line.endsWith("}"))) {
        if (nonJsonStdout.length < 100) nonJsonStdout.push(line);
        return;
      }
      // Past the kept lines, parse only warnings and worse, for `waitForLog`: a gateway that
      // logs a line per request under attack must not keep this process busy parsing.
      if (logs.length >= MAX_KEPT_LOG_LINES && !WARN_OR_WORSE_LINE.test(line)) return;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        if (nonJsonStdout.length < 100) nonJsonStdout.push(line);
        return;
      }
      if (logs.length < MAX_KEPT_LOG_LINES) logs.push(entry);
      for (const listener of logListeners) listener(entry);
      if (entry.msg === "gateway started") resolveUrl(String(entry.url));
    };
    let partial = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      const text = partial + chunk;
      let start = 0;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
        onLine(text.slice(start, end));
        start = end + 1;
      }
      partial = text.slice(start);
    });
    void exited.then(() =>
      reject(new Error(`gateway exited (${exitStatus}) before it started: ${stderr}`)),
    );
  });
  sampleRss();

  return {
    url,
    port: Number(new URL(url).port),
    pid,
    logs,
    nonJsonStdout,
    stdoutLineCount: () => stdoutLines,
    stderr: () => stderr,
    peakRssBytes: () => peakRss,
    exited: () => exitStatus !== undefined,
    exitStatus: () => exitStatus,
    killedForRss: () => killedForRss,
    async waitForLog(predicate, timeoutMs, since = logs.length) {
      const earlier = logs.slice(since).find(predicate);
      if (earlier !== undefined) return earlier;
      let listener!: (entry: Record<string, unknown>) => void;
      const found = new Promise<Record<string, unknown> | undefined>((resolveEntry) => {
        listener = (entry) => {
          if (predicate(entry)) resolveEntry(entry);
        };
        logListeners.add(listener);
        void exited.then(() => resolveEntry(undefined));
      });
      const outcome = await within(found, timeoutMs);
      logListeners.delete(listener);
      return typeof outcome === "symbol" ? undefined : outcome;
    },
    async stop() {
      if (exitStatus !== undefined) return;
      child.kill("SIGTERM");
      const backstop = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(backstop);
    },
  };
}

/** VmRSS of `pid` in bytes, undefined once the process is gone. */
export function readRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Limits of `server.limits`, in the configuration file's format. */
export type LimitsConfig = Record<string, unknown>;

/**
 * The configuration file of a gateway under attack: 127.0.0.1 on a free port, the offline demo
 * model answering without delay, memory storage, info logs, and these `server.limits`.
 */
export function attackConfig(limits: LimitsConfig): Record<string, unknown> {
  return {
    server: {
      host: "127.0.0.1",
      port: 0,
      shutdownGracePeriod: "1s",
      playground: false,
      limits,
    },
    logging: { level: "info" },
    providers: { demo: { type: "demo", delay: "0ms" } },
    models: ["demo:echo"],
    storage: { type: "memory" },
  };
}

/**
 * Drops every key of `config` that `gatewayDir`'s config.schema.json does not know (where the
 * schema forbids additional properties), so that an older gateway accepts the file. Returns
 * the pruned config and the dotted paths that were dropped.
 */
export function pruneToSchema(
  config: Record<string, unknown>,
  gatewayDir: string,
): { config: Record<string, unknown>; dropped: string[] } {
  const schema = JSON.parse(readFileSync(join(gatewayDir, "config.schema.json"), "utf8"));
  const dropped: string[] = [];
  const prune = (value: unknown, node: SchemaNode | undefined, path: string): unknown => {
    if (node?.properties === undefined || typeof value !== "object" || value === null) {
      return value;
    }
    if (Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const childNode = node.properties[key];
      if (childNode === undefined && node.additionalProperties === false) {
        dropped.push(`${path}${key}`);
        continue;
      }
      out[key] = prune(child, childNode, `${path}${key}.`);
    }
    return out;
  };
  return { config: prune(config, schema, "") as Record<string, unknown>, dropped };
}

interface SchemaNode {
  readonly properties?: Record<string, SchemaNode>;
  readonly additionalProperties?: unknown;
}

/** `count` loopback source addresses for attackers: 127.0.0.2, 127.0.0.3 … (127.0.0.1 is the good client's). */
export function attackerAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}
