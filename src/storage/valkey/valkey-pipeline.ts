import { type ChainableCommander, Cluster } from "iovalkey";
import type { ValkeyClient } from "./valkey-connection.js";

/** One command queued on a spread pipeline. */
interface QueuedCommand {
  readonly name: string;
  readonly args: readonly unknown[];
}

/** What `exec` resolves to: one `[error, reply]` per command, in the order queued. */
type PipelineReplies = [error: Error | null, reply: unknown][];

/**
 * A pipeline on `client`: commands queued, then sent together by `exec`, whose replies come
 * back in order, as `[error, reply]` pairs. Not a transaction: another client's commands may
 * run in between.
 *
 * On one server this is iovalkey's pipeline (one write, one round trip). iovalkey refuses a
 * Cluster pipeline whose keys live on different nodes, and ours span hash tags by design (a
 * stream, its session, the retention index), so on a Cluster the commands are sent one by one
 * at once instead; the client's auto-pipelining groups those of one node into one write, so
 * the batch still costs about one round trip. Commands on the same key (same node, same
 * connection) still run in the order queued; commands on different nodes do not.
 */
export function createValkeyPipeline(client: ValkeyClient): ChainableCommander {
  return client instanceof Cluster ? createSpreadPipeline(client) : client.pipeline();
}

/**
 * A stand-in for `ChainableCommander` that records every method call as a command. A Proxy,
 * because the commands include the scripts defined at run time with `defineCommand`.
 */
function createSpreadPipeline(cluster: Cluster): ChainableCommander {
  const queued: QueuedCommand[] = [];
  const pipeline = new Proxy<object>(
    {},
    {
      get(_target, property) {
        if (property === "exec") return () => execSpread(cluster, queued.splice(0));
        if (property === "length") return queued.length;
        // Not a thenable: awaiting the pipeline by mistake must not queue a "then" command.
        if (typeof property !== "string" || property === "then") return undefined;
        return (...args: unknown[]) => {
          queued.push({ name: property, args });
          return pipeline;
        };
      },
    },
  ) as ChainableCommander;
  return pipeline;
}

async function execSpread(
  cluster: Cluster,
  queued: readonly QueuedCommand[],
): Promise<PipelineReplies> {
  return Promise.all(
    queued.map(async ({ name, args }): Promise<[Error | null, unknown]> => {
      try {
        const command: unknown = Reflect.get(cluster, name);
        if (typeof command !== "function") throw new Error(`unknown Valkey command ${name}`);
        const reply: unknown = await Reflect.apply(command, cluster, args);
        return [null, reply];
      } catch (error) {
        return [error instanceof Error ? error : new Error(String(error)), null];
      }
    }),
  );
}
