import { cpus } from "node:os";

/**
 * CPU time all processes on the machine have used since boot, summed over every core, in
 * milliseconds (user + nice + sys + irq). The difference of two readings over a wall-clock
 * interval is the number of cores kept busy, whoever kept them busy.
 */
export function machineBusyMs(): number {
  let busyMs = 0;
  for (const { times } of cpus()) busyMs += times.user + times.nice + times.sys + times.irq;
  return busyMs;
}

/** Cores kept busy by every process on the machine over the next `intervalMs`. */
export async function measureMachineBusyCores(intervalMs: number): Promise<number> {
  const startMs = machineBusyMs();
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  return (machineBusyMs() - startMs) / intervalMs;
}
