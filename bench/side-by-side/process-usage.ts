import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Clock ticks per second of `/proc/<pid>/stat` CPU times (`getconf CLK_TCK`, 100 on Linux x86),
 * read once: the same unit for every process, whatever language it runs.
 */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

/**
 * CPU time a process has used since it started (user + system, `utime` + `stime` of
 * `/proc/<pid>/stat`), in milliseconds; its resolution is one clock tick (10 ms at 100 Hz).
 * Read from outside, so that it costs the process measured nothing. Throws when the process
 * is gone.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of the whole line are the 12th and 13th after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process (`VmRSS` of `/proc/<pid>/status`), in bytes. */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1_024;
}
