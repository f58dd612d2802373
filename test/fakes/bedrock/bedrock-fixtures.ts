import { readFileSync } from "node:fs";

/**
 * The Bedrock Runtime wire bodies in test/fixtures/bedrock/ (see its README for sources): the
 * fake builds its answers and errors from them, setting only texts and counts.
 */

const FIXTURES = new URL("../../fixtures/bedrock/", import.meta.url);

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8"));
}

/** One event of a ConverseStream answer: its `:event-type` and JSON payload. */
export interface StreamEventJson {
  readonly eventType: string;
  readonly payload: Record<string, unknown>;
}

/** An error response: status, `x-amzn-ErrorType` and the `message` of the JSON body. */
export interface ErrorJson {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/** The names of the error fixtures in errors.json. */
export type ErrorFixture =
  | "throttling"
  | "service-unavailable"
  | "internal-server"
  | "validation"
  | "input-too-long"
  | "access-denied"
  | "not-found"
  | "model-timeout"
  | "model-not-ready"
  | "quota"
  | "unrecognized-client"
  | "wrong-region"
  | "missing-auth";

/** The names of the in-stream exception fixtures in stream-exceptions.json. */
export type StreamExceptionFixture =
  | "modelStreamErrorException"
  | "throttlingException"
  | "internalServerException";

/** The recorded stream events, in order (messageStart … metadata). */
export const streamEvents = readJson("converse-stream-events.json") as readonly StreamEventJson[];

/** A non-streamed Converse response. */
export const converseResponse = readJson("converse-response.json") as Record<string, unknown>;

const errors = readJson("errors.json") as Record<ErrorFixture, ErrorJson>;
const streamExceptions = readJson("stream-exceptions.json") as Record<
  StreamExceptionFixture,
  Record<string, unknown>
>;

/** The error response of a fixture. */
export function errorOf(name: ErrorFixture): ErrorJson {
  return errors[name];
}

/** The payload of an in-stream exception frame. */
export function streamExceptionOf(name: StreamExceptionFixture): Record<string, unknown> {
  return streamExceptions[name];
}

/** The recorded payload of an event type, with `overrides` merged in. */
export function eventPayload(
  eventType: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const recorded = streamEvents.find((event) => event.eventType === eventType);
  if (recorded === undefined) throw new Error(`no recorded ${eventType} event`);
  return { ...recorded.payload, ...overrides };
}
