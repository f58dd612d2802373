import { create, type DescMessage, toBinary, toJsonString } from "@bufbuild/protobuf";
import { ListModelsRequestSchema } from "../../gen/switchboard/v1/model_service_pb.js";
import {
  PromptRequestSchema,
  StreamPromptRequestSchema,
} from "../../gen/switchboard/v1/prompt_service_pb.js";
import { envelope } from "./h2-frames.js";

/** The wire protocols the gateway decodes. */
export type FuzzProtocol =
  | "connect-unary-json"
  | "connect-unary-proto"
  | "connect-stream-json"
  | "connect-stream-proto"
  | "grpc"
  | "grpc-web";

/** One fuzzed request. */
export interface FuzzCase {
  readonly index: number;
  readonly protocol: FuzzProtocol;
  readonly transport: "h1" | "h2";
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** The mutations applied, in order, for the report. */
  readonly mutations: readonly string[];
}

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Method {
  readonly path: string;
  readonly streaming: boolean;
  readonly schema: DescMessage;
  /** Valid requests to start from. */
  readonly seeds: readonly Record<string, unknown>[];
}

const methods: readonly Method[] = [
  {
    path: "/switchboard.v1.PromptService/Prompt",
    streaming: false,
    schema: PromptRequestSchema,
    seeds: [
      { prompt: "hi" },
      {
        prompt: "hello there",
        system: "be brief",
        options: { temperature: 0.5, maxTokens: 5, topP: 0.9, stop: ["x"] },
        metadata: { k: "v" },
      },
    ],
  },
  {
    path: "/switchboard.v1.PromptService/StreamPrompt",
    streaming: true,
    schema: StreamPromptRequestSchema,
    seeds: [{ prompt: "hi" }, { prompt: "hi", options: { maxTokens: 3 }, metadata: { a: "b" } }],
  },
  {
    path: "/switchboard.v1.ModelService/ListModels",
    streaming: false,
    schema: ListModelsRequestSchema,
    seeds: [{}],
  },
];

const protocols: readonly FuzzProtocol[] = [
  "connect-unary-json",
  "connect-unary-proto",
  "connect-stream-json",
  "connect-stream-proto",
  "grpc",
  "grpc-web",
];

/**
 * The fuzz case `index` of `seed`: a protocol, transport and method, a valid request for it,
 * then one to three random mutations of the message bytes, the envelope, or both. The same
 * seed and index always give the same case.
 */
export function fuzzCase(seed: number, index: number): FuzzCase {
  const random = createPrng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (max: number): number => Math.floor(random() * max);
  const protocol = pick(protocols);
  const method = pick(
    methods.filter((m) =>
      protocol.startsWith("connect-unary")
        ? !m.streaming
        : protocol.startsWith("connect-stream")
          ? m.streaming
          : true,
    ),
  );
  const transport = protocol === "grpc" ? "h2" : pick(["h1", "h2"] as const);
  const json = protocol.endsWith("json");
  const message = create(method.schema, pick(method.seeds));
  let bytes: Buffer = json
    ? Buffer.from(toJsonString(method.schema, message))
    : Buffer.from(toBinary(method.schema, message));
  const mutations: string[] = [];
  const mutateBytes = (input: Buffer, where: string): Buffer => {
    const kind = int(8);
    const at = int(input.length + 1);
    switch (kind) {
      case 0: {
        if (input.length === 0) return mutateBytes(input, where);
        const copy = Buffer.from(input);
        const i = Math.min(at, copy.length - 1);
        copy[i]! ^= 1 << int(8);
        mutations.push(`${where}: flip a bit of byte ${i}`);
        return copy;
      }
      case 1: {
        if (input.length === 0) return mutateBytes(input, where);
        const copy = Buffer.from(input);
        const i = Math.min(at, copy.length - 1);
        copy[i] = int(256);
        mutations.push(`${where}: set byte ${i} to ${copy[i]}`);
        return copy;
      }
      case 2:
        mutations.push(`${where}: truncate to ${at}`);
        return input.subarray(0, at);
      case 3: {
        const extra = randomBytes(random, 1 + int(16));
        mutations.push(`${where}: insert ${extra.toString("hex")} at ${at}`);
        return Buffer.concat([input.subarray(0, at), extra, input.subarray(at)]);
      }
      case 4: {
        const extra = randomBytes(random, 1 + int(64));
        mutations.push(`${where}: append ${extra.length} random bytes`);
        return Buffer.concat([input, extra]);
      }
      case 5: {
        const end = at + int(input.length - at + 1);
        mutations.push(`${where}: delete ${at}..${end}`);
        return Buffer.concat([input.subarray(0, at), input.subarray(end)]);
      }
      case 6:
        mutations.push(`${where}: repeat twice`);
        return Buffer.concat([input, input]);
      default: {
        const replacement = randomBytes(random, int(48));
        mutations.push(`${where}: replace with ${replacement.toString("hex")}`);
        return replacement;
      }
    }
  };
  const enveloped = protocol !== "connect-unary-json" && protocol !== "connect-unary-proto";
  const messageMutations = enveloped ? int(3) : 1 + int(3);
  for (let i = 0; i < messageMutations; i++) bytes = mutateBytes(bytes, "message");
  let body: Buffer = bytes;
  if (enveloped) {
    body = envelope(bytes);
    // At least one mutation per case: the message's, else the envelope's.
    const envelopeMutations = messageMutations === 0 ? 1 + int(2) : int(2);
    for (let i = 0; i < envelopeMutations; i++) body = mutateEnvelope(body, random, mutations);
  }
  return {
    index,
    protocol,
    transport,
    path: method.path,
    contentType: contentTypeOf(protocol),
    body,
    mutations,
  };
}

function mutateEnvelope(body: Buffer, random: () => number, mutations: string[]): Buffer {
  const int = (max: number): number => Math.floor(random() * max);
  const copy = Buffer.from(body);
  switch (int(5)) {
    case 0: {
      const flags = [0x01, 0x02, 0x80, 0x03, 0xff, int(256)][int(6)]!;
      if (copy.length > 0) copy[0] = flags;
      mutations.push(`envelope: flags ${flags}`);
      return copy;
    }
    case 1: {
      if (copy.length < 5) return copy;
      const declared = copy.readUInt32BE(1);
      const length = [
        declared + 1 + int(8),
        Math.max(0, declared - 1 - int(4)),
        0,
        0xffff_ffff,
        int(1 << 24),
      ][int(5)]!;
      copy.writeUInt32BE(length >>> 0, 1);
      mutations.push(`envelope: declared length ${length}`);
      return copy;
    }
    case 2: {
      const at = int(copy.length + 1);
      mutations.push(`envelope: cut at ${at}`);
      return copy.subarray(0, at);
    }
    case 3:
      mutations.push("envelope: a second envelope");
      return Buffer.concat([copy, copy]);
    default:
      mutations.push("envelope: no envelope at all");
      return Buffer.alloc(0);
  }
}

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

function contentTypeOf(protocol: FuzzProtocol): string {
  switch (protocol) {
    case "connect-unary-json":
      return "application/json";
    case "connect-unary-proto":
      return "application/proto";
    case "connect-stream-json":
      return "application/connect+json";
    case "connect-stream-proto":
      return "application/connect+proto";
    case "grpc":
      return "application/grpc";
    case "grpc-web":
      return "application/grpc-web+proto";
  }
}
