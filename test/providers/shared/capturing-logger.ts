import { Writable } from "node:stream";
import pino, { type Logger } from "pino";

/** A debug-level logger that keeps its JSON lines, to assert what was logged. */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      callback();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}
