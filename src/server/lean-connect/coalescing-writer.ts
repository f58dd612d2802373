import type { HttpResponse } from "../http-handler.js";

/** Writes a streamed response whose pieces are ready at different times. */
export interface CoalescingWriter {
  /** False once the response ended or its connection closed: stop producing. */
  open(): boolean;
  /**
   * Writes bytes, sending the status and `header` first if not sent yet. Returns false when the
   * connection is full: wait for `drained` before writing more.
   */
  write(bytes: Uint8Array): boolean;
  /** Resolves when the connection can take more, or closed. */
  drained(): Promise<void>;
  /** Writes the last bytes (and the headers, if not sent yet) and ends the response. */
  end(bytes: Uint8Array): void;
  /** Ends the response with these HTTP trailers (and the headers, if not sent yet). */
  endWithTrailers(trailer: Headers): void;
}

/**
 * Creates a writer that sends everything written within one turn of the event loop's
 * microtasks in one socket write: the first write of a turn corks the response and the
 * uncork waits for the next tick, after the promise continuations that were ready (an answer
 * whose events arrived together goes out in one packet instead of one per event).
 */
export function createCoalescingWriter(res: HttpResponse, header: Headers): CoalescingWriter {
  let headersSent = false;
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  const begin = () => {
    if (headersSent) return;
    headersSent = true;
    for (const [name, value] of header) res.setHeader(name, value);
    res.writeHead(200);
  };
  return {
    open: () => !res.destroyed && !res.writableEnded,
    write(bytes) {
      begin();
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      return res.write(bytes);
    },
    drained() {
      return new Promise((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    },
    end(bytes) {
      begin();
      res.end(bytes);
    },
    endWithTrailers(trailer) {
      begin();
      const fields: Record<string, string> = {};
      for (const [name, value] of trailer) fields[name] = value;
      res.addTrailers(fields);
      res.end();
    },
  };
}
