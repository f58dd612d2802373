import { once } from "node:events";
import * as http2 from "node:http2";
import * as net from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./server-harness.js";

const idleTimeoutMs = 200;

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ idleTimeoutMs });
});
afterEach(async () => {
  await t.server.shutdown();
});

async function connect(): Promise<net.Socket> {
  const socket = net.connect(t.address.port, "127.0.0.1");
  await once(socket, "connect");
  return socket;
}

function write(socket: net.Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(data, (error) => (error ? reject(error) : resolve())),
  );
}

/** Everything the server sends until it closes the connection. */
async function readUntilClose(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "close");
  return Buffer.concat(chunks);
}

describe("one-port listener", () => {
  it("closes a socket that connects and never sends a byte after idleTimeoutMs", async () => {
    const socket = await connect();
    const startedMs = performance.now();
    const received = await readUntilClose(socket);
    const elapsedMs = performance.now() - startedMs;
    expect(received).toHaveLength(0);
    expect(elapsedMs).toBeGreaterThanOrEqual(idleTimeoutMs - 20);
    expect(elapsedMs).toBeLessThan(idleTimeoutMs * 10);
  });

  it("recognises an HTTP/2 preface that arrives in fragments", async () => {
    const socket = await connect();
    const firstFrame = once(socket, "data") as Promise<[Buffer]>;
    await write(socket, "PRI * HTTP/2");
    await write(socket, ".0\r\n\r\nS");
    // The rest of the preface, then an empty SETTINGS frame.
    await write(
      socket,
      Buffer.concat([Buffer.from("M\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]),
    );
    const [frame] = await firstFrame;
    expect(frame[3]).toBe(0x04); // the server's SETTINGS frame
    socket.destroy();
  });

  it("hands a connection whose first bytes only start like the preface to HTTP/1.1", async () => {
    const socket = await connect();
    const response = readUntilClose(socket);
    await write(socket, "PRI * HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    expect((await response).toString("latin1")).toMatch(/^HTTP\/1\.1 /);
  });

  it("closes an HTTP/2 connection with no open stream after idleTimeoutMs", async () => {
    const session = http2.connect(t.address.url);
    await once(session, "connect");
    const startedMs = performance.now();
    const goaway = once(session, "goaway");
    await once(session, "close");
    await goaway;
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(idleTimeoutMs - 20);
  });

  it("keeps an HTTP/2 connection with an open stream past idleTimeoutMs", async () => {
    const session = http2.connect(t.address.url);
    try {
      // A request whose body never ends keeps its stream open with no traffic at all.
      const stream = session.request({
        ":method": "POST",
        ":path": "/switchboard.v1.ModelService/ListModels",
        "content-type": "application/json",
      });
      stream.on("error", () => {});
      let closedByServer = false;
      session.once("goaway", () => {
        closedByServer = true;
      });
      await once(stream, "ready");
      // The passing of time is what is under test: three idle periods with no frame at all.
      await delay(idleTimeoutMs * 3);
      await new Promise<void>((resolve, reject) =>
        session.ping((error) => (error ? reject(error) : resolve())),
      );
      expect(closedByServer).toBe(false);
      stream.close();
    } finally {
      session.close();
    }
  });
});
