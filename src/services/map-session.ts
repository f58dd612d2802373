import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Message,
  MessageSchema,
  Role,
  type Session,
  SessionSchema,
} from "../../gen/switchboard/v1/session_service_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { MessageRecord, NewMessage, SessionRecord } from "../storage/records.js";
import { fromProtoResult, fromProtoUsage, toProtoResult, toProtoUsage } from "./map-common.js";

/** A stored session → proto. */
export function toProtoSession(session: SessionRecord): Session {
  return create(SessionSchema, {
    id: session.id,
    system: session.system,
    title: session.title,
    metadata: { ...session.metadata },
    messageCount: session.messageCount,
    createTime: timestampFromMs(session.createTimeMs),
    updateTime: timestampFromMs(session.updateTimeMs),
    expireTime: timestampFromMs(session.expireTimeMs),
  });
}

/** A stored message → proto. */
export function toProtoMessage(message: MessageRecord): Message {
  return create(MessageSchema, {
    role: message.role === "user" ? Role.USER : Role.ASSISTANT,
    text: message.text,
    model: message.model ?? "",
    usage: toProtoUsage(message.usage),
    result: toProtoResult(message.result),
    createTime: timestampFromMs(message.createTimeMs),
    metadata: { ...message.metadata },
  });
}

/** A proto message to append → domain; throws `invalid_argument` for an unset role. */
export function fromProtoMessage(message: Message, index: number): NewMessage {
  if (message.role !== Role.USER && message.role !== Role.ASSISTANT) {
    throw new GatewayError(
      "invalid_argument",
      `messages[${index}].role must be ROLE_USER or ROLE_ASSISTANT`,
    );
  }
  if (message.createTime && Number.isNaN(timestampDate(message.createTime).getTime())) {
    throw new GatewayError(
      "invalid_argument",
      `messages[${index}].create_time is not a valid time`,
    );
  }
  return {
    role: message.role === Role.USER ? "user" : "assistant",
    text: message.text,
    model: message.model === "" ? undefined : message.model,
    usage: fromProtoUsage(message.usage),
    result: fromProtoResult(message.result),
    metadata: message.metadata,
  };
}
