/**
 * Postgres array literals, sent as one text parameter per column and expanded with `unnest`: a fixed parameter
 * count whatever the row count. Every text element is quoted, so no value is read as NULL or a keyword.
 */

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

export function textArray(values: readonly (string | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = v === null ? "NULL" : NEEDS_ESCAPE.test(v) ? `"${v.replace(ESCAPED, "\\$&")}"` : `"${v}"`;
  }
  return `{${parts.join(",")}}`;
}

export function numberArray(values: readonly number[]): string {
  return `{${values.join(",")}}`;
}

/** Bytes as hex texts (`decode(x, 'hex')` in SQL); null stays NULL. */
export function hexArray(values: readonly (Uint8Array | null)[]): string {
  return textArray(
    values.map((v) => (v === null ? null : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex"))),
  );
}
