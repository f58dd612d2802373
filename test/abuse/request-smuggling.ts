import { exchangeRaw, type RawExchange } from "./raw-http1.js";

/** The request hidden in the body: a server that answers it has been smuggled past. */
export const SMUGGLED = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const START =
  "POST /switchboard.v1.PromptService/Prompt HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
  "Content-Type: application/json\r\n";
const BODY = '{"prompt":"hi"}';
const CHUNKED_BODY = `${BODY.length.toString(16)}\r\n${BODY}\r\n0\r\n\r\n`;

/**
 * Ambiguous requests, each followed by `SMUGGLED`. Each is built so that a lenient parser,
 * whichever way it resolves the ambiguity, sees `SMUGGLED` as a second request and answers it.
 */
export const smugglingVariants: { name: string; request: string }[] = [
  {
    name: "Content-Length and Transfer-Encoding: chunked together",
    request: `${START}Content-Length: ${CHUNKED_BODY.length}\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED_BODY}`,
  },
  {
    name: "Transfer-Encoding: chunked before Content-Length",
    request: `${START}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`,
  },
  {
    name: "two different Content-Length headers",
    request: `${START}Content-Length: ${BODY.length}\r\nContent-Length: 5\r\n\r\n${BODY}`,
  },
  {
    name: "Transfer-Encoding: chunked, identity",
    request: `${START}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
  },
  {
    name: "an obs-folded header line",
    request: `${START}X-Folded: a\r\n b\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`,
  },
  {
    name: "an obs-folded Transfer-Encoding",
    request: `${START}Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n`,
  },
  {
    name: "whitespace before the colon of Content-Length",
    request: `${START}Content-Length : ${BODY.length}\r\n\r\n${BODY}`,
  },
  {
    name: "whitespace before the colon of Transfer-Encoding",
    request: `${START}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`,
  },
  {
    name: "a chunk size that is not hexadecimal",
    request: `${START}Transfer-Encoding: chunked\r\n\r\nzz\r\n${BODY}\r\n0\r\n\r\n`,
  },
  {
    name: "a negative chunk size",
    request: `${START}Transfer-Encoding: chunked\r\n\r\n-5\r\n${BODY}\r\n0\r\n\r\n`,
  },
  {
    name: "bare LF line endings throughout",
    request: `${START}Content-Length: ${BODY.length}\r\n\r\n${BODY}`.replaceAll("\r\n", "\n"),
  },
  {
    name: "one header line ended by a bare LF",
    request: `${START}X-A: b\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`,
  },
  {
    name: "chunk lines ended by bare LFs",
    request: `${START}Transfer-Encoding: chunked\r\n\r\n${BODY.length.toString(16)}\n${BODY}\n0\n\n`,
  },
];

/** What one variant got: its responses, and whether the server closed the connection. */
export interface SmugglingOutcome {
  readonly name: string;
  readonly statuses: readonly number[];
  readonly closedByServer: boolean;
}

/**
 * Sends every variant of `smugglingVariants`, each followed by `SMUGGLED`, at once, each on its
 * own connection from `localAddress`, as request-smuggling.test.ts does one by one.
 */
export async function requestSmuggling(options: {
  readonly port: number;
  readonly localAddress?: string;
  readonly waitMs: number;
}): Promise<SmugglingOutcome[]> {
  return Promise.all(
    smugglingVariants.map(async ({ name, request }) => {
      const exchange: RawExchange = await exchangeRaw(options.port, request + SMUGGLED, options);
      return { name, statuses: exchange.statuses, closedByServer: exchange.closedByServer };
    }),
  );
}
