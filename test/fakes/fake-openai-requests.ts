import type { ParsedRequest } from "./fake-openai-answers.js";

/** How the fake OpenAI server reads a request: its JSON body, and Azure's deployment paths. */

const AZURE_DEPLOYMENT_PATH = /\/openai\/deployments\/([^/]+)\/chat\/completions$/;

/** The decoded deployment of an Azure deployment path, else undefined. */
export function azureDeploymentOf(pathname: string): string | undefined {
  const encoded = AZURE_DEPLOYMENT_PATH.exec(pathname)?.[1];
  if (encoded === undefined) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** The parts of a Chat Completions body the fake uses; undefined when it is not one. */
export function parseRequest(
  body: unknown,
  deployment: string | undefined,
): ParsedRequest | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const {
    model: bodyModel,
    stream,
    stream_options: streamOptions,
    messages,
  } = body as Record<string, unknown>;
  // On Azure the deployment in the path decides; the body's model is optional there.
  const model = deployment ?? bodyModel;
  if (typeof model !== "string" || !Array.isArray(messages)) return undefined;
  const parsedMessages = messages.flatMap((message: unknown) => {
    if (typeof message !== "object" || message === null) return [];
    const { role, content } = message as Record<string, unknown>;
    return typeof role === "string" && typeof content === "string" ? [{ role, content }] : [];
  });
  const includeUsage =
    typeof streamOptions === "object" &&
    streamOptions !== null &&
    (streamOptions as Record<string, unknown>).include_usage === true;
  return {
    model,
    stream: stream === true,
    includeUsage,
    messages: parsedMessages,
    azure: deployment !== undefined,
  };
}
