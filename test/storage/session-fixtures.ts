import type { NewMessage } from "../../src/storage/records.js";
import type { NewSession } from "../../src/storage/session-store.js";

/** Alice's new session. */
export function newSession(overrides: Partial<NewSession> = {}): NewSession {
  return { owner: "alice", system: "be brief", title: "", metadata: {}, ...overrides };
}

/** A user message. */
export function user(text: string): NewMessage {
  return { role: "user", text };
}

/** A complete assistant answer. */
export function assistant(text: string): NewMessage {
  return { role: "assistant", text, model: "demo:echo", result: "complete" };
}
