/**
 * Postgres array literals built as text, passed as ONE parameter and cast in SQL (`${textArray(xs)}::text[]`):
 * a fixed parameter count whatever the row count, and the same on postgres.js and PGlite.
 */

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** A Postgres array literal of texts (`null` → NULL); every element quoted, so no value is read as a keyword. */
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

export function boolArray(values: readonly boolean[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = values[i] ? "t" : "f";
  return `{${parts.join(",")}}`;
}

/** Bytes as hex texts (`decode(x, 'hex')` in SQL); null stays NULL. */
export function hexArray(values: readonly (Uint8Array | null)[]): string {
  return textArray(
    values.map((v) => (v === null ? null : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex"))),
  );
}
