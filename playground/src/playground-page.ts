/**
 * The browser playground served at `GET /playground`: sends a prompt with the TypeScript client
 * (Connect over `fetch`, same origin), shows the answer as it streams, the model that answered
 * and any fallback, and keeps the session across prompts and page reloads. The client resumes a
 * stream whose connection drops, so the page only appends the deltas it is given.
 * Bundled into `playground/dist/playground.js` by `scripts/build-playground.mjs`.
 */
import {
  type Attempt,
  AttemptOutcome,
  type ClientStreamEvent,
  createSwitchboardClient,
  SwitchboardError,
} from "../../client/src/index.js";

/** Where the session id survives reloads. */
const sessionKey = "switchboard.playground.sessionId";

type PageState = "idle" | "streaming" | "done" | "stopped" | "error";

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no #${id}`);
  return found;
}

const form = element("ask", HTMLFormElement);
const promptInput = element("prompt", HTMLTextAreaElement);
const sendButton = element("send", HTMLButtonElement);
const stopButton = element("stop", HTMLButtonElement);
const newSessionButton = element("new-session", HTMLButtonElement);
const status = element("status", HTMLSpanElement);
const answer = element("answer", HTMLDivElement);
const model = element("model", HTMLElement);
const fallback = element("fallback", HTMLElement);
const attempts = element("attempts", HTMLElement);
const session = element("session", HTMLElement);

const client = createSwitchboardClient({ baseUrl: window.location.origin });
let running: AbortController | undefined;

function setState(state: PageState, detail: string = state): void {
  status.dataset.state = state;
  status.textContent = detail;
  sendButton.disabled = state === "streaming";
  stopButton.disabled = state !== "streaming";
}

function showSession(): void {
  session.textContent = localStorage.getItem(sessionKey) ?? "(new)";
}

function describeAttempt(attempt: Attempt): string {
  const outcome = AttemptOutcome[attempt.outcome] ?? String(attempt.outcome);
  const reason = attempt.reason === "" ? "" : ` (${attempt.reason})`;
  return `${attempt.model}: ${outcome.toLowerCase()}${reason}, ${attempt.durationMs} ms`;
}

/** Applies one event to the page. */
function show(event: ClientStreamEvent, switches: string[]): void {
  switch (event.type) {
    case "started":
      model.textContent = event.model;
      localStorage.setItem(sessionKey, event.sessionId);
      showSession();
      return;
    case "text":
      answer.textContent += event.text;
      return;
    case "restart":
    case "switched":
      if (event.type === "restart") answer.textContent = "";
      switches.push(`${event.fromModel} → ${event.toModel} (${event.type}: ${event.reason})`);
      fallback.textContent = switches.join("; ");
      model.textContent = event.toModel;
      return;
    case "completed": {
      model.textContent = event.model;
      const failed = event.attempts.filter((a) => a.outcome !== AttemptOutcome.SUCCEEDED);
      if (switches.length === 0) {
        fallback.textContent =
          failed.length === 0
            ? "none"
            : `before the first word: ${failed.map((a) => a.model).join(", ")}`;
      }
      attempts.textContent = event.attempts.map(describeAttempt).join("\n");
      localStorage.setItem(sessionKey, event.sessionId);
      showSession();
    }
  }
}

async function send(prompt: string): Promise<void> {
  const controller = new AbortController();
  running = controller;
  answer.textContent = "";
  model.textContent = "…";
  fallback.textContent = "…";
  attempts.textContent = "…";
  setState("streaming");
  const switches: string[] = [];
  const sessionId = localStorage.getItem(sessionKey) ?? undefined;
  try {
    for await (const event of client.stream(
      { prompt, sessionId },
      { signal: controller.signal, stopGenerationOnAbort: true },
    )) {
      show(event, switches);
    }
    setState("done");
  } catch (reason) {
    if (controller.signal.aborted) {
      setState("stopped");
    } else {
      const message = reason instanceof SwitchboardError ? reason.message : String(reason);
      setState("error", message);
      if (reason instanceof SwitchboardError && reason.attempts.length > 0) {
        attempts.textContent = reason.attempts.map(describeAttempt).join("\n");
      }
    }
  } finally {
    running = undefined;
  }
}

form.addEventListener("submit", (submitted) => {
  submitted.preventDefault();
  const prompt = promptInput.value.trim();
  if (prompt !== "" && running === undefined) void send(prompt);
});
stopButton.addEventListener("click", () => running?.abort());
newSessionButton.addEventListener("click", () => {
  localStorage.removeItem(sessionKey);
  showSession();
});

showSession();
setState("idle");
