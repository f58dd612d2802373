import { GatewayError } from "../../gateway-error.js";
import type { ValkeyClient } from "./valkey-connection.js";

/** What a Lua script is defined from. */
export interface ValkeyScriptDefinition {
  /** Command name on the client; prefixed by the caller so that two stores never collide. */
  readonly name: string;
  /** How many of the arguments are keys. All of them must share one hash tag (Cluster rule). */
  readonly numberOfKeys: number;
  readonly lua: string;
}

/**
 * A Lua script bound to one client: `keys` then `args`, resolving to the raw reply. One round
 * trip: iovalkey sends EVAL the first time on a connection (so a restarted, empty server needs
 * no extra SCRIPT LOAD) and EVALSHA after that.
 */
export type ValkeyScript = (
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

/**
 * Defines `definition` on `client` with `defineCommand` and returns a typed caller. The reply
 * is `unknown` on purpose: each caller parses what its script returns.
 */
export function defineValkeyScript(
  client: ValkeyClient,
  definition: ValkeyScriptDefinition,
): ValkeyScript {
  client.defineCommand(definition.name, {
    numberOfKeys: definition.numberOfKeys,
    lua: definition.lua,
  });
  // defineCommand adds a method that iovalkey's types cannot know about; look it up once.
  const command: unknown = Reflect.get(client, definition.name);
  if (typeof command !== "function") {
    throw new Error(`iovalkey did not define the script command ${definition.name}`);
  }
  return async (keys, args) => {
    if (keys.length !== definition.numberOfKeys) {
      throw new Error(
        `${definition.name} takes ${definition.numberOfKeys} keys, got ${keys.length}`,
      );
    }
    const reply: unknown = await Reflect.apply(command, client, [...keys, ...args]);
    return reply;
  };
}

/**
 * A reply that must be an array of bulk strings, integers or nils, as strings or null. Throws
 * `GatewayError("internal")` when it is not (a bug, not an outage).
 */
export function stringArrayReply(reply: unknown, what: string): (string | null)[] {
  if (!Array.isArray(reply)) throw unexpectedReply(what);
  return reply.map((item: unknown) => {
    if (item === null || typeof item === "string") return item;
    if (typeof item === "number") return String(item);
    throw unexpectedReply(what);
  });
}

function unexpectedReply(what: string): GatewayError {
  return new GatewayError("internal", `unexpected reply from Valkey to ${what}`);
}
