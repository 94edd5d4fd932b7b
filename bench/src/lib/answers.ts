/**
 * Checking the answers a server gave for the benchmark flag: exactly the engine's (FluxGate edge), or — for peers,
 * which hash differently — about 30 % on in the targeted countries and nobody elsewhere.
 */

import { TARGET_COUNTRIES } from "../peers/scenario.ts";
import { ROLLOUT_PERCENT, type User } from "./bench-flag.ts";
import { decisionOf, type ReplyShape } from "./decision.ts";
import type { RunRecorder } from "./result.ts";

/** Per user: 1 on, 0 off, -1 not asked / no answer, -2 contradictory answers. */
export type Decisions = readonly number[];

/**
 * Asks a server about the first `count` bodies (default all; a few at a time) and returns its decisions (-1 for
 * those not asked); any non-200 or bad shape throws.
 */
export async function askAll(
  url: string,
  bodies: readonly string[],
  shape: ReplyShape,
  options: { flag?: string; headers?: Record<string, string>; count?: number } = {},
): Promise<number[]> {
  const decisions = new Array<number>(bodies.length).fill(-1);
  const count = Math.min(options.count ?? bodies.length, bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...options.headers },
        body: bodies[i],
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text.slice(0, 200)}`);
      const enabled = decisionOf(text, shape, options.flag);
      if (enabled === undefined) throw new Error(`${url}: unexpected reply ${text.slice(0, 300)}`);
      decisions[i] = enabled ? 1 : 0;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return decisions;
}

/** Records whether every decision given agrees with the engine's; at least `minShare` of users must be seen. */
export function checkExact(
  run: RunRecorder,
  name: string,
  observed: Decisions,
  expected: readonly boolean[],
  minShare = 0.2,
): boolean {
  let compared = 0;
  const wrong: number[] = [];
  for (const [i, d] of observed.entries()) {
    if (d === -1) continue;
    compared++;
    if (d === -2 || (d === 1) !== expected[i]) wrong.push(i);
  }
  const enough = compared >= minShare * expected.length;
  return run.check(
    name,
    wrong.length === 0 && enough,
    `${compared} users compared, ${wrong.length} disagree${wrong.length ? ` (first: user #${wrong[0]})` : ""}` +
      (enough ? "" : ` (too few users answered: ${compared} of ${expected.length})`),
  );
}

/** Records whether a peer's decisions look like the flag: ~30 % on in targeted countries, none elsewhere. */
export function checkRolloutShape(
  run: RunRecorder,
  name: string,
  observed: Decisions,
  users: readonly User[],
): boolean {
  const targeted = new Set(TARGET_COUNTRIES);
  let inSet = 0;
  let on = 0;
  let leaks = 0;
  let contradictions = 0;
  for (const [i, d] of observed.entries()) {
    if (d === -1) continue;
    if (d === -2) contradictions++;
    if (targeted.has(users[i].country)) {
      inSet++;
      if (d === 1) on++;
    } else if (d === 1) leaks++;
  }
  const share = inSet ? on / inSet : Number.NaN;
  // 512 targeted users: the share's standard deviation is about 2 points; 6 points is 3σ.
  const ok = Math.abs(share - ROLLOUT_PERCENT / 100) <= 0.06 && leaks === 0 && contradictions === 0 && inSet >= 100;
  return run.check(
    name,
    ok,
    `${(share * 100).toFixed(1)} % on among ${inSet} targeted users, ${leaks} on elsewhere, ${contradictions} users with changing answers`,
  );
}

/** Two observations of the same users must agree (a peer's answer does not change under load). */
export function checkSame(run: RunRecorder, name: string, before: Decisions, during: Decisions): boolean {
  let compared = 0;
  let differ = 0;
  for (const [i, d] of during.entries()) {
    if (d === -1 || before[i] < 0) continue;
    compared++;
    if (d !== before[i]) differ++;
  }
  return run.check(name, differ === 0 && compared > 0, `${compared} users compared, ${differ} answered differently`);
}
