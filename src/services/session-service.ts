import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  AppendMessagesResponseSchema,
  CreateSessionResponseSchema,
  DeleteSessionResponseSchema,
  GetSessionResponseSchema,
  ListMessagesResponseSchema,
  ListSessionsResponseSchema,
  type SessionService,
} from "../../gen/switchboard/v1/session_service_pb.js";
import type { Engine } from "../engine/create-engine.js";
import { defaultOwner } from "../engine/prompt-input.js";
import { fromProtoMessage, toProtoMessage, toProtoSession } from "./map-session.js";
import { sessionIdHeader } from "./prompt-service.js";

/** `switchboard.v1.SessionService` over the engine's session operations. */
export function createSessionService(engine: Engine): ServiceImpl<typeof SessionService> {
  const { sessions } = engine;
  return {
    async createSession(request, context) {
      const session = await sessions.create(defaultOwner, {
        system: request.system,
        title: request.title,
        metadata: request.metadata,
      });
      context.responseHeader.set(sessionIdHeader, session.id);
      return create(CreateSessionResponseSchema, { session: toProtoSession(session) });
    },

    async getSession(request) {
      const session = await sessions.get(defaultOwner, request.sessionId);
      return create(GetSessionResponseSchema, { session: toProtoSession(session) });
    },

    async listSessions(request) {
      const page = await sessions.list(defaultOwner, {
        pageSize: request.pageSize,
        pageToken: request.pageToken,
      });
      return create(ListSessionsResponseSchema, {
        sessions: page.items.map(toProtoSession),
        nextPageToken: page.nextPageToken,
      });
    },

    async listMessages(request) {
      const page = await sessions.listMessages(defaultOwner, request.sessionId, {
        pageSize: request.pageSize,
        pageToken: request.pageToken,
      });
      return create(ListMessagesResponseSchema, {
        messages: page.items.map(toProtoMessage),
        nextPageToken: page.nextPageToken,
      });
    },

    async appendMessages(request) {
      const messages = request.messages.map(fromProtoMessage);
      const session = await sessions.append(defaultOwner, request.sessionId, messages);
      return create(AppendMessagesResponseSchema, { session: toProtoSession(session) });
    },

    async deleteSession(request) {
      await sessions.delete(defaultOwner, request.sessionId);
      return create(DeleteSessionResponseSchema, {});
    },
  };
}
