import type {
  ConverseStreamCommandInput,
  InferenceConfiguration,
  Message,
  SystemContentBlock,
} from "@aws-sdk/client-bedrock-runtime";
import type { ChatRequest } from "../chat-provider.js";

/**
 * Whether a Bedrock model id continues from an assistant prefill through Converse: Anthropic
 * Claude models do (the final assistant message is their documented prefill). Matches base ids
 * ("anthropic.claude-3-5-haiku-20241022-v1:0"), cross-region inference profiles
 * ("us.anthropic.claude-…", "global.anthropic.claude-…") and ARNs that contain them; a
 * provisioned-throughput ARN hides the family, so it counts as not supporting prefill.
 */
export function bedrockModelSupportsPrefill(modelId: string): boolean {
  return /(^|[.:/])anthropic\.claude/.test(modelId);
}

/**
 * Maps a provider-neutral request to a ConverseStream input: system messages go to `system`,
 * user and assistant turns to `messages` (consecutive turns of one role are merged into one
 * message with several text blocks, since Converse wants the roles to alternate), and the
 * prefill, when set, becomes a final assistant message. Its trailing whitespace is cut, because
 * Anthropic rejects a final assistant message that ends in whitespace. Unset sampling options
 * are left out so that the model's defaults apply; `maxTokens` too, as Converse does not
 * require it.
 */
export function mapBedrockRequest(
  request: ChatRequest,
  modelId: string,
): ConverseStreamCommandInput {
  const system: SystemContentBlock[] = [];
  const messages: Message[] = [];
  const append = (role: "user" | "assistant", text: string): void => {
    const last = messages.at(-1);
    if (last !== undefined && last.role === role) last.content?.push({ text });
    else messages.push({ role, content: [{ text }] });
  };
  for (const message of request.messages) {
    if (message.role === "system") system.push({ text: message.content });
    else append(message.role, message.content);
  }
  const prefill = request.prefill?.trimEnd();
  if (prefill !== undefined && prefill !== "") append("assistant", prefill);

  const input: ConverseStreamCommandInput = { modelId, messages };
  if (system.length > 0) input.system = system;
  const inferenceConfig = mapInferenceConfig(request.options);
  if (inferenceConfig !== undefined) input.inferenceConfig = inferenceConfig;
  return input;
}

function mapInferenceConfig(options: ChatRequest["options"]): InferenceConfiguration | undefined {
  const config: InferenceConfiguration = {};
  if (options.maxTokens !== undefined) config.maxTokens = options.maxTokens;
  if (options.temperature !== undefined) config.temperature = options.temperature;
  if (options.topP !== undefined) config.topP = options.topP;
  if (options.stop !== undefined && options.stop.length > 0)
    config.stopSequences = [...options.stop];
  return Object.keys(config).length > 0 ? config : undefined;
}
