/** The provider's own message is cut to this many characters. */
const MAX_PROVIDER_MESSAGE_CHARS = 300;

/** One rewrite that hides a credential a provider's message may echo. */
export interface Redaction {
  /** A global pattern of the credential. */
  readonly pattern: RegExp;
  /** Its replacement, as for `String.prototype.replace` ("$1" keeps a captured prefix). */
  readonly replacement: string;
}

/**
 * OpenAI-style secret keys ("sk-…", Anthropic's "sk-ant-api03-…"). Providers echo masked keys
 * ("sk-abc***xyz"): whatever still looks like one is masked again.
 */
export const SK_API_KEY_REDACTION: Redaction = {
  pattern: /\bsk-[A-Za-z0-9_*.-]{4,}/g,
  replacement: "sk-***",
};

/**
 * A provider's own error message made safe to show: each redaction applied in order,
 * whitespace runs collapsed to one space, trimmed, and cut to 300 characters (with "…").
 * Undefined when there is no message, "" when nothing is left of it. The configured secrets
 * are replaced later, by the engine (`SecretRegistry`), which relies on the "…" to hide one
 * the cut went through and on the "***" masks to hide the rest of one a pattern masked.
 */
export function redactProviderMessage(
  providerMessage: string | undefined,
  redactions: readonly Redaction[],
): string | undefined {
  if (providerMessage === undefined) return undefined;
  let text = providerMessage;
  for (const { pattern, replacement } of redactions) text = text.replace(pattern, replacement);
  text = text.replace(/\s+/g, " ").trim();
  return text.length > MAX_PROVIDER_MESSAGE_CHARS
    ? `${text.slice(0, MAX_PROVIDER_MESSAGE_CHARS)}…`
    : text;
}

/**
 * "<prefix>: <the provider's message, redacted and cut>" (see `redactProviderMessage`), or
 * the prefix alone when the provider sent no message; never the raw body.
 */
export function safeProviderMessage(
  prefix: string,
  providerMessage: string | undefined,
  redactions: readonly Redaction[],
): string {
  const text = redactProviderMessage(providerMessage, redactions);
  return text === undefined || text === "" ? prefix : `${prefix}: ${text}`;
}
