/**
 * Measures what every attack of the abuse suite does to a gateway, and prints a summary table
 * (one row per attack) followed by a markdown table per attack:
 *
 *   node --import tsx test/abuse/measure-attacks.ts [--gateway-dir DIR] [--rss-cap-gib 6]
 *     [--only rapid-reset,gzip-bombs,…] [--fuzz-seed 1]
 *
 * Each attack gets a gateway of its own, started fresh from DIR (default: this checkout) with
 * the limits its test in test/abuse/*.test.ts uses (probe-settings.ts); configuration keys that
 * DIR's config.schema.json does not know are left out (and listed), so that an older version
 * can be measured too. A gateway whose RSS passes the cap is killed, and the table says so.
 * `--only` takes attack names (see `attacks` below) or test names ("slowloris" for both of its
 * attacks). Every attack ends within about 15 s on its own, and its attacker is killed after
 * 25 s at the latest. Progress goes to stderr, the tables to stdout.
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
import type { AttackName, Attacks } from "./attacks.js";
import { problemGroups } from "./fuzz-run.js";
import { headerCases } from "./header-abuse.js";
import { startHealthPollerProcess } from "./health-poller-process.js";
import { nestedJsonBodies } from "./json-nesting.js";
import {
  controlFrameFloodLimits,
  fuzzLimits,
  GZIP_BOMB_INFLATED_BYTES,
  gzipBombsLimits,
  HALF_SENT_BODY_TIMEOUT_MS,
  HALF_SENT_SLACK_MS,
  halfSentBodiesLimits,
  headerAbuseLimits,
  IDLE_SLACK_MS,
  IDLE_TIMEOUT_MS,
  idleConnectionsLimits,
  jsonNestingLimits,
  rapidResetLimits,
  requestSmugglingLimits,
  SLOWLORIS_BODY_TIMEOUT_MS,
  SLOWLORIS_HEADERS_TIMEOUT_MS,
  SLOWLORIS_SLACK_MS,
  slowlorisLimits,
} from "./probe-settings.js";
import { smugglingVariants } from "./request-smuggling.js";
import {
  type HealthReport,
  type PlainResponse,
  promptHi,
  timeUntilHealthy,
} from "./well-behaved-client.js";

const { values } = parseArgs({
  options: {
    "gateway-dir": { type: "string", default: REPO_DIR },
    "rss-cap-gib": { type: "string", default: "6" },
    only: { type: "string" },
    "fuzz-seed": { type: "string", default: "1" },
  },
});
// Exit through process.exit, so that the gateway and attacker processes are killed with us.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
const gatewayDir = resolve(values["gateway-dir"]!);
const rssCapBytes = Number(values["rss-cap-gib"]) * 1024 ** 3;
const fuzzSeed = Number(values["fuzz-seed"]);

/** An attacker still running after this long is killed (every attack means to end by ~15 s). */
const ATTACKER_LIMIT_MS = 25_000;
/** How long the /healthz poll in progress when the attack ends may still take to answer. */
const POLL_GIVE_UP_MS = 10_000;
/** How long /healthz may take to answer again after the attack. */
const RECOVERY_LIMIT_MS = 15_000;
const PROMPT_TIMEOUT_MS = 10_000;
const ATTACKER = attackerAddresses(1)[0]!;

/** Runs attack `name` in an attacker process of its own, killed after `ATTACKER_LIMIT_MS`. */
function attack<N extends AttackName>(
  name: N,
  options: Parameters<Attacks[N]>[0],
): Promise<Awaited<ReturnType<Attacks[N]>>> {
  return runInAttackerProcess(name, options, { limitMs: ATTACKER_LIMIT_MS });
}

interface Attack {
  readonly name: string;
  /** Its test, test/abuse/<probe>.test.ts. */
  readonly probe: string;
  /** Short, for the summary. */
  readonly label: string;
  readonly title: string;
  readonly limits: LimitsConfig;
  /** Runs the attack and describes what the attacker saw, in one line. */
  run(target: { readonly port: number; readonly url: string }): Promise<string>;
}

