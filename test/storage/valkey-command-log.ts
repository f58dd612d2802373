import { randomUUID } from "node:crypto";
import type { Valkey } from "iovalkey";
import { eventually } from "./storage-harness.js";

/** The commands one connection sent, as Valkey's MONITOR saw them. */
export interface CommandLog {
  /** Stops recording; resolves with each command's arguments, the name lower-cased first. */
  stop(): Promise<string[][]>;
}

/**
 * Records, with MONITOR on a separate connection, the commands that `client` sends from now on
 * until `stop`: a real count on the real server, not a mock. Commands run inside scripts (source
 * "lua") and other connections' commands are left out; an ECHO marker sent through `client`
 * names its connection and bounds the recording.
 */
export async function recordCommands(client: Valkey): Promise<CommandLog> {
  const monitor = await client.monitor();
  const seen: { readonly args: string[]; readonly source: string }[] = [];
  monitor.on("monitor", (_time: string, args: unknown[], source: string) => {
    const [name = "", ...rest] = args.map(String);
    seen.push({ args: [name.toLowerCase(), ...rest], source });
  });
  const marker = randomUUID();
  const isMarker = (args: readonly string[], edge: string) =>
    args[0] === "echo" && args[1] === `${marker}:${edge}`;
  await client.echo(`${marker}:start`);
  return {
    async stop() {
      try {
        await client.echo(`${marker}:stop`);
        await eventually(
          () => seen.some((entry) => isMarker(entry.args, "stop")),
          "the monitor sees the stop marker",
        );
      } finally {
        monitor.disconnect();
      }
      const from = seen.findIndex((entry) => isMarker(entry.args, "start"));
      const to = seen.findIndex((entry) => isMarker(entry.args, "stop"));
      const source = seen[from]?.source;
      return seen
        .slice(from + 1, to)
        .filter((entry) => entry.source === source)
        .map((entry) => entry.args);
    },
  };
}
