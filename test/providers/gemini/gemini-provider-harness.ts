import type { ProviderConfig } from "../../../src/config/gateway-config.js";
import type { ChatRequest } from "../../../src/providers/chat-provider.js";
import { FAKE_GEMINI_API_KEY } from "../../fakes/gemini/fake-gemini-server.js";
import { createAnswerReaders, providerConfig } from "../provider-harness.js";

/** Helpers shared by the Gemini provider tests. */

export { call } from "../provider-harness.js";

/** A system message, a short conversation and every sampling option. */
export const request: ChatRequest = {
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Hello" },
    { role: "assistant", content: "Hi." },
    { role: "user", content: "Name three colours of the rainbow" },
  ],
  options: { maxTokens: 50, temperature: 0.3, topP: 0.8, stop: ["END"] },
};

/** Characters of `request`'s messages. */
export const promptCharacters = request.messages.reduce((sum, m) => sum + m.content.length, 0);

/** A gemini provider "google" with the fake's key and a custom header. */
export function config(overrides: Partial<ProviderConfig>): ProviderConfig {
  return providerConfig({ name: "google", type: "gemini", apiKey: FAKE_GEMINI_API_KEY }, overrides);
}

/** `collect` and `failureOf` for this file's `request`. */
export const { collect, failureOf } = createAnswerReaders(request);
