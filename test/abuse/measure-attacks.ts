/**
 * Measures what three attacks do to a gateway, and prints a markdown table per attack:
 *
 *   node --import tsx test/abuse/measure-attacks.ts [--gateway-dir DIR] [--rss-cap-gib 6]
 *     [--only rapid-reset,gzip-bombs,half-sent-bodies]
 *
 * The gateway runs from DIR (default: this checkout) as its own process; configuration keys
 * that DIR's config.schema.json does not know are left out (and listed), so that an older
 * version can be measured too. A gateway whose RSS passes the cap is killed, and the table
 * says so. Progress goes to stderr, the tables to stdout.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  attackConfig,
  attackerAddresses,
  type LimitsConfig,
  pruneToSchema,
  REPO_DIR,
  startAttackTarget,
} from "./attack-target.js";
import { runInAttackerProcess } from "./attacker-process.js";
import { startHealthPollerProcess } from "./health-poller-process.js";
import { promptHi, timeUntilHealthy } from "./well-behaved-client.js";

const { values } = parseArgs({
  options: {
    "gateway-dir": { type: "string", default: REPO_DIR },
    "rss-cap-gib": { type: "string", default: "6" },
    only: { type: "string", default: "rapid-reset,gzip-bombs,half-sent-bodies" },
  },
});
// Exit through process.exit, so that the gateway and attacker processes are killed with us.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
const gatewayDir = resolve(values["gateway-dir"]!);
const rssCapBytes = Number(values["rss-cap-gib"]) * 1024 ** 3;
const only = new Set(values.only!.split(","));
const BODY_TIMEOUT_MS = 3_000;

interface Attack {
  readonly name: string;
  readonly title: string;
  readonly limits: LimitsConfig;
  /** Runs the attack and describes what the attacker saw, in one line. */
  run(port: number): Promise<string>;
}

const attacks: readonly Attack[] = [
  {
    name: "rapid-reset",
    title: "HTTP/2 rapid reset: 200 connections from 10 addresses, 10 s",
    limits: {
      maxConcurrentStreams: 100,
      streamResets: { burst: 200, perSecond: 20 },
      idleTimeout: "30s",
    },
    async run(port) {
      const result = await runInAttackerProcess("rapidReset", {
        port,
        sourceAddresses: attackerAddresses(10),
        connections: 200,
        durationMs: 10_000,
      });
      return (
        `${result.resetsSent.toLocaleString("en")} streams opened and reset that reached the server ` +
        `(${result.resetsWritten.toLocaleString("en")} written), ${result.connectionsOpened} connections, ` +
        `GOAWAY codes ${JSON.stringify(result.goAwaysByCode)}, ${result.connectFailures} failed connects`
      );
    },
  },
  {
    name: "gzip-bombs",
    title: "2,000 concurrent gzip bombs (8 KB → 8 MiB Connect JSON) from 4 addresses",
    limits: {
      maxMessageBytes: 4 * 1024 * 1024,
      maxDecompressingBytes: 64 * 1024 * 1024,
      maxCompressionRatio: 100,
      idleTimeout: "30s",
    },
    async run(port) {
      const result = await runInAttackerProcess("gzipBombs", {
        port,
        sourceAddresses: attackerAddresses(4),
        requests: 2_000,
        inflatedBytes: 8 * 1024 * 1024,
        timeoutMs: 60_000,
      });
      return (
        `answers ${JSON.stringify(result.answers)}, unanswered ${JSON.stringify(result.unanswered)}, ` +
        `slowest answer ${(result.slowestMs / 1000).toFixed(1)} s`
      );
    },
  },
  {
    name: "half-sent-bodies",
    title: "1,000 half-sent HTTP/2 gRPC bodies (10 connections × 100 streams)",
    limits: {
      maxConcurrentStreams: 100,
      requestBodyTimeout: `${BODY_TIMEOUT_MS}ms`,
      idleTimeout: "30s",
    },
    async run(port) {
      const result = await runInAttackerProcess("halfSentBodies", {
        port,
        sourceAddresses: attackerAddresses(2),
        connections: 10,
        streamsPerConnection: 100,
        waitMs: BODY_TIMEOUT_MS + 4_000,
      });
      return (
        `${result.stillOpen} of ${result.streams} streams still open after ${(BODY_TIMEOUT_MS + 4_000) / 1000} s; ` +
        `reset ${JSON.stringify(result.resetByCode)}, answered ${result.answered}, ` +
        `ended with their connection ${result.endedWithConnection}, slowest end ${(result.slowestEndMs / 1000).toFixed(1)} s`
      );
    },
  },
];

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

