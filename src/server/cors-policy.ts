import { cors } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse } from "./http-handler.js";

/** How long browsers may cache a preflight answer, in seconds (Chromium caps it at 2 h). */
const preflightMaxAgeS = 7200;

const allowedMethods = cors.allowedMethods.join(", ");
const allowedHeaders = [...cors.allowedHeaders, "X-Request-Id"].join(", ");
const exposedHeaders = [...cors.exposedHeaders, "X-Session-Id", "X-Request-Id"].join(", ");

/** CORS for browsers calling the gateway with Connect or gRPC-Web. */
export interface CorsPolicy {
  /**
   * Adds the CORS response headers for an allowed origin and answers preflight requests
   * (204 for an allowed origin, 403 without CORS headers otherwise). Returns true when it
   * answered the request itself.
   */
  handle(req: HttpRequest, res: HttpResponse): boolean;
}

/**
 * Creates the CORS policy for `origins` (exact origins such as "https://app.example.com", or
 * "*" for any). With no origins CORS is off: no header is added and preflights go on to the
 * router like any request.
 */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  if (origins.length === 0) return { handle: () => false };
  const anyOrigin = origins.includes("*");
  const allowed = new Set(origins);
  return {
    handle(req, res) {
      const origin = req.headers.origin;
      const isPreflight =
        req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
      if (!anyOrigin) res.setHeader("vary", "Origin");
      if (origin === undefined || !(anyOrigin || allowed.has(origin))) {
        if (!isPreflight) return false;
        res.writeHead(403);
        res.end();
        return true;
      }
      res.setHeader("access-control-allow-origin", anyOrigin ? "*" : origin);
      if (!isPreflight) {
        res.setHeader("access-control-expose-headers", exposedHeaders);
        return false;
      }
      res.writeHead(204, {
        "access-control-allow-methods": allowedMethods,
        "access-control-allow-headers": allowedHeaders,
        "access-control-max-age": String(preflightMaxAgeS),
      });
      res.end();
      return true;
    },
  };
}
