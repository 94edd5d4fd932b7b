/** What an edge should answer for a set of flags, and a poll until it does. */
import { eventually } from "./procs.ts";
import { evaluate } from "./world.ts";

/** key → true / false (enabled for every user) or "missing" (404 FLAG_NOT_FOUND). */
export type Expected = Record<string, boolean | "missing">;

const USERS = ["u-1", "u-2", "u-3", "u-42", "u-977"];

/** The keys whose answer differs from `expected` (empty when the edge agrees). */
export async function mismatches(edgeUrl: string, expected: Expected): Promise<string[]> {
  const wrong: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    for (const user of USERS) {
      const got = await evaluate(edgeUrl, key, user);
      const ok =
        want === "missing"
          ? got.status === 404 && got.error_code === "FLAG_NOT_FOUND"
          : got.status === 200 && got.enabled === want;
      if (!ok) {
        wrong.push(`${key}: want ${want}, got ${got.status} ${got.error_code ?? `enabled=${got.enabled}`}`);
        break;
      }
    }
  }
  return wrong;
}

export async function waitForFlags(edgeUrl: string, expected: Expected, what: string, timeoutMs = 20_000) {
  let last: string[] = [];
  try {
    await eventually(
      async () => {
        last = await mismatches(edgeUrl, expected);
        return last.length === 0;
      },
      what,
      timeoutMs,
      200,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; still wrong: ${last.join(", ")}`);
  }
}
