/** One piece of a fake's streamed answer. */
export interface AnswerPiece {
  readonly text: string;
  /** Words in this piece. */
  readonly words: number;
}

/** A fake's answer cut for streaming. */
export interface AnswerPieces {
  /** Up to 5 pieces that concatenate to the text. */
  readonly pieces: readonly AnswerPiece[];
  /** Words of the whole text: the fakes' output token count. */
  readonly words: number;
}

/**
 * The normal answer of every fake upstream: "Answer from <model>: <last user message>", or
 * "Answer from <model>." when there is no user text.
 */
export function fakeAnswerText(model: string, lastUserText: string): string {
  return lastUserText === "" ? `Answer from ${model}.` : `Answer from ${model}: ${lastUserText}`;
}

/**
 * Cuts a text into up to 5 pieces of whole words. A word keeps its trailing white space, or with
 * `spaceBefore` its leading one (as Anthropic's deltas do: " and the rest").
 */
export function answerPieces(text: string, options: { spaceBefore?: boolean } = {}): AnswerPieces {
  const words = text.match(options.spaceBefore === true ? /\s*\S+/g : /\S+\s*/g) ?? [text];
  const perPiece = Math.ceil(words.length / 5);
  const pieces: AnswerPiece[] = [];
  for (let index = 0; index < words.length; index += perPiece) {
    const slice = words.slice(index, index + perPiece);
    pieces.push({ text: slice.join(""), words: slice.length });
  }
  return { pieces, words: words.length };
}

/** The fakes' prompt token count: characters of every text / 4, rounded up. */
export function promptTokensOf(texts: readonly string[]): number {
  return Math.ceil(texts.reduce((total, text) => total + text.length, 0) / 4);
}
