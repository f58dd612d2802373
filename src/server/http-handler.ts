import type { connectNodeAdapter } from "@connectrpc/connect-node";

/**
 * A request handler for node:http and node:http2 alike: connect-node's `NodeHandlerFn`, which
 * its package index does not export by name.
 */
export type HttpHandler = ReturnType<typeof connectNodeAdapter>;

/** An HTTP/1.1 or HTTP/2 (compatibility API) request. */
export type HttpRequest = Parameters<HttpHandler>[0];

/** An HTTP/1.1 or HTTP/2 (compatibility API) response. */
export type HttpResponse = Parameters<HttpHandler>[1];
