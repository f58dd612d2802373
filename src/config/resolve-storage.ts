import { resolve as resolvePath } from "node:path";
import { CONFIG_DEFAULTS as D } from "./config-defaults.js";
import type { ConfigPath, ConfigProblem } from "./config-error.js";
import type { ConfigFile } from "./config-schema.js";
import type { StorageConfig } from "./gateway-config.js";

const VALKEY_PROTOCOLS: Readonly<Record<string, string>> = {
  "redis:": "redis:",
  "rediss:": "rediss:",
  "valkey:": "redis:",
  "valkeys:": "rediss:",
};

/**
 * Resolves `storage`. Valkey takes a `url` or AI Warp's `valkey: { host, port, username,
 * password, database, tls }` (not both; default redis://127.0.0.1:6379); the URL always comes
 * out as `redis://` or `rediss://`. `tls.ca` is resolved against `baseDir` (the config file's
 * directory) and needs a `rediss://` URL; `cluster` needs database 0. Problems are appended to
 * `problems`.
 */
export function resolveStorage(
  storage: ConfigFile["storage"],
  baseDir: string,
  problems: ConfigProblem[],
): StorageConfig {
  if (storage === undefined || storage.type === "memory") {
    return { type: "memory" };
  }
  const resolved = {
    type: "valkey",
    url: "",
    keyPrefix: storage.keyPrefix ?? D.storage.valkeyKeyPrefix,
    streamLeaseMs: storage.streamLease ?? D.storage.streamLeaseMs,
    tlsCaPath: storage.tls && resolvePath(baseDir, storage.tls.ca),
    tlsServername: storage.tls?.servername,
    cluster: storage.cluster ?? D.storage.valkeyCluster,
    whenUnavailable: storage.whenUnavailable ?? D.storage.whenUnavailable,
  } as const;
  if (storage.url !== undefined && storage.valkey !== undefined) {
    problems.push({ path: ["storage", "valkey"], message: "set either url or valkey, not both" });
  }
  let text = storage.url ?? D.storage.valkeyUrl;
  let path: ConfigPath = ["storage", "url"];
  if (storage.valkey !== undefined) {
    const v = storage.valkey;
    const host = v.host ?? D.storage.valkeyHost;
    const user = encodeURIComponent(v.username ?? "");
    const password = v.password ? `:${encodeURIComponent(v.password)}` : "";
    const auth = user !== "" || password !== "" ? `${user}${password}@` : "";
    const database = v.database === undefined ? "" : `/${v.database}`;
    const port = v.port ?? D.storage.valkeyPort;
    text = `${v.tls === true ? "rediss" : "redis"}://${auth}${host.includes(":") ? `[${host}]` : host}:${port}${database}`;
    path = ["storage", "valkey"];
  }
  const parsed = URL.canParse(text) ? new URL(text) : undefined;
  const protocol = parsed && VALKEY_PROTOCOLS[parsed.protocol];
  if (parsed === undefined || protocol === undefined || parsed.hostname === "") {
    // The URL may hold a password: name the problem, not the value.
    problems.push({
      path,
      message:
        path[1] === "url"
          ? "must be a redis://, rediss://, valkey:// or valkeys:// URL with a host"
          : "host, port and credentials do not make a valid URL",
    });
    return resolved;
  }
  const url = new URL(`${protocol}${text.slice(parsed.protocol.length)}`);
  if (storage.tls !== undefined && url.protocol !== "rediss:") {
    problems.push({
      path: ["storage", "tls"],
      message: "needs a TLS connection: a rediss:// or valkeys:// url, or valkey.tls: true",
    });
  }
  if (resolved.cluster && !["", "/", "/0"].includes(url.pathname)) {
    problems.push({ path, message: "Valkey Cluster has database 0 only; remove the database" });
  }
  return { ...resolved, url: url.href };
}