const n = (value: number): string => value.toLocaleString("en");
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function floodAttack(kind: "settings" | "ping"): Attack {
  return {
    name: `${kind}-flood`,
    probe: "control-frame-flood",
    label: `${kind.toUpperCase()} flood`,
    title: `HTTP/2 ${kind.toUpperCase()} flood: 3 connections writing up to 100,000 frames each without reading the acknowledgements`,
    limits: controlFrameFloodLimits,
    async run({ port }) {
      const connections = await attack("controlFrameFlood", {
        port,
        localAddress: ATTACKER,
        kind,
        connections: 3,
        framesPerWrite: 2_000,
        maxFrames: 100_000,
        closeWithinMs: 5_000,
      });
      const closed = connections.filter((c) => c.closedByServer).length;
      return (
        `${closed} of ${connections.length} connections closed by the server (within 5 s of the flood); ` +
        `frames written ${connections.map((c) => n(c.framesWritten)).join(" / ")}; ` +
        `GOAWAY codes ${JSON.stringify(connections.map((c) => c.goAwayCodes))}`
      );
    },
  };
}

function idleAttack(sendPreface: boolean): Attack {
  const atOnceMs = IDLE_TIMEOUT_MS / 2;
  const waitMs = IDLE_TIMEOUT_MS + IDLE_SLACK_MS;
  return {
    name: sendPreface ? "idle-h2-preface" : "idle-tcp",
    probe: "idle-connections",
    label: sendPreface ? "2,000 idle connections, HTTP/2 preface" : "2,000 idle connections, TCP",
    title: `2,000 idle connections from one address that send ${sendPreface ? "the HTTP/2 preface and then nothing" : "nothing"}`,
    limits: idleConnectionsLimits,
    async run({ port, url }) {
      const held = attack("holdIdleConnections", {
        port,
        localAddress: ATTACKER,
        count: 2_000,
        sendPreface,
        batchSize: 100,
        waitMs,
      });
      // Once the attacker process has started and holds its connections.
      await new Promise((done) => setTimeout(done, 2_000));
      const during = await promptHi(url, PROMPT_TIMEOUT_MS);
      const connections = await held;
      const lifetimes = connections.map((c) => c.lifetimeMs);
      const closedAtOnce = lifetimes.filter((ms) => ms !== undefined && ms < atOnceMs).length;
      const stillOpen = lifetimes.filter((ms) => ms === undefined).length;
      const closed = lifetimes.filter((ms): ms is number => ms !== undefined);
      return (
        `${closedAtOnce} closed within ${atOnceMs} ms, ${stillOpen} still open after ${waitMs} ms, ` +
        `longest closed one ${closed.length ? `${Math.max(...closed).toFixed(0)} ms` : "—"}, ` +
        `${connections.filter((c) => c.connectedAtMs === undefined).length} never connected; ` +
        `a Prompt 2 s into the attack: ${describePrompt(during)}`
      );
    },
  };
}

