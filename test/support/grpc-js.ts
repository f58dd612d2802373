import {
  create,
  type DescMessage,
  type DescMethod,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";

type Serialize<T> = (value: T) => Buffer;
type Deserialize<T> = (bytes: Buffer) => T;

/** grpc-js (de)serializers for a method of generated protobuf-es code. */
export function grpcCodec<I extends DescMessage, O extends DescMessage>(method: {
  input: I;
  output: O;
}): { serialize: Serialize<MessageShape<I>>; deserialize: Deserialize<MessageShape<O>> } {
  return {
    serialize: (value) => Buffer.from(toBinary(method.input, value)),
    deserialize: (bytes) => fromBinary(method.output, bytes),
  };
}

/** The gRPC path of a method, e.g. "/switchboard.v1.ModelService/ListModels". */
export function grpcPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/** A unary call with grpc-js. */
export function grpcUnary<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  method: DescMethod & { input: I; output: O },
  request: MessageInitShape<I>,
): Promise<MessageShape<O>> {
  const { serialize, deserialize } = grpcCodec(method);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      grpcPath(method),
      serialize,
      deserialize,
      create(method.input, request),
      (error, response) => (error || response === undefined ? reject(error) : resolve(response)),
    );
  });
}

/** The status a grpc-js call ended with (`once` would reject on the call's "error" event). */
export function grpcStatus(call: grpc.ClientReadableStream<unknown>): Promise<grpc.StatusObject> {
  return new Promise((resolve) => call.once("status", resolve));
}

/** Resolves once the channel leaves `state` (or rejects after `timeoutMs`). */
export function channelLeaves(
  client: grpc.Client,
  state: grpc.connectivityState,
  timeoutMs = 5_000,
): Promise<grpc.connectivityState> {
  const channel = client.getChannel();
  return new Promise((resolve, reject) => {
    channel.watchConnectivityState(state, Date.now() + timeoutMs, (error) =>
      error ? reject(error) : resolve(channel.getConnectivityState(false)),
    );
  });
}
