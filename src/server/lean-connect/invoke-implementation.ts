import type { DescMessage, DescMethod, Message, MessageInitShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type HandlerContext,
  type Interceptor,
  type MethodImplSpec,
  type StreamRequest,
  type StreamResponse,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";

type UnarySpec = Extract<MethodImplSpec, { kind: "unary" }>;
type ServerStreamingSpec = Extract<MethodImplSpec, { kind: "server_streaming" }>;
type AnyFn = (req: UnaryRequest | StreamRequest) => Promise<UnaryResponse | StreamResponse>;

/** A server-streaming call's answer: its messages, then (once they ended) its trailers. */
export interface StreamOutput {
  readonly messages: AsyncIterable<Message>;
  /** The trailers the interceptors answered with; read them after `messages` ended. */
  readonly trailer: Headers;
}

/**
 * Runs a unary implementation through the interceptors, as connect-es's
 * `invokeUnaryImplementation` does: the response headers and trailers the interceptors answer
 * with become the context's.
 */
export async function invokeUnary(
  spec: UnarySpec,
  context: HandlerContext,
  input: unknown,
  interceptors: readonly Interceptor[],
): Promise<unknown> {
  const { method } = spec;
  const request = requestOf(context, method, false, input);
  const implementation: AnyFn = async (req) => ({
    stream: false,
    service: method.parent,
    method: method as never,
    header: context.responseHeader,
    trailer: context.responseTrailer,
    message: create(
      method.output,
      await spec.impl(req.message as never, contextFor(context, req, request)),
    ),
  });
  const response = await applyInterceptors(implementation, interceptors)(request as UnaryRequest);
  copyHeaders(response.header, context.responseHeader);
  copyHeaders(response.trailer, context.responseTrailer);
  return response.message;
}

/** Runs a server-streaming implementation through the interceptors, as connect-es does. */
export async function invokeServerStream(
  spec: ServerStreamingSpec,
  context: HandlerContext,
  input: unknown,
  interceptors: readonly Interceptor[],
): Promise<StreamOutput> {
  const { method } = spec;
  const request = requestOf(context, method, true, oneMessage(input));
  const implementation: AnyFn = async (req) => ({
    stream: true,
    service: method.parent,
    method: method as never,
    header: context.responseHeader,
    trailer: context.responseTrailer,
    message: normalized(
      method.output,
      spec.impl(
        (await onlyMessage(req.message as AsyncIterable<unknown>)) as never,
        contextFor(context, req, request),
      ),
    ),
  });
  const response = await applyInterceptors(implementation, interceptors)(request as StreamRequest);
  copyHeaders(response.header, context.responseHeader);
  return {
    messages: response.message as AsyncIterable<Message>,
    trailer: response.trailer,
  };
}

/**
 * The request interceptors see. Its headers and URL are read from the context only when
 * asked for, so that a call whose interceptors never look pays nothing for them.
 */
function requestOf(
  context: HandlerContext,
  method: DescMethod,
  stream: boolean,
  message: unknown,
): UnaryRequest | StreamRequest {
  return {
    stream,
    message,
    method,
    service: method.parent,
    requestMethod: context.requestMethod,
    signal: context.signal,
    contextValues: context.values,
    get header() {
      return context.requestHeader;
    },
    get url() {
      return context.url;
    },
  } as UnaryRequest | StreamRequest;
}

/** The context the implementation gets: the call's own unless an interceptor replaced the request. */
function contextFor(
  context: HandlerContext,
  req: UnaryRequest | StreamRequest,
  original: UnaryRequest | StreamRequest,
): HandlerContext {
  if (req === original) return context;
  return {
    ...context,
    service: req.service,
    requestHeader: req.header,
    signal: req.signal,
    values: req.contextValues,
    url: context.url,
    timeoutMs: context.timeoutMs,
  };
}

function applyInterceptors(next: AnyFn, interceptors: readonly Interceptor[]): AnyFn {
  let fn = next;
  for (let index = interceptors.length - 1; index >= 0; index--) {
    fn = (interceptors[index] as Interceptor)(fn as never) as AnyFn;
  }
  return fn;
}

async function* oneMessage(message: unknown): AsyncGenerator<unknown> {
  yield message;
}

/** The single message of a server-streaming request, as connect-es checks it. */
async function onlyMessage(messages: AsyncIterable<unknown>): Promise<unknown> {
  const iterator = messages[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) {
    throw new ConnectError(
      "protocol error: missing input message for server-streaming method",
      Code.Unimplemented,
    );
  }
  const second = await iterator.next();
  if (second.done !== true) {
    throw new ConnectError(
      "protocol error: received extra input message for server-streaming method",
      Code.Unimplemented,
    );
  }
  return first.value;
}

/** Makes `to` hold exactly the fields of `from`, as connect-es does with interceptors' headers. */
export /**
 * The implementation's message initializers as messages (connect-es's `normalizeIterable`):
 * an iterator object rather than a generator, one `then` per message.
 */
function normalized(
  output: DescMessage,
  initializers: AsyncIterable<MessageInitShape<DescMessage>>,
): AsyncIterable<Message> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = initializers[Symbol.asyncIterator]();
      const toMessage = (
        result: IteratorResult<MessageInitShape<DescMessage>>,
      ): IteratorResult<Message> =>
        result.done === true ? result : { done: false, value: create(output, result.value) };
      return {
        next: () => iterator.next().then(toMessage),
        return: (value?: unknown) =>
          iterator.return?.(value).then(toMessage) ?? Promise.resolve({ done: true, value }),
        throw: (error?: unknown) =>
          iterator.throw?.(error).then(toMessage) ?? Promise.reject(error),
      };
    },
  };
}

/** Makes `to` hold exactly the fields of `from`, as connect-es does with interceptors' headers. */
export function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  for (const key of [...to.keys()]) to.delete(key);
  for (const [key, value] of from) to.set(key, value);
}
