import type { StreamPromptResponse } from "../../gen/switchboard/v1/prompt_service_pb.js";

/** Reads a stream to its end. */
export async function collect(
  stream: AsyncIterable<StreamPromptResponse>,
): Promise<StreamPromptResponse[]> {
  const events: StreamPromptResponse[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The text a client shows after applying every event in order. */
export function textOf(events: readonly StreamPromptResponse[]): string {
  let text = "";
  for (const { event } of events) {
    if (event.case === "delta") text += event.value.text;
    if (event.case === "modelSwitched" && event.value.discardPreviousText) text = "";
  }
  return text;
}
