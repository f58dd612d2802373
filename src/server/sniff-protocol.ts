import type * as net from "node:net";

/** The bytes every HTTP/2 client connection starts with (RFC 9113 §3.4). */
const http2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * Reads from a fresh socket until its first bytes match or rule out the HTTP/2 preface (they may
 * arrive in fragments, so each byte is compared as it comes), puts them back and reports the
 * verdict. A socket that has not decided within `timeoutMs` (silent, or dribbling the preface a
 * byte at a time), ends or fails before that is destroyed.
 */
export function sniffProtocol(
  socket: net.Socket,
  timeoutMs: number,
  decided: (isHttp2: boolean) => void,
): void {
  let received: Buffer = Buffer.alloc(0);
  const destroy = (): void => {
    socket.destroy();
  };
  const deadline = setTimeout(destroy, timeoutMs);
  const decide = (isHttp2: boolean): void => {
    clearTimeout(deadline);
    socket.off("data", onData);
    socket.off("end", destroy);
    socket.off("error", destroy);
    // Paused, so that no byte is emitted before the chosen server has attached its listeners.
    socket.pause();
    socket.unshift(received);
    decided(isHttp2);
  };
  const onData = (chunk: Buffer): void => {
    const start = received.length;
    received = start === 0 ? chunk : Buffer.concat([received, chunk]);
    const end = Math.min(received.length, http2Preface.length);
    for (let i = start; i < end; i++) {
      if (received[i] !== http2Preface[i]) {
        decide(false);
        return;
      }
    }
    if (received.length >= http2Preface.length) decide(true);
  };
  socket.once("close", () => clearTimeout(deadline));
  socket.once("end", destroy);
  socket.once("error", destroy);
  socket.on("data", onData);
}
