import { readFileSync } from "node:fs";

/**
 * Builders of OpenAI wire bodies from the fixtures in test/fixtures/openai/: every field comes
 * from a documented example; only ids, model, texts and counts are set here.
 */

/** The `usage` object of a chunk or a completion. */
export interface UsageJson {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [field: string]: unknown;
}

interface ChunkJson {
  id: string;
  model: string;
  created: number;
  choices: { delta: Record<string, unknown>; finish_reason: string | null }[];
  usage: UsageJson | null;
  [field: string]: unknown;
}

interface CompletionJson {
  id: string;
  model: string;
  created: number;
  choices: { message: { content: string }; finish_reason: string }[];
  usage: UsageJson;
  [field: string]: unknown;
}

/** Identity shared by the chunks of one answer. */
export interface AnswerIdentity {
  readonly id: string;
  readonly model: string;
  readonly created: number;
}

/** The text of a fixture file. */
export function readOpenAiFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), "utf8");
}

function template<T>(name: string): () => T {
  const text = readOpenAiFixture(name);
  // Our own fixture files, shaped like the documented bodies; parsed afresh for every use.
  return () => JSON.parse(text) as T;
}

const roleTemplate = template<ChunkJson>("chat-completion-chunk-role.json");
const contentTemplate = template<ChunkJson>("chat-completion-chunk-content.json");
const finishTemplate = template<ChunkJson>("chat-completion-chunk-finish.json");
const usageTemplate = template<ChunkJson>("chat-completion-chunk-usage.json");
const completionTemplate = template<CompletionJson>("chat-completion.json");
const azurePromptFilterTemplate = template<Record<string, unknown>>(
  "azure-chat-completion-chunk-prompt-filter.json",
);
const azureContentTemplate = template<ChunkJson>("azure-chat-completion-chunk-content.json");
const groqFinishTemplate = template<ChunkJson>("groq-chat-completion-chunk-finish.json");
const mistralFinishTemplate = template<ChunkJson>("mistral-chat-completion-chunk-finish.json");

/** The named error body fixtures. */
export type ErrorFixture =
  | "rate-limit"
  | "insufficient-quota"
  | "invalid-api-key"
  | "context-length-exceeded"
  | "content-filter"
  | "invalid-request"
  | "server-error"
  | "overloaded"
  | "azure-unauthorized"
  | "azure-rate-limit"
  | "azure-not-found";

/** An error body, as the JSON text the API sends. */
export function errorBody(name: ErrorFixture): string {
  return JSON.stringify(JSON.parse(readOpenAiFixture(`error-${name}.json`)));
}

function identify<T extends { id: string; model: string; created: number }>(
  body: T,
  identity: AnswerIdentity,
): T {
  body.id = identity.id;
  body.model = identity.model;
  body.created = identity.created;
  return body;
}

/** The first chunk: the assistant role, empty content. */
export function roleChunk(identity: AnswerIdentity): ChunkJson {
  return identify(roleTemplate(), identity);
}

/** A chunk carrying `text`. */
export function contentChunk(identity: AnswerIdentity, text: string): ChunkJson {
  const chunk = identify(contentTemplate(), identity);
  const choice = chunk.choices[0];
  if (choice !== undefined) choice.delta = { content: text };
  return chunk;
}

/** The chunk carrying the finish reason. */
export function finishChunk(identity: AnswerIdentity, reason: string): ChunkJson {
  const chunk = identify(finishTemplate(), identity);
  const choice = chunk.choices[0];
  if (choice !== undefined) choice.finish_reason = reason;
  return chunk;
}

/** Token counts with their documented detail objects. */
export function usageOf(promptTokens: number, completionTokens: number): UsageJson {
  const usage = usageTemplate().usage;
  if (usage === null) throw new Error("the usage fixture has no usage");
  usage.prompt_tokens = promptTokens;
  usage.completion_tokens = completionTokens;
  usage.total_tokens = promptTokens + completionTokens;
  return usage;
}

/** The `include_usage` chunk: no choices, the usage. */
export function usageChunk(identity: AnswerIdentity, usage: UsageJson): ChunkJson {
  const chunk = identify(usageTemplate(), identity);
  chunk.usage = usage;
  return chunk;
}

/** A non-streamed `chat.completion`. */
export function completionBody(
  identity: AnswerIdentity,
  text: string,
  usage: UsageJson,
): CompletionJson {
  const body = identify(completionTemplate(), identity);
  const choice = body.choices[0];
  if (choice !== undefined) choice.message.content = text;
  body.usage = usage;
  return body;
}

/** One SSE event carrying `data`. */
export function sseData(data: unknown): string {
  return `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

/** Azure's first chunk: no choices, the prompt's `prompt_filter_results`. */
export function azurePromptFilterChunk(): Record<string, unknown> {
  return azurePromptFilterTemplate();
}

/** An Azure chunk carrying `text`, with its choice's `content_filter_results`. */
export function azureContentChunk(identity: AnswerIdentity, text: string): ChunkJson {
  const chunk = identify(azureContentTemplate(), identity);
  const choice = chunk.choices[0];
  if (choice !== undefined) choice.delta = { content: text };
  return chunk;
}

/**
 * A finish chunk that carries the usage itself, as servers that do not know `stream_options`
 * send it: in `usage` (Mistral, Together, Cerebras) or in `x_groq.usage` (Groq's older streams).
 */
export function finishChunkWithUsage(
  identity: AnswerIdentity,
  reason: string,
  usage: UsageJson,
  style: "usage" | "x_groq",
): ChunkJson {
  const chunk = identify(
    style === "usage" ? mistralFinishTemplate() : groqFinishTemplate(),
    identity,
  );
  const choice = chunk.choices[0];
  if (choice !== undefined) choice.finish_reason = reason;
  if (style === "usage") {
    chunk.usage = usage;
  } else {
    const groq = chunk.x_groq as { usage: Record<string, unknown> };
    groq.usage.prompt_tokens = usage.prompt_tokens;
    groq.usage.completion_tokens = usage.completion_tokens;
    groq.usage.total_tokens = usage.total_tokens;
  }
  return chunk;
}
