import { constants, type ServerHttp2Stream } from "node:http2";
import type { AbuseLog } from "./abuse-log.js";

/** Bounds how long an HTTP/2 stream may take to deliver its request body. */
export interface RequestBodyDeadline {
  /** Starts the clock of a new stream; it stops when the body has ended or the stream closed. */
  watch(stream: ServerHttp2Stream): void;
  /** Stops the sweeper. */
  close(): void;
}

/**
 * Creates the deadline. Node times out HTTP/1.1 request bodies itself (`requestTimeout`), but
 * for HTTP/2 only the session has an idle timeout, and a stream that sent half its body keeps the
 * session busy forever. One sweeper per listener (not a timer per stream) resets every stream
 * whose body is still incomplete `timeoutMs` after it opened; the client sees RST_STREAM(CANCEL).
 * Streams are kept in opening order, so a sweep stops at the first one that is still young.
 */
export function createRequestBodyDeadline(timeoutMs: number, abuse: AbuseLog): RequestBodyDeadline {
  /** Streams whose body has not ended, with the time they opened (insertion order = age). */
  const pending = new Map<ServerHttp2Stream, number>();
  const sweepEveryMs = Math.max(50, Math.min(1_000, Math.floor(timeoutMs / 4)));
  let timer: NodeJS.Timeout | undefined;

  const sweep = (): void => {
    const cutoff = performance.now() - timeoutMs;
    for (const [stream, openedAt] of pending) {
      if (openedAt > cutoff) break;
      pending.delete(stream);
      // The body may have fully arrived without being read yet: that client did its part.
      if (stream.destroyed || stream.state.remoteClose !== 0) continue;
      abuse.count("bodyTimeouts", stream.session?.socket?.remoteAddress);
      stream.close(constants.NGHTTP2_CANCEL);
    }
    if (pending.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    watch(stream) {
      // A request without a body (END_STREAM on its HEADERS) has nothing to wait for.
      if (stream.endAfterHeaders) return;
      pending.set(stream, performance.now());
      const done = (): void => {
        pending.delete(stream);
      };
      stream.once("end", done);
      stream.once("close", done);
      if (timer === undefined) {
        timer = setInterval(sweep, sweepEveryMs);
        timer.unref();
      }
    },
    close() {
      clearInterval(timer);
      timer = undefined;
      pending.clear();
    },
  };
}
