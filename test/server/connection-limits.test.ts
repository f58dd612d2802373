import { once } from "node:events";
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

let t: TestServer | undefined;
const open: net.Socket[] = [];
afterEach(async () => {
  for (const socket of open.splice(0)) socket.destroy();
  await t?.server.shutdown();
  t = undefined;
});

/** Connects from `localAddress` and resolves with the socket once it is connected. */
async function connectFrom(localAddress: string): Promise<net.Socket> {
  const socket = net.connect({ port: t?.address.port ?? 0, host: "127.0.0.1", localAddress });
  open.push(socket);
  // A refused connection may end in ECONNRESET.
  socket.on("error", () => {});
  await once(socket, "connect");
  return socket;
}

/** Whether the server closes `socket` within `withinMs` (it sends nothing first). */
async function closedByServer(socket: net.Socket, withinMs: number): Promise<boolean> {
  if (socket.destroyed) return true;
  // Not events.once, which rejects when the close arrives as ECONNRESET.
  const closed = new Promise<boolean>((resolve) => socket.once("close", () => resolve(true)));
  socket.resume();
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs));
  return Promise.race([closed, timer]);
}

async function healthz(): Promise<number> {
  const response = await fetch(`${t?.address.url}/healthz`);
  await response.arrayBuffer();
  return response.status;
}

describe("connection limits", () => {
  it("closes connections over maxConnectionsPerClient at once and keeps serving other clients", async () => {
    t = await startTestServer({ maxConnectionsPerClient: 3, idleTimeoutMs: 10_000 });
    const admitted = await Promise.all([1, 2, 3].map(() => connectFrom("127.0.0.2")));
    const refused = await connectFrom("127.0.0.2");
    expect(await closedByServer(refused, 2_000)).toBe(true);
    for (const socket of admitted) expect(await closedByServer(socket, 100)).toBe(false);
    // Another address is a different client.
    expect(await healthz()).toBe(200);
    // A slot frees when its connection closes.
    admitted[0]?.destroy();
    await once(admitted[0] as net.Socket, "close");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await connectFrom("127.0.0.2");
    expect(await closedByServer(next, 200)).toBe(false);
  });

  it("closes connections over maxConnections in total, whoever opens them", async () => {
    t = await startTestServer({ maxConnections: 2, idleTimeoutMs: 10_000 });
    await connectFrom("127.0.0.3");
    await connectFrom("127.0.0.4");
    const third = await connectFrom("127.0.0.5");
    expect(await closedByServer(third, 2_000)).toBe(true);
  });

  it("sums refused connections into one warn line instead of a line per connection", async () => {
    t = await startTestServer({ maxConnectionsPerClient: 1, idleTimeoutMs: 10_000 });
    await connectFrom("127.0.0.6");
    const refused = await Promise.all(Array.from({ length: 20 }, () => connectFrom("127.0.0.6")));
    for (const socket of refused) expect(await closedByServer(socket, 2_000)).toBe(true);
    for (const socket of open.splice(0)) socket.destroy();
    await t.server.shutdown();
    const warnings = t.logs.lines.filter((line) => line.connectionsOverPerClient !== undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      connectionsOverPerClient: 20,
      clients: [{ address: "127.0.0.6", events: 20 }],
    });
  });
});