function ms(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "—" : `${value.toFixed(0)} ms`;
}

async function measure(attack: Attack): Promise<string> {
  const { config, dropped } = pruneToSchema(attackConfig(attack.limits), gatewayDir);
  process.stderr.write(`${attack.name}: starting the gateway from ${gatewayDir}\n`);
  const target = await startAttackTarget(config, { gatewayDir, rssCapBytes });
  const health = await startHealthPollerProcess(target.url);
  process.stderr.write(`${attack.name}: attacking ${target.url}\n`);
  let attacker: string;
  try {
    attacker = await attack.run(target.port);
  } catch (error) {
    attacker = `attack failed: ${(error as Error).message.split("\n")[0]}`;
  }
  const recovery = timeUntilHealthy(target.url, 60_000);
  const report = await health.stop();
  const recoveredAfter = await recovery;
  const prompt = target.exited() ? undefined : await promptHi(target.url, 30_000);
  const survived = target.killedForRss()
    ? `no: killed at the ${mib(rssCapBytes)} RSS cap`
    : target.exited()
      ? `no: exited (${target.exitStatus()}) ${
          target
            .stderr()
            .split("\n")
            .find((l) => l.trim()) ?? ""
        }`
      : "yes";
  const peakRss = `${mib(target.peakRssBytes())}${target.killedForRss() ? " (cap reached)" : ""}`;
  await target.stop();
  const rows: [string, string][] = [
    ["peak RSS", peakRss],
    [
      "/healthz during the attack: p50 / p99 / max",
      `${ms(report.p50Ms)} / ${ms(report.p99Ms)} / ${ms(report.maxMs)} (${report.samples} polls, ${report.failures.length} failed)`,
    ],
    ["process survived", survived],
    [
      "/healthz answers again after the attack",
      recoveredAfter === undefined ? "never (within 60 s)" : `after ${ms(recoveredAfter)}`,
    ],
    [
      "Prompt right after",
      prompt === undefined
        ? "— (process gone)"
        : `${prompt.status ?? prompt.error} in ${ms(prompt.latencyMs)}`,
    ],
    ["attacker saw", attacker],
    [
      "limits (server.limits)",
      `\`${JSON.stringify(config.server && (config.server as { limits?: unknown }).limits)}\``,
    ],
    [
      "config keys left out (unknown to this gateway)",
      dropped.length ? dropped.join(", ") : "none",
    ],
  ];
  return [
    `### ${attack.title}`,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([key, value]) => `| ${key} | ${value.replaceAll("|", "\\|")} |`),
    "",
  ].join("\n");
}

function describeCheckout(dir: string): string {
  try {
    const commit = execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], {
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["-C", dir, "status", "--porcelain", "--", "src"], {
      encoding: "utf8",
    }).trim();
    return `${commit}${dirty ? " with uncommitted changes in src/" : ""}`;
  } catch {
    return "not a git checkout";
  }
}

const sections = [
  `## Abuse measurements: ${gatewayDir}`,
  "",
  `Gateway ${describeCheckout(gatewayDir)}; Node ${process.version}; ${availableParallelism()} cores ` +
    `(load average ${loadavg()[0]!.toFixed(1)} at the start, shared with other work); ` +
    `the attacker runs in its own process, /healthz is polled every 100 ms from 127.0.0.1 on a fresh connection; ` +
    `RSS sampled every 100 ms, the gateway is killed above ${mib(rssCapBytes)}. ${new Date().toISOString()}`,
  "",
];
for (const attack of attacks) {
  if (!only.has(attack.name)) continue;
  sections.push(await measure(attack));
}
process.stdout.write(`${sections.join("\n")}\n`);
