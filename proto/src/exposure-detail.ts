/**
 * The free-form detail of an exposure event (FeatureEvaluationEvent.evaluation_context and user_context) comes from
 * whoever calls an edge, so the edge and the backend bound it the same way. Detail beyond a limit is cut, never a
 * reason to refuse a batch: the batch also carries the exact evaluation counters of everyone else.
 */
export const EXPOSURE_DETAIL_LIMITS = {
  /** Context pairs kept per event (the first ones). */
  contextPairs: 100,
  /** UTF-16 units kept of a context key or value. */
  contextText: 1000,
  /** UTF-16 units kept of user_context. */
  userContext: 255,
} as const;

/**
 * `value` as storable detail: cut to `max` UTF-16 units without splitting a surrogate pair, and NUL (which
 * Postgres text and jsonb cannot hold) replaced by U+FFFD.
 */
export function detailText(value: string, max: number): string {
  let text = value;
  if (text.length > max) {
    const cut = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
    text = text.slice(0, cut);
  }
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
