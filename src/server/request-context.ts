import { createContextKey } from "@connectrpc/connect";
import { type Logger, pino } from "pino";

/** The default of `requestLogKey`, for handlers called outside the gateway server (tests). */
const unsetRequestLog: Logger = pino({ level: "silent" });

/**
 * The RPC's child logger, carrying `reqId` and `rpc` ("switchboard.v1.PromptService/Prompt").
 * Handlers read it with `ctx.values.get(requestLogKey)`; outside the gateway server it is a
 * silent logger.
 */
export const requestLogKey = createContextKey<Logger>(unsetRequestLog, {
  description: "switchboard per-RPC logger",
});

/** The RPC's request id, also sent back in the `x-request-id` response header. */
export const requestIdKey = createContextKey<string>("", {
  description: "switchboard request id",
});

/** The remote address of the RPC's connection (behind a proxy: the proxy's). */
export const clientAddressKey = createContextKey<string>("", {
  description: "switchboard client address",
});

/** Called once when the RPC's response has closed (finished, failed or cut off). */
export type ResponseClosedListener = () => void;

/**
 * Registers a listener for the end of the RPC's HTTP response, which comes exactly once for
 * every RPC however it ends; outside the gateway server it never fires.
 */
export const onResponseClosedKey = createContextKey<(listener: ResponseClosedListener) => void>(
  () => {},
  { description: "switchboard response-closed hook" },
);

/** The header carrying the request id both ways. */
export const requestIdHeader = "x-request-id";

/** Letters, digits and `._:-`, up to 128 characters: safe to log and to send back. */
const saneRequestId = /^[\w.:-]{1,128}$/;

/**
 * The caller's request id when it is sane (see `saneRequestId`), else undefined so that the
 * server makes one up. A list (the header sent twice) is not sane.
 */
export function readRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === "string" && saneRequestId.test(header) ? header : undefined;
}

/** The RPC's logger from `values`, or `fallback` when the RPC did not come through the server. */
export function requestLogOr(
  values: { get(key: typeof requestLogKey): Logger },
  fallback: Logger,
): Logger {
  const log = values.get(requestLogKey);
  return log === unsetRequestLog ? fallback : log;
}
