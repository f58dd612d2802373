import type { MessageRecord, NewMessage } from "./records.js";
import type { HistoryWindow } from "./session-store.js";

/**
 * Session rules every `SessionStore` implementation shares, so that memory and Valkey answer
 * alike: page sizes, the title rule and the history window.
 */

/** `listSessions` page size when the request asks for 0, and its upper bound. */
export const SESSIONS_PAGE_SIZE = { default: 20, max: 100 } as const;
/** `listMessages` page size when the request asks for 0, and its upper bound. */
export const MESSAGES_PAGE_SIZE = { default: 100, max: 1000 } as const;
/** Longest title taken from the first user message, in characters (code points). */
export const MAX_TITLE_CHARS = 80;

/** The title of an untitled session: its first non-blank user message, shortened. */
export function titleFrom(messages: readonly NewMessage[]): string {
  for (const message of messages) {
    if (message.role !== "user") continue;
    const text = message.text.replace(/\s+/g, " ").trim();
    if (text !== "") return Array.from(text).slice(0, MAX_TITLE_CHARS).join("");
  }
  return "";
}

/**
 * The longest run of newest messages within the window (`maxMessages`, and `maxChars` in UTF-16
 * code units of `text`), oldest first. A message is never split, so an oversize newest message
 * leaves the window empty.
 */
export function newestWithin(
  messages: readonly MessageRecord[],
  window: HistoryWindow,
): MessageRecord[] {
  let first = messages.length;
  let chars = 0;
  while (first > 0 && messages.length - first < window.maxMessages) {
    const candidate = messages[first - 1];
    if (candidate === undefined || chars + candidate.text.length > window.maxChars) break;
    chars += candidate.text.length;
    first -= 1;
  }
  return messages.slice(first);
}
