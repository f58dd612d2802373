/** Anything the benchmark started and must stop: a server process, a Valkey. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** The servers of one phase of the benchmark, stopped together. */
export interface ServerGroup {
  /** Keeps `server` to stop it with the group; returns it. */
  add<T extends Stoppable>(server: T): T;
  /** Stops every server added, the last one first (gateways before their upstream). */
  stopAll(): Promise<void>;
}

const openGroups = new Set<ServerGroup>();
let interrupted = false;

// Ctrl-C or a kill: stop what runs (a Valkey is no child of ours that dies with us), then exit.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the servers of the benchmark …\n`);
    Promise.allSettled([...openGroups].map((group) => group.stopAll())).finally(() =>
      process.exit(130),
    );
  });
}

/** A group whose servers are also stopped when the benchmark is interrupted. */
export function createServerGroup(): ServerGroup {
  const servers: Stoppable[] = [];
  const group: ServerGroup = {
    add(server) {
      servers.push(server);
      return server;
    },
    async stopAll() {
      openGroups.delete(group);
      for (const server of servers.splice(0).reverse()) {
        await server.stop().catch(() => {});
      }
    },
  };
  openGroups.add(group);
  return group;
}
