import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Valkey } from "iovalkey";
import { startValkeyServer, type ValkeyTestServer } from "./valkey-server.js";

/** Hash slots of a Valkey Cluster: 0 … 16383. */
const SLOT_COUNT = 16_384;

/** A Valkey Cluster of a test: masters only, on 127.0.0.1. */
export interface ValkeyTestCluster {
  /**
   * One seed node, e.g. "redis://127.0.0.1:43121" (without credentials); a cluster client
   * finds the others.
   */
  readonly url: string;
  readonly nodes: readonly ValkeyTestServer[];
  /** Which of `nodes` owns `key`'s slot (by CLUSTER KEYSLOT and the slots each was given). */
  masterOf(key: string): Promise<number>;
  /** Stops every node and deletes their cluster config files. */
  stop(): Promise<void>;
}

/** Options of `startValkeyCluster`. */
export interface ValkeyTestClusterOptions {
  /** Masters; the slots are split evenly between them. Default 3. */
  readonly masters?: number;
  /** `--requirepass` of every node: clients must give it to each node they talk to. */
  readonly requirePass?: string;
  /** How long the cluster may take to agree it is up, in milliseconds. Default 10 000. */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts a real Valkey Cluster: `masters` bundled servers with `--cluster-enabled yes`, each
 * given an even share of the slots (CLUSTER ADDSLOTSRANGE) and introduced to the first
 * (CLUSTER MEET); resolves once every node reports `cluster_state:ok` and knows every slot.
 * No replicas: the tests are about routing, not failover.
 */
export async function startValkeyCluster(
  options: ValkeyTestClusterOptions = {},
): Promise<ValkeyTestCluster> {
  const masters = options.masters ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-cluster-"));
  const nodes: ValkeyTestServer[] = [];
  const clients: Valkey[] = [];
  const stop = async () => {
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      nodes.push(
        await startValkeyServer({
          ...(options.requirePass === undefined ? {} : { requirePass: options.requirePass }),
          extraArgs: [
            ...["--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${i}.conf`)],
            // Quick to agree and to notice a lost node; the tests never wait on a failover.
            ...["--cluster-node-timeout", "2000", "--dir", dir],
          ],
        }),
      );
    }
    for (const node of nodes) {
      const client = new Valkey(node.url, { lazyConnect: true, password: options.requirePass });
      // A test may stop a node; this setup client's reconnect failures are not its concern.
      client.on("error", () => undefined);
      await client.connect();
      clients.push(client);
    }
    await Promise.all(
      clients.map((client, i) => {
        const { first, last } = slotRange(i, masters);
        return client.call("CLUSTER", "ADDSLOTSRANGE", first, last);
      }),
    );
    const seed = nodes[0];
    const seedClient = clients[0];
    if (seed === undefined || seedClient === undefined) {
      throw new Error("a cluster needs at least one node");
    }
    await Promise.all(
      clients.slice(1).map((client) => client.call("CLUSTER", "MEET", "127.0.0.1", seed.port)),
    );
    await waitUntilReady(clients, masters, options.readyTimeoutMs ?? 10_000);
    const masterOf = async (key: string) => {
      const slot = Number(await seedClient.call("CLUSTER", "KEYSLOT", key));
      return nodes.findIndex((_, i) => {
        const { first, last } = slotRange(i, masters);
        return first <= slot && slot <= last;
      });
    };
    return { url: seed.url, nodes, masterOf, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The slots node `index` of `masters` is given: an even share, in order. */
function slotRange(index: number, masters: number): { first: number; last: number } {
  return {
    first: Math.floor((SLOT_COUNT * index) / masters),
    last: Math.floor((SLOT_COUNT * (index + 1)) / masters) - 1,
  };
}

/**
 * Polls CLUSTER INFO (the cluster bus gossips on its own schedule; there is no event to wait
 * on) until every node says the state is ok and it knows all `masters`.
 */
async function waitUntilReady(
  clients: readonly Valkey[],
  masters: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const infos = await Promise.all(
      clients.map(async (client) => String(await client.call("CLUSTER", "INFO"))),
    );
    const ready = infos.every(
      (info) =>
        info.includes("cluster_state:ok") &&
        info.includes(`cluster_known_nodes:${masters}`) &&
        info.includes(`cluster_slots_assigned:${SLOT_COUNT}`),
    );
    if (ready) return;
    last = infos.join("\n---\n");
    if (Date.now() > deadline) {
      throw new Error(`the test Valkey cluster did not become ready:\n${last}`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
}
