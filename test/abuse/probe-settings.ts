import type { LimitsConfig } from "./attack-target.js";

/*
 * The `server.limits` each probe starts its gateway with, and the timings that follow from them:
 * shared by the probe's test and by measure-attacks.ts, so that a measurement attacks the very
 * configuration the test does.
 */

export const rapidResetLimits: LimitsConfig = {
  maxConnections: 10_000,
  maxConnectionsPerClient: 1_000,
  maxConcurrentStreams: 100,
  streamResets: { burst: 200, perSecond: 20 },
  idleTimeout: "30s",
};

/** Long enough that only flood protection, never idleness, explains a closed connection. */
export const controlFrameFloodLimits: LimitsConfig = {
  idleTimeout: "30s",
  maxConcurrentStreams: 100,
  maxConnectionsPerClient: 1_000,
};

export const IDLE_MAX_PER_CLIENT = 500;
export const IDLE_TIMEOUT_MS = 2_000;
/** How late after the idle timeout a silent connection may still be closed. */
export const IDLE_SLACK_MS = 1_500;
export const idleConnectionsLimits: LimitsConfig = {
  maxConnections: 10_000,
  maxConnectionsPerClient: IDLE_MAX_PER_CLIENT,
  idleTimeout: `${IDLE_TIMEOUT_MS}ms`,
  headersTimeout: "10s",
};

export const SLOWLORIS_HEADERS_TIMEOUT_MS = 2_000;
export const SLOWLORIS_BODY_TIMEOUT_MS = 3_000;
/** How late after its timeout a slow request may be cut (the server checks periodically). */
export const SLOWLORIS_SLACK_MS = 1_500;
/**
 * Bytes trickle in every 500 ms, so an idle timeout never fires: only the header and body
 * deadlines can end these connections.
 */
export const slowlorisLimits: LimitsConfig = {
  idleTimeout: "30s",
  headersTimeout: `${SLOWLORIS_HEADERS_TIMEOUT_MS}ms`,
  requestBodyTimeout: `${SLOWLORIS_BODY_TIMEOUT_MS}ms`,
  maxConnectionsPerClient: 1_000,
};

export const HALF_SENT_BODY_TIMEOUT_MS = 3_000;
/** How late after requestBodyTimeout a stream may be ended (the server checks periodically). */
export const HALF_SENT_SLACK_MS = 2_000;
export const halfSentBodiesLimits: LimitsConfig = {
  maxConcurrentStreams: 100,
  requestBodyTimeout: `${HALF_SENT_BODY_TIMEOUT_MS}ms`,
  // Streams are open, so the connections are never idle; this only rules idleness out.
  idleTimeout: "30s",
  maxConnectionsPerClient: 1_000,
};

/** Each bomb inflates to 8 MiB: twice maxMessageBytes, 1,000 times its ~8 KB of gzip. */
export const GZIP_BOMB_INFLATED_BYTES = 8 * 1024 * 1024;
export const gzipBombsLimits: LimitsConfig = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxDecompressingBytes: 64 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxConnectionsPerClient: 1_000,
  maxConcurrentCallsPerClient: 1_000,
  maxConcurrentGenerations: 2_000,
  idleTimeout: "30s",
};

export const headerAbuseLimits: LimitsConfig = { idleTimeout: "3s" };

/** Short, so that a connection the server keeps open ends soon and the probe can count. */
export const requestSmugglingLimits: LimitsConfig = { idleTimeout: "2s", headersTimeout: "2s" };

export const jsonNestingLimits: LimitsConfig = { maxMessageBytes: 4 * 1024 * 1024 };

export const fuzzLimits: LimitsConfig = { maxMessageBytes: 4 * 1024 * 1024 };
