import type { Logger } from "pino";

/** The options every reader of an answer event stream takes. */
export interface AnswerStreamOptions<End extends string> {
  /** The configured provider name, for error messages. */
  readonly providerName: string;
  /** The attempt's logger: skipped items are logged at warn. */
  readonly log: Logger;
  /** Called once the answer is complete, before `finish` is yielded, to release the body. */
  readonly onComplete?: ((end: End) => void) | undefined;
}
