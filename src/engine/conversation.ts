import type { ChatMessage } from "../providers/chat-provider.js";
import type { MessageRecord } from "../storage/records.js";

/** The messages sent upstream for a turn: system text, the history window, the new prompt. */
export function buildConversation(
  system: string,
  history: readonly MessageRecord[],
  prompt: string,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (system !== "") messages.push({ role: "system", content: system });
  for (const message of history) messages.push({ role: message.role, content: message.text });
  messages.push({ role: "user", content: prompt });
  return messages;
}
