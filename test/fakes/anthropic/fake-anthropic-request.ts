import type { ParsedAnthropicRequest } from "./fake-anthropic-answers.js";

/** The request, or undefined when the API would refuse it (no model, messages or max_tokens). */
export function parseRequest(body: unknown): ParsedAnthropicRequest | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const {
    model,
    stream,
    system,
    messages,
    max_tokens: maxTokens,
  } = body as Record<string, unknown>;
  if (typeof model !== "string" || !Array.isArray(messages)) return undefined;
  if (typeof maxTokens !== "number") return undefined;
  const parsedMessages = messages.flatMap((message: unknown) => {
    if (typeof message !== "object" || message === null) return [];
    const { role, content } = message as Record<string, unknown>;
    if (typeof role !== "string") return [];
    // The official SDK may send content blocks; the fake reads their text.
    return [{ role, content: textOf(content) }];
  });
  return {
    model,
    stream: stream === true,
    system: textOf(system),
    messages: parsedMessages,
  };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: unknown) =>
      typeof block === "object" &&
      block !== null &&
      "text" in block &&
      typeof block.text === "string"
        ? block.text
        : "",
    )
    .join("");
}
