import type { Environment } from "../config/env-substitution.js";
import type { GatewayConfig } from "../config/gateway-config.js";

/**
 * The environment variables the Bedrock provider's AWS SDK reads credentials from (its default
 * chain); the gateway never reads them itself, but they are secrets of the process all the same.
 */
export const AWS_CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

/**
 * A header value of the form "<auth scheme> <credentials>" ("Bearer abc…", "Basic dXNl…"). Only
 * these schemes: any two-word value ("My App") would make its second word a secret.
 */
const AUTH_SCHEME_VALUE = /^(?:Bearer|Basic|Token|Bot|Key|Api-?Key)\s+(\S+)$/i;

/**
 * The secrets of a resolved configuration and of the environment, for a `SecretRegistry`:
 * every provider's `apiKey`; every value of every provider's `headers` (they are where a
 * gateway in front of a provider takes its own key) and, for a value like "Bearer xyz", also
 * "xyz" alone (an upstream may echo the token without its scheme; also for Basic, Token, Bot,
 * Key and ApiKey); the password of the Valkey
 * URL, decoded and as written in the URL; and the AWS credentials in `env` (see
 * `AWS_CREDENTIAL_VARIABLES`). Values the registry finds too short are left to it to ignore.
 */
export function configSecrets(config: GatewayConfig, env: Environment): string[] {
  const secrets: string[] = [];
  for (const provider of Object.values(config.providers)) {
    if (provider.apiKey !== undefined) secrets.push(provider.apiKey);
    for (const value of Object.values(provider.headers)) {
      secrets.push(value);
      const credentials = AUTH_SCHEME_VALUE.exec(value.trim())?.[1];
      if (credentials !== undefined) secrets.push(credentials);
    }
  }
  if (config.storage.type === "valkey") secrets.push(...passwordsOf(config.storage.url));
  for (const name of AWS_CREDENTIAL_VARIABLES) {
    const value = env[name];
    if (value !== undefined) secrets.push(value);
  }
  return secrets.filter((secret) => secret !== "");
}

/** The password of a URL, percent-decoded and as the URL writes it; none when it has none. */
function passwordsOf(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const { password } = new URL(url);
  if (password === "") return [];
  try {
    return [decodeURIComponent(password), password];
  } catch {
    return [password];
  }
}
