import { Code, ConnectError } from "@connectrpc/connect";

/** A failed call that is no library error: an HTTP status, a missing event, a wrong answer. */
export class BenchCallError extends Error {
  override readonly name = "BenchCallError";
  /** How the failure is counted, e.g. "unavailable" or "http_502". */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Names a failure the same way for every client, as a Connect code in snake case
 * ("resource_exhausted"), so that the scenarios' error columns compare: Connect errors by
 * their code, grpc-js errors by their status, socket errors by their Node code.
 */
export function errorCode(error: unknown): string {
  if (error instanceof BenchCallError) return error.code;
  if (error instanceof ConnectError) return snakeCase(Code[error.code] ?? String(error.code));
  if (typeof error === "object" && error !== null) {
    const { code, details } = error as { code?: unknown; details?: unknown };
    // grpc-js ServiceError: a numeric gRPC status, which Connect's Code enum numbers alike.
    if (typeof code === "number" && typeof details === "string") {
      return snakeCase(Code[code] ?? String(code));
    }
    if (typeof code === "string") return code;
  }
  return "unknown";
}

function snakeCase(name: string): string {
  return name.replace(/[a-z][A-Z]/g, (pair) => `${pair[0]}_${pair[1]}`).toLowerCase();
}
