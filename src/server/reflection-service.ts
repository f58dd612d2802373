import {
  create,
  createRegistry,
  type DescFile,
  type DescService,
  type Registry,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import {
  ServerReflectionResponseSchema as ServerReflectionResponseSchemaV1,
  ServerReflection as ServerReflectionV1,
} from "../../gen/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflectionResponseSchema as ServerReflectionResponseSchemaV1alpha,
  ServerReflection as ServerReflectionV1alpha,
} from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/** One request of the reflection stream; v1 and v1alpha share this shape. */
type ReflectionQuery =
  | { case: "fileByFilename"; value: string }
  | { case: "fileContainingSymbol"; value: string }
  | {
      case: "fileContainingExtension";
      value: { containingType: string; extensionNumber: number };
    }
  | { case: "allExtensionNumbersOfType"; value: string }
  | { case: "listServices"; value: string }
  | { case: undefined; value?: undefined };

/** One answer of the reflection stream; v1 and v1alpha share this shape. */
type ReflectionAnswer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | {
      case: "allExtensionNumbersResponse";
      value: { baseTypeName: string; extensionNumber: number[] };
    }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/** Implementations of `grpc.reflection.v1.ServerReflection` and its v1alpha twin. */
export interface ReflectionServices {
  readonly v1: ServiceImpl<typeof ServerReflectionV1>;
  readonly v1alpha: ServiceImpl<typeof ServerReflectionV1alpha>;
}

/**
 * Creates gRPC server reflection for `services`, so that grpcurl, `buf curl` and
 * grpc-health-probe work with no local .proto files. The two reflection services themselves
 * are always listed. File answers hold the serialized FileDescriptorProto of the file and of
 * every file it imports, transitively (google/protobuf/timestamp.proto …). `detailFiles` are
 * files no service imports whose types still reach clients, as error details
 * (switchboard.v1.AttemptTrail, google.rpc.RetryInfo): serving them lets grpcurl decode those.
 * Reflection is a bidi stream, so it needs HTTP/2.
 */
export function createReflectionServices(
  services: readonly DescService[],
  detailFiles: readonly DescFile[] = [],
): ReflectionServices {
  const answer = createReflectionAnswerer(
    [...services, ServerReflectionV1, ServerReflectionV1alpha],
    detailFiles,
  );
  return {
    v1: {
      async *serverReflectionInfo(requests) {
        for await (const request of requests) {
          yield create(ServerReflectionResponseSchemaV1, {
            validHost: request.host,
            originalRequest: request,
            messageResponse: answer(request.messageRequest),
          });
        }
      },
    },
    v1alpha: {
      async *serverReflectionInfo(requests) {
        for await (const request of requests) {
          yield create(ServerReflectionResponseSchemaV1alpha, {
            validHost: request.host,
            originalRequest: request,
            messageResponse: answer(request.messageRequest),
          });
        }
      },
    },
  };
}

function createReflectionAnswerer(
  services: readonly DescService[],
  detailFiles: readonly DescFile[],
): (query: ReflectionQuery) => ReflectionAnswer {
  const serviceNames = [...new Set(services.map((service) => service.typeName))].sort();
  const filesByName = new Map<string, DescFile>();
  const addFile = (file: DescFile): void => {
    // `file.name` lacks ".proto"; reflection clients ask by the real file name.
    if (filesByName.has(file.proto.name)) return;
    filesByName.set(file.proto.name, file);
    for (const dependency of file.dependencies) addFile(dependency);
  };
  for (const service of services) addFile(service.file);
  for (const file of detailFiles) addFile(file);
  const registry = createRegistry(...filesByName.values());
  const serialized = new Map<DescFile, Uint8Array>();
  const serialize = (file: DescFile): Uint8Array => {
    let bytes = serialized.get(file);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      serialized.set(file, bytes);
    }
    return bytes;
  };
  const fileAnswer = (file: DescFile): ReflectionAnswer => ({
    case: "fileDescriptorResponse",
    value: { fileDescriptorProto: withDependencies(file).map(serialize) },
  });
  const notFound = (message: string): ReflectionAnswer => ({
    case: "errorResponse",
    value: { errorCode: Code.NotFound, errorMessage: message },
  });

  return (query) => {
    switch (query.case) {
      case "listServices":
        return {
          case: "listServicesResponse",
          value: { service: serviceNames.map((name) => ({ name })) },
        };
      case "fileByFilename": {
        const file = filesByName.get(query.value);
        return file ? fileAnswer(file) : notFound(`file "${query.value}" not found`);
      }
      case "fileContainingSymbol": {
        const file = fileOfSymbol(registry, query.value);
        return file ? fileAnswer(file) : notFound(`symbol "${query.value}" not found`);
      }
      case "fileContainingExtension": {
        const { containingType, extensionNumber } = query.value;
        const message = registry.getMessage(containingType);
        const extension = message && registry.getExtensionFor(message, extensionNumber);
        return extension
          ? fileAnswer(extension.file)
          : notFound(`extension ${extensionNumber} of "${containingType}" not found`);
      }
      case "allExtensionNumbersOfType": {
        if (registry.getMessage(query.value) === undefined) {
          return notFound(`type "${query.value}" not found`);
        }
        const numbers: number[] = [];
        for (const type of registry) {
          if (type.kind === "extension" && type.extendee.typeName === query.value) {
            numbers.push(type.number);
          }
        }
        return {
          case: "allExtensionNumbersResponse",
          value: { baseTypeName: query.value, extensionNumber: numbers },
        };
      }
      case undefined:
        return {
          case: "errorResponse",
          value: { errorCode: Code.InvalidArgument, errorMessage: "empty reflection request" },
        };
    }
  };
}

/**
 * The file declaring a fully qualified symbol: a message, enum, service or extension, or a
 * method of a service or a field of a message (grpcurl asks for methods).
 */
function fileOfSymbol(registry: Registry, symbol: string): DescFile | undefined {
  const type = registry.get(symbol);
  if (type !== undefined) return type.file;
  const dot = symbol.lastIndexOf(".");
  const parent = dot > 0 ? registry.get(symbol.slice(0, dot)) : undefined;
  const member = symbol.slice(dot + 1);
  if (parent?.kind === "service" && parent.methods.some((method) => method.name === member)) {
    return parent.file;
  }
  if (parent?.kind === "message" && parent.fields.some((field) => field.name === member)) {
    return parent.file;
  }
  return undefined;
}

/** The file first, then every file it imports, transitively, each once. */
function withDependencies(file: DescFile): DescFile[] {
  const files = [file];
  for (let i = 0; i < files.length; i++) {
    for (const dependency of files[i]?.dependencies ?? []) {
      if (!files.includes(dependency)) files.push(dependency);
    }
  }
  return files;
}