function slowlorisAttack(kind: "headers" | "body"): Attack {
  const timeoutMs = kind === "headers" ? SLOWLORIS_HEADERS_TIMEOUT_MS : SLOWLORIS_BODY_TIMEOUT_MS;
  const waitMs = timeoutMs + SLOWLORIS_SLACK_MS + 2_000;
  return {
    name: kind === "headers" ? "slowloris-headers" : "slowloris-bodies",
    probe: "slowloris",
    label: `slowloris ${kind === "headers" ? "headers" : "bodies"}`,
    title: `Slowloris ${kind === "headers" ? "headers: 100 HTTP/1.1 request heads" : "bodies: 100 HTTP/1.1 1,000-byte bodies"} one byte per 500 ms, from 4 addresses`,
    limits: slowlorisLimits,
    async run({ port }) {
      const connections = await attack("slowloris", {
        port,
        sourceAddresses: attackerAddresses(4),
        connections: 100,
        kind,
        byteIntervalMs: 500,
        waitMs,
      });
      const closedAfter = connections
        .map((c) => c.closedAfterMs)
        .filter((ms): ms is number => ms !== undefined);
      const statuses: Record<string, number> = {};
      for (const status of connections.flatMap((c) => c.statuses)) {
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
      return (
        `${connections.length - closedAfter.length} of ${connections.length} still open after ${seconds(waitMs)}; ` +
        `closed ones after ${closedAfter.length ? `${Math.min(...closedAfter).toFixed(0)}–${Math.max(...closedAfter).toFixed(0)} ms` : "—"}; ` +
        `statuses ${JSON.stringify(statuses)}; ${connections.filter((c) => c.error).length} failed connects`
      );
    },
  };
}

const attacks: readonly Attack[] = [
  {
    name: "rapid-reset",
    probe: "rapid-reset",
    label: "rapid reset",
    title: "HTTP/2 rapid reset: 200 connections from 10 addresses, 10 s",
    limits: rapidResetLimits,
    async run({ port }) {
      const result = await attack("rapidReset", {
        port,
        sourceAddresses: attackerAddresses(10),
        connections: 200,
        durationMs: 10_000,
      });
      return (
        `${n(result.resetsSent)} streams opened and reset that reached the server ` +
        `(${n(result.resetsWritten)} written), ${n(result.connectionsOpened)} connections, ` +
        `GOAWAY codes ${JSON.stringify(result.goAwaysByCode)}, ${result.connectFailures} failed connects`
      );
    },
  },
  floodAttack("settings"),
  floodAttack("ping"),
  idleAttack(false),
  idleAttack(true),
  slowlorisAttack("headers"),
  slowlorisAttack("body"),
  {
    name: "half-sent-bodies",
    probe: "half-sent-bodies",
    label: "1,000 half-sent HTTP/2 bodies",
    title: "1,000 half-sent HTTP/2 gRPC bodies (10 connections × 100 streams)",
    limits: halfSentBodiesLimits,
    async run({ port }) {
      const waitMs = HALF_SENT_BODY_TIMEOUT_MS + HALF_SENT_SLACK_MS + 2_000;
      const result = await attack("halfSentBodies", {
        port,
        sourceAddresses: attackerAddresses(2),
        connections: 10,
        streamsPerConnection: 100,
        waitMs,
      });
      return (
        `${result.stillOpen} of ${result.streams} streams still open after ${seconds(waitMs)}; ` +
        `reset ${JSON.stringify(result.resetByCode)}, answered ${result.answered}, ` +
        `ended with their connection ${result.endedWithConnection}, slowest end ${seconds(result.slowestEndMs)}`
      );
    },
  },
  {
    name: "gzip-bombs",
    probe: "gzip-bombs",
    label: "2,000 gzip bombs",
    title:
      "2,000 concurrent gzip bombs (8 KB → 8 MiB Connect JSON) from 4 addresses, each waiting 15 s for its answer",
    limits: gzipBombsLimits,
    async run({ port }) {
      const result = await attack("gzipBombs", {
        port,
        sourceAddresses: attackerAddresses(4),
        requests: 2_000,
        inflatedBytes: GZIP_BOMB_INFLATED_BYTES,
        timeoutMs: 15_000,
      });
      return (
        `answers ${JSON.stringify(result.answers)}, unanswered ${JSON.stringify(result.unanswered)}, ` +
        `slowest answer ${seconds(result.slowestMs)}`
      );
    },
  },
  {
    name: "header-abuse",
    probe: "header-abuse",
    label: "oversized headers",
    title: `Oversized headers: ${headerCases.map((c) => c.name).join(", ")}; each over HTTP/1.1 and HTTP/2, all at once`,
    limits: headerAbuseLimits,
    async run({ port }) {
      const outcomes = await attack("headerAbuse", { port, localAddress: ATTACKER, waitMs: 5_000 });
      return outcomes
        .map(
          ({ name, h1, h2 }) =>
            `${name}: HTTP/1.1 ${h1.statuses.length ? h1.statuses.join(", ") : "no response"}` +
            `${h1.closedByServer ? " and closed" : ", left open"}, HTTP/2 ${h2}`,
        )
        .join("; ");
    },
  },
  {
    name: "request-smuggling",
    probe: "request-smuggling",
    label: "request smuggling",
    title: `HTTP/1.1 request smuggling: ${smugglingVariants.length} ambiguous framings, each followed by a smuggled GET, all at once`,
    limits: requestSmugglingLimits,
    async run({ port }) {
      const outcomes = await attack("requestSmuggling", {
        port,
        localAddress: ATTACKER,
        waitMs: 5_000,
      });
      const rejected = outcomes.filter(
        (o) => o.statuses.length === 1 && o.statuses[0] === 400 && o.closedByServer,
      );
      const smuggled = outcomes.filter((o) => o.statuses.length > 1);
      const others = outcomes.filter((o) => !rejected.includes(o));
      return (
        `${rejected.length} of ${outcomes.length} answered 400 alone and closed; ` +
        `${smuggled.length} answered the smuggled request too` +
        others
          .map(
            (o) =>
              `; ${o.name}: ${o.statuses.length ? o.statuses.join(", ") : "no response"}, ` +
              `${o.closedByServer ? "closed" : "left open"}`,
          )
          .join("")
      );
    },
  },
  {
    name: "json-nesting",
    probe: "json-nesting",
    label: "100,000-level JSON nesting",
    title: `100,000 levels of JSON nesting: ${nestedJsonBodies.map((b) => b.name).join(", ")}; one request at a time, round after round for 5 s`,
    limits: jsonNestingLimits,
    async run({ url }) {
      const result = await attack("jsonNesting", {
        url,
        durationMs: 5_000,
        localAddress: ATTACKER,
        timeoutMs: 10_000,
      });
      return (
        `${result.rounds} rounds; ` +
        Object.entries(result.answers)
          .map(([name, answers]) => `${name}: ${JSON.stringify(answers)}`)
          .join("; ") +
        `; slowest answer ${result.slowestMs.toFixed(0)} ms`
      );
    },
  },
  {
    name: "fuzz",
    probe: "fuzz",
    label: "10,000-request fuzz",
    title: `10,000 mutated Connect, gRPC and gRPC-Web requests (seed ${fuzzSeed}), 48 at a time, new ones for 12 s at most`,
    limits: fuzzLimits,
    async run({ url }) {
      const result = await attack("runFuzz", {
        url,
        seed: fuzzSeed,
        cases: 10_000,
        concurrency: 48,
        h1Connections: 4,
        h2Connections: 2,
        timeoutMs: 10_000,
        durationMs: 12_000,
      });
      const top = problemGroups(result)
        .slice(0, 3)
        .map((g) => `${g.count}× ${g.key}`);
      return (
        `${n(result.sent)} of ${n(result.cases)} sent; ${n(result.problemCount)} answers not well-formed ` +
        `or internal/unknown, of which ${n(result.outcomes["no answer"] ?? 0)} no answer` +
        (top.length
          ? `; most frequent among the first ${result.problems.length}: ${top.join("; ")}`
          : "")
      );
    },
  },
];

const only = values.only === undefined ? undefined : new Set(values.only.split(","));
if (only) {
  const known = new Set(attacks.flatMap((a) => [a.name, a.probe]));
  const unknown = [...only].filter((name) => !known.has(name));
  if (unknown.length) {
    process.stderr.write(
      `unknown in --only: ${unknown.join(", ")}; known: ${[...known].join(", ")}\n`,
    );
    process.exit(2);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

function ms(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "—" : `${value.toFixed(0)} ms`;
}

function describePrompt(prompt: PlainResponse | undefined): string {
  return prompt === undefined
    ? "— (process gone)"
    : `${prompt.status ?? prompt.error} in ${ms(prompt.latencyMs)}`;
}

/** What one attack did to its gateway. */
interface Measurement {
  readonly attack: Attack;
  readonly peakRss: string;
  /** Undefined when the gateway did not start. */
  readonly health?: HealthReport;
  readonly survived: string;
  /** `survived` without the details, for the summary. */
  readonly survivedBrief: string;
  readonly recovered: string;
  readonly prompt: string;
  readonly attacker: string;
  readonly limits: string;
  readonly dropped: readonly string[];
}

/** "p50 / max" (the max a lower bound when a poll was still unanswered), and failed polls. */
function describeHealthBrief(report: HealthReport | undefined): string {
  if (report === undefined) return "—";
  const max = `${report.unfinished ? "≥ " : ""}${ms(report.maxMs)}`;
  const failed = report.failures.length
    ? ` (${report.failures.length} of ${report.samples} failed)`
    : "";
  return `${ms(report.p50Ms)} / ${max}${failed}`;
}

async function measure(attack: Attack): Promise<Measurement> {
  const { config, dropped } = pruneToSchema(attackConfig(attack.limits), gatewayDir);
  const limits = `\`${JSON.stringify((config.server as { limits?: unknown } | undefined)?.limits)}\``;
  process.stderr.write(`${attack.name}: starting the gateway from ${gatewayDir}\n`);
  let target: Awaited<ReturnType<typeof startAttackTarget>>;
  try {
    target = await startAttackTarget(config, { gatewayDir, rssCapBytes });
  } catch (error) {
    const why = (error as Error).message.split("\n")[0]!;
    return {
      attack,
      peakRss: "—",
      survived: `no: did not start (${why})`,
      survivedBrief: "no: did not start",
      recovered: "—",
      prompt: "—",
      attacker: "—",
      limits,
      dropped,
    };
  }
  try {
    const health = await startHealthPollerProcess(target.url);
    process.stderr.write(`${attack.name}: attacking ${target.url}\n`);
    const started = performance.now();
    let attacker: string;
    try {
      attacker = await attack.run(target);
    } catch (error) {
      attacker = `attack failed: ${(error as Error).message.split("\n")[0]}`;
    }
    attacker += ` (attack took ${seconds(performance.now() - started)})`;
    const recovery = timeUntilHealthy(target.url, RECOVERY_LIMIT_MS);
    const report = await health.stop(POLL_GIVE_UP_MS);
    const recoveredAfter = await recovery;
    const prompt = target.exited() ? undefined : await promptHi(target.url, PROMPT_TIMEOUT_MS);
    const firstStderrLine =
      target
        .stderr()
        .split("\n")
        .find((line) => line.trim()) ?? "";
    const survivedBrief = target.killedForRss()
      ? `no: killed at the ${mib(rssCapBytes)} RSS cap`
      : target.exited()
        ? `no: exited (${target.exitStatus()})`
        : "yes";
    return {
      attack,
      peakRss: `${mib(target.peakRssBytes())}${target.killedForRss() ? " (cap reached)" : ""}`,
      health: report,
      survived:
        target.exited() && !target.killedForRss()
          ? `${survivedBrief} ${firstStderrLine}`.trim()
          : survivedBrief,
      survivedBrief,
      recovered: target.exited()
        ? "— (process gone)"
        : recoveredAfter === undefined
          ? `not within ${seconds(RECOVERY_LIMIT_MS)}`
          : ms(recoveredAfter),
      prompt: describePrompt(prompt),
      attacker,
      limits,
      dropped,
    };
  } finally {
    await target.stop();
  }
}

function describeSection(m: Measurement): string {
  const report = m.health;
  const rows: [string, string][] = [
    ["peak RSS", m.peakRss],
    [
      "/healthz during the attack: p50 / p99 / max",
      report === undefined
        ? "—"
        : `${ms(report.p50Ms)} / ${ms(report.p99Ms)} / ${report.unfinished ? "≥ " : ""}${ms(report.maxMs)} ` +
          `(${report.samples} polls, ${report.failures.length} failed` +
          `${report.failures.length ? `: ${report.failures.slice(0, 3).join("; ")}` : ""})`,
    ],
    ["process survived", m.survived],
    ["/healthz answers again after the attack", m.recovered],
    ["Prompt right after", m.prompt],
    ["attacker saw", m.attacker],
    ["limits (server.limits)", m.limits],
    [
      "config keys left out (unknown to this gateway)",
      m.dropped.length ? m.dropped.join(", ") : "none",
    ],
  ];
  return [
    `### ${m.attack.title}`,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([key, value]) => `| ${key} | ${cell(value)} |`),
    "",
  ].join("\n");
}

function describeSummary(measurements: readonly Measurement[]): string {
  return [
    "| Attack | Peak RSS | /healthz p50 / max during | Survived | /healthz again after | Prompt right after |",
    "|---|---|---|---|---|---|",
    ...measurements.map((m) => {
      const cells = [
        m.attack.label,
        m.peakRss,
        describeHealthBrief(m.health),
        m.survivedBrief,
        m.recovered,
        m.prompt,
      ];
      return `| ${cells.map(cell).join(" | ")} |`;
    }),
    "",
  ].join("\n");
}

function cell(value: string): string {
  return value.replaceAll("|", "\\|").replaceAll("\n", " ");
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

const runStarted = performance.now();
const header = [
  `## Abuse measurements: ${gatewayDir}`,
  "",
  `Gateway ${describeCheckout(gatewayDir)}; Node ${process.version}; ${availableParallelism()} cores ` +
    `(load average ${loadavg()[0]!.toFixed(1)} at the start, shared with other work); ` +
    `each attack gets a fresh gateway with the limits of its test; ` +
    `the attacker runs in its own process, /healthz is polled every 100 ms from 127.0.0.1 on a fresh connection ` +
    `(a poll still unanswered ${seconds(POLL_GIVE_UP_MS)} after the attack is cut short: max then reads "≥"); ` +
    `RSS sampled every 100 ms, the gateway is killed above ${mib(rssCapBytes)}. ${new Date().toISOString()}`,
];
const measurements: Measurement[] = [];
for (const each of attacks) {
  if (only && !only.has(each.name) && !only.has(each.probe)) continue;
  try {
    measurements.push(await measure(each));
  } catch (error) {
    // The measurement itself failed (e.g. the health poller did not start): say so, go on.
    const why = `measurement failed: ${(error as Error).message.split("\n")[0]}`;
    measurements.push({
      attack: each,
      peakRss: "—",
      survived: why,
      survivedBrief: "—",
      recovered: "—",
      prompt: "—",
      attacker: why,
      limits: "—",
      dropped: [],
    });
  }
}
const took = `Measured in ${seconds(performance.now() - runStarted)}.`;
process.stderr.write(`${took}\n`);
process.stdout.write(
  [
    ...header,
    "",
    describeSummary(measurements),
    took,
    "",
    ...measurements.map(describeSection),
  ].join("\n"),
);
