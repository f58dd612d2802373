/**
 * An assistant prefill prepared for the Messages API, which rejects a final assistant message
 * whose content ends with whitespace ("final assistant content cannot end with trailing
 * whitespace").
 */
export interface AnthropicPrefill {
  /** The prefill without its trailing whitespace: the final assistant message's content. */
  readonly sentText: string;
  /**
   * Turns the model's text, delta by delta, into the continuation of the caller's (untrimmed)
   * prefill. Returns "" for a delta that is wholly dropped.
   */
  continuation(delta: string): string;
}

/**
 * Prepares a prefill: the trailing whitespace is cut off what is sent, and the model, which then
 * continues from the cut text, usually starts its answer with that whitespace again ("Red," →
 * " orange"). Since the caller joins the continuation to its own untrimmed prefill ("Red, "),
 * the leading text of the continuation that repeats the cut whitespace character for character
 * is dropped ("Red, " + "orange"); whitespace beyond it (a blank line after "\n") is kept, and
 * a continuation that starts otherwise is passed unchanged. The match may span several deltas.
 */
export function prepareAnthropicPrefill(prefill: string): AnthropicPrefill {
  const sentText = prefill.trimEnd();
  let pending = prefill.slice(sentText.length);
  return {
    sentText,
    continuation(delta) {
      if (pending === "") return delta;
      let matched = 0;
      while (matched < delta.length && matched < pending.length) {
        if (delta[matched] !== pending[matched]) break;
        matched++;
      }
      if (matched === delta.length) {
        // The whole delta repeats the cut whitespace: the next delta may repeat the rest.
        pending = pending.slice(matched);
        return "";
      }
      pending = "";
      return delta.slice(matched);
    },
  };
}
